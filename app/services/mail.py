"""Mail to a user (password reset links). This deployment sends no mail itself: each message is written to
the app's log (logger `app.mail`, WARNING, so it shows with the default settings) for the operator to pass on,
and kept in a small in-process outbox the tests read. Say so wherever a page promises an email.

Must not log anything but the message it was asked to deliver.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

log = logging.getLogger("app.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


OUTBOX: deque[Mail] = deque(maxlen=50)  # the newest messages of this process, newest last


def deliver(to: str, subject: str, body: str) -> None:
    message = Mail(to, subject, body)
    OUTBOX.append(message)
    log.warning("mail for %s (no mail server configured: pass it on)\nSubject: %s\n\n%s", to, subject, body)
