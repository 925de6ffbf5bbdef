"""Webhook intake: verify, find the integration, store first, dedupe, wake a worker. Answers in milliseconds.

Each `receive_*` function takes the raw body bytes and the headers and returns an `IntakeResult` (HTTP status
and JSON body) for the route to send. The order matters: nothing is stored before the signature checks out, and
nothing is processed before the delivery is in the inbox. A re-delivery hits the unique (platform, delivery_id)
constraint and is acknowledged without being stored again. If Redis is down the row stays `pending` and
`jobs.sweep_pending` wakes a worker for it later. Must not do the processing itself, and must never log a body or secret.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app
from psycopg.types.json import Json
from sqlalchemy import JSON, String, Text, bindparam, create_engine, select, text

from app.extensions import db
from app.models import Integration
from app.models.types import UTCDateTime, utcnow
from app.platforms import signatures
from app.webhooks import json_text, meta_secrets, meta_split
from app.webhooks.group_commit import GroupCommit
from app.webhooks.wake import wake

log = logging.getLogger(__name__)

# The Shopify headers worth keeping with a delivery (never the HMAC: it proves nothing once stored).
SHOPIFY_HEADERS = (
    "X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id", "X-Shopify-Event-Id",
    "X-Shopify-API-Version", "X-Shopify-Triggered-At",
)  # fmt: skip


@dataclass
class IntakeResult:
    status_code: int
    body: dict = field(default_factory=dict)


@dataclass
class Part:
    """One delivery to store: a Shopify webhook, or one entry change / messaging event of a Meta POST."""

    topic: str
    delivery_id: str
    account_id: str | None
    payload: str
    headers: dict
    error: str | None = None  # a Meta part of the wrong shape: stored as failed with this message


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest()


# --- Shopify -----------------------------------------------------------------------------------------------


def receive_shopify(raw: bytes, headers: Mapping[str, str]) -> IntakeResult:
    topic = (headers.get("X-Shopify-Topic") or "").strip().lower()
    shop = (headers.get("X-Shopify-Shop-Domain") or "").strip().lower()
    secret = current_app.config.get("SHOPIFY_API_SECRET") or ""
    if not signatures.verify_shopify_webhook(secret, raw, headers.get("X-Shopify-Hmac-Sha256")):
        log.warning(
            "shopify webhook refused: bad or missing HMAC (topic=%s shop=%s)", topic or "-", shop or "-"
        )
        return IntakeResult(401, {"error": "Invalid webhook signature."})
    delivery_id = (headers.get("X-Shopify-Webhook-Id") or "").strip() or "sha256:" + _sha256(
        topic.encode() + b"|" + shop.encode() + b"|" + raw
    )
    kept = {name: headers[name] for name in SHOPIFY_HEADERS if headers.get(name)}
    part = Part(topic or "unknown", delivery_id[:255], shop or None, raw.decode("utf-8", "replace"), kept)
    try:
        part.payload, _body = json_text.load(raw)  # the body's text, minus what no database can store
    except ValueError as exc:
        return _malformed("shopify", part, exc)
    if not topic or not shop:
        # Signed by our secret but without the headers that route it: keep it for inspection.
        return _malformed("shopify", part, ValueError("missing X-Shopify-Topic or X-Shopify-Shop-Domain"))
    return IntakeResult(200, {"status": _store("shopify", part)})


# --- Meta (WhatsApp, Facebook) -----------------------------------------------------------------------------


def receive_meta(platform: str, raw: bytes, headers: Mapping[str, str]) -> IntakeResult:
    """A WhatsApp (`whatsapp_business_account`) or Facebook (`page`) POST: one row per change / event.

    The signature is checked before anything else, with bounded work whatever the body (`meta_secrets`): an
    unsigned body is refused without being parsed. Parts of the wrong shape are stored as `failed` with an
    error saying where; a body with no well-formed part is answered 400 like a malformed one."""
    proof = meta_secrets.prove(platform, raw, headers.get("X-Hub-Signature-256"))
    if proof is None:
        log.warning("%s webhook refused: bad or missing X-Hub-Signature-256", platform)
        return IntakeResult(401, {"error": "Invalid webhook signature."})
    try:
        parts = _meta_parts(platform, raw)
    except ValueError as exc:
        part = Part("unknown", "sha256:" + _sha256(raw), None, raw.decode("utf-8", "replace"), {})
        return _malformed(platform, part, exc)
    signed = proof.signed_for(p.account_id for p in parts if p.account_id)
    kept = [p for p in parts if proof.app_signed or p.account_id in signed]
    if len(kept) < len(parts):
        # Signed with another integration's secret: that integration cannot speak for these accounts.
        log.warning("%s webhook: %d parts not signed by their account's own app secret", platform,
                    len(parts) - len(kept))  # fmt: skip
    good = [_store(platform, p) for p in kept if p.error is None]
    bad = [(p, _store(platform, p, status="failed", error=p.error)) for p in kept if p.error is not None]
    failed = [p for p, outcome in bad if outcome != "duplicate"]
    if failed:
        log.warning("%s webhook: %d parts of the wrong shape stored as failed", platform, len(failed))
        if not good:
            more = f" (and {len(failed) - 1} more parts)" if len(failed) > 1 else ""
            return IntakeResult(400, {"error": failed[0].error + more})
        return IntakeResult(200, {"status": _summary(good), "failed": len(failed)})
    return IntakeResult(200, {"status": _summary(good) if good or not bad else "duplicate"})


def _meta_parts(platform: str, raw: bytes) -> list[Part]:
    _text, body = json_text.load(raw)  # parsed from text without NUL or lone surrogates
    if not isinstance(body, dict):
        raise ValueError("the body is not a JSON object")
    try:
        return split_meta(platform, body)
    except RecursionError:  # re-serialising a part nested as deep as the parser allows
        raise ValueError("nested too deeply") from None


# WhatsApp changes about the Business Account, not a phone number: no `metadata.phone_number_id`, the entry's
# id is the WABA id. They go to the integration whose `waba_id` it is (its phone number is its account).
WABA_TOPICS = frozenset({"message_template_status_update", "message_template_quality_update",
                         "template_category_update"})  # fmt: skip


def split_meta(platform: str, body: dict) -> list[Part]:
    """One Part per change / messaging event (`meta_split`); parts of the wrong shape carry their error."""
    items = meta_split.split(platform, body)
    for item in items:
        if (
            platform == "whatsapp"
            and item.topic in WABA_TOPICS
            and item.account is None
            and item.error is None
        ):
            item.account = _phone_number_for_waba(item.envelope["entry"][0].get("id"))
    return [
        _meta_part(item.topic, item.message_ids, item.account, item.envelope, item.error) for item in items
    ]


def _phone_number_for_waba(waba_id) -> str | None:
    if not waba_id:
        return None
    stmt = select(Integration.account_id).where(
        Integration.platform == "whatsapp", Integration.proved_at.is_not(None),
        Integration.config["waba_id"].as_string() == str(waba_id),
    )  # fmt: skip
    return db.session.scalar(stmt.order_by(Integration.id).limit(1))


def _meta_part(
    topic: str, message_ids: list[str], account: str | None, envelope: dict, error: str | None = None
) -> Part:
    payload = json.dumps(envelope, separators=(",", ":"), sort_keys=True)
    # Message ids are Meta's own delivery identity; anything else (statuses, reads) is keyed by its content,
    # so the same status re-sent is a duplicate while "delivered" after "sent" is a new delivery.
    delivery_id = "msg:" + ",".join(sorted(message_ids)) if message_ids else "sha256:" + _sha256(payload)
    if len(delivery_id) > 255:
        delivery_id = "msg:sha256:" + _sha256(delivery_id)
    return Part(
        topic, delivery_id, account, payload, {}, f"Malformed webhook body: {error}" if error else None
    )


def _summary(outcomes: list[str]) -> str:
    if not outcomes:
        return "ignored"
    for status in ("accepted", "stored", "ignored"):
        if status in outcomes:
            return status
    return "duplicate"


def meta_handshake(platform: str, params: Mapping[str, str]) -> str | None:
    """Meta's GET verification: the challenge to echo, or None when the verify token is wrong."""
    challenge = signatures.meta_verification_challenge(
        params, current_app.config.get("META_VERIFY_TOKEN") or ""
    )
    if challenge is not None:
        return challenge
    if params.get("hub.mode") != "subscribe" or not params.get("hub.verify_token"):
        return None
    # Rare (once per subscription): decrypting each integration's secrets here costs nothing that matters.
    for integration in db.session.scalars(select(Integration).where(Integration.platform == platform)):
        token = integration.secret("verify_token") or ""
        challenge = signatures.meta_verification_challenge(params, token)
        if challenge is not None:
            return challenge
    return None


