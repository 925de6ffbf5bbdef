"""The minute job: small clean-ups that keep the system honest when nobody is watching.

Each area contributes a function; every one of them is safe to run twice and on an idle system.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete

from app.extensions import db
from app.inventory.service import expire_reservations
from app.inventory.writeback import retry_pending_write_backs
from app.messaging.checkouts import sweep_checkouts
from app.messaging.sender import sweep_outbox
from app.models import OAuthState
from app.models.types import utcnow
from app.sync.service import sweep_sync_runs
from app.webhooks.jobs import sweep_pending

log = logging.getLogger(__name__)

OAUTH_STATE_TTL = timedelta(hours=1)


def purge_oauth_states() -> int:
    cutoff = utcnow() - OAUTH_STATE_TTL
    result = db.session.execute(delete(OAuthState).where(OAuthState.created_at < cutoff))
    db.session.commit()
    return result.rowcount or 0


TASKS = [
    purge_oauth_states,
    expire_reservations,
    retry_pending_write_backs,
    sweep_pending,
    sweep_sync_runs,
    sweep_checkouts,
    sweep_outbox,
]


def run_minutely() -> dict[str, int]:
    done = {}
    for task in TASKS:
        try:
            done[task.__name__] = task()
        except Exception:  # one failing clean-up must not stop the others
            db.session.rollback()
            log.exception("housekeeping task %s failed", task.__name__)
    return done