# --- storing and enqueueing --------------------------------------------------------------------------------


def _lookup(platform: str, account_id: str | None, what):
    # The one integration holding the account (its credentials were proved for it; at most one per account,
    # `uq_integration_holder`). A row another workspace merely added for the account is never picked.
    return (
        select(what)
        .where(
            Integration.platform == platform,
            Integration.account_id == account_id,
            Integration.proved_at.is_not(None),
        )
        .limit(1)
    )


def _integration(platform: str, account_id: str | None) -> Integration | None:
    return db.session.scalars(_lookup(platform, account_id, Integration)).first() if account_id else None


# One statement finds the integration holding the account (the rule of `_lookup`, served by the partial unique
# index `uq_integration_holder`), inserts the row and tells a re-delivery apart: the unique (platform,
# delivery_id) decides, not a prior read, so two racing deliveries cannot both land. Plain SQL that Postgres
# and SQLite both speak ("WHERE true" keeps SQLite from reading ON CONFLICT as a join constraint), built once:
# building an expression per delivery cost more than running it.
_STORE = text(
    """
    INSERT INTO webhook (workspace_id, integration_id, platform, topic, delivery_id, account_id, headers,
                         payload, status, attempts, error, received_at)
    SELECT i.workspace_id, i.id, :platform, :topic, :delivery_id, :account_id, :headers, :payload,
           COALESCE(:status, CASE WHEN i.id IS NULL THEN 'ignored' ELSE 'pending' END), 0, :error, :received_at
    FROM (SELECT 1 AS one) AS one
    LEFT JOIN (
        SELECT id, workspace_id FROM integration
        WHERE platform = :platform AND account_id = :account_id AND proved_at IS NOT NULL
        LIMIT 1
    ) AS i ON true
    WHERE true
    ON CONFLICT (platform, delivery_id) DO NOTHING
    RETURNING id, status
    """
).bindparams(
    bindparam("headers", type_=JSON()),
    bindparam("received_at", type_=UTCDateTime()),
    bindparam("status", type_=String()),
    bindparam("error", type_=Text()),
)


def _store(platform: str, part: Part, *, status: str | None = None, error: str | None = None) -> str:
    """Insert the inbox row; 'duplicate' when the platform sent it before. Wakes a worker for pending rows.

    On Postgres the insert goes through this process's group commit (`group_commit`): one statement for the
    rows request threads queued meanwhile, committed before this returns, and one wake-up for all of them.
    """
    account = part.account_id[:255] if part.account_id else None
    topic = part.topic[:100]
    if db.engine.dialect.name == "postgresql":
        values = (platform, topic, part.delivery_id, account, Json(part.headers), part.payload, status, error,
                  utcnow())  # fmt: skip
        stored, woken = _group().store(values)
        stored = stored[:2] if stored is not None else None
    else:
        params = {
            "platform": platform, "topic": topic, "delivery_id": part.delivery_id, "account_id": account,
            "headers": part.headers, "payload": part.payload, "status": status, "error": error,
            "received_at": utcnow(),
        }  # fmt: skip
        stored = db.session.execute(_STORE, params).first()
        db.session.commit()
        woken = stored is not None and stored[1] == "pending" and enqueue_delivery(stored[0])
    if stored is None:
        log.info("%s webhook %s duplicate delivery_id=%s", platform, part.topic, part.delivery_id)
        return "duplicate"
    webhook_id, status = stored
    if status == "ignored":
        log.info(
            "%s webhook %s for unknown account %s ignored (id=%s)", platform, part.topic, account, webhook_id
        )
        return "ignored"
    if status != "pending":
        return status
    return "accepted" if woken else "stored"


def _intake_engine():
    """A pool of autocommit connections for the inbox insert, without the main pool's ping per checkout.

    The ping is one more round trip on every delivery; here a connection that died (database restarted)
    fails the insert instead, the pool drops it, and `GroupCommit` tries once more on a fresh connection.
    """
    engine = current_app.extensions.get("webhook_intake_engine")
    if engine is None:
        options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
        engine = create_engine(
            db.engine.url,
            # The group statements may be prepared on the server (psycopg's default after 5 runs): their plan
            # does not depend on how big a workspace's tables are, unlike the queries the main pool serves.
            connect_args={**options.get("connect_args", {}), "prepare_threshold": 5},
            isolation_level="AUTOCOMMIT",
            pool_size=1,
            max_overflow=2,
            pool_pre_ping=False,
        )
        engine = current_app.extensions.setdefault("webhook_intake_engine", engine)
    return engine


_COLUMNS = "platform, topic, delivery_id, account_id, headers, payload, status, error, received_at"
# The first row's casts type the VALUES columns (the others follow them); psycopg's placeholders.
_FIRST_ROW = (
    "(%s::text, %s::text, %s::text, %s::text, %s::json, %s::text, %s::text, %s::text, %s::timestamptz)"
)
_ROW = "(" + ", ".join(["%s"] * 9) + ")"
_DELIVERY_ID = 2  # where a row's delivery_id sits in its values: the group's key back to each request


@functools.lru_cache(maxsize=64)
def _store_rows(n: int) -> str:
    """`_STORE` for n rows in one statement (Postgres): each row finds its integration by the same rule,
    conflicts are skipped, and each inserted row comes back with its delivery_id. Built once per size: the
    driver prepares it on the server after a few runs."""
    return f"""
    INSERT INTO webhook (workspace_id, integration_id, platform, topic, delivery_id, account_id, headers,
                         payload, status, attempts, error, received_at)
    SELECT i.workspace_id, i.id, v.platform, v.topic, v.delivery_id, v.account_id, v.headers, v.payload,
           COALESCE(v.status, CASE WHEN i.id IS NULL THEN 'ignored' ELSE 'pending' END), 0, v.error,
           v.received_at
    FROM (VALUES {", ".join([_FIRST_ROW] + [_ROW] * (n - 1))}) AS v({_COLUMNS})
    LEFT JOIN LATERAL (
        SELECT id, workspace_id FROM integration
        WHERE platform = v.platform AND account_id = v.account_id AND proved_at IS NOT NULL
        LIMIT 1
    ) AS i ON true
    ON CONFLICT (platform, delivery_id) DO NOTHING
    RETURNING id, status, delivery_id
    """


def _group() -> GroupCommit:
    group = current_app.extensions.get("webhook_intake_group")
    if group is None:
        engine = _intake_engine()
        group = current_app.extensions.setdefault(
            "webhook_intake_group",
            GroupCommit(engine.raw_connection, _store_rows, _DELIVERY_ID, after_commit=_wake_for),
        )
    return group


def _wake_for(rows: list) -> bool | None:
    """After a group committed: one wake-up for its pending rows (None when it had none)."""
    pending = [row[0] for row in rows if row[1] == "pending"]
    if not pending:
        return None
    return enqueue_delivery(pending[0], len(pending))


def enqueue_delivery(webhook_id: int, count: int = 1) -> bool:
    """Wake a worker that drains the inbox in batches (one Redis round trip, no job per delivery); False
    when Redis is down (the sweeper wakes one later)."""
    if not wake():
        log.warning("webhook %s (and %d more) stored but no worker woken: Redis unavailable; the sweeper will",
                    webhook_id, count - 1)  # fmt: skip
        return False
    return True


def _malformed(platform: str, part: Part, exc: Exception) -> IntakeResult:
    message = f"Malformed webhook body: {exc}"
    # Kept for inspection, but Postgres text cannot hold NUL characters (valid JSON never has a raw one).
    part.payload = part.payload.replace("\x00", "\ufffd")
    outcome = _store(platform, part, status="failed", error=message)
    if outcome == "duplicate":
        return IntakeResult(200, {"status": "duplicate"})
    log.warning("%s webhook %s stored as failed: malformed body", platform, part.topic)
    return IntakeResult(400, {"error": message})
