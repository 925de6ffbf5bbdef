"""Split a signed Meta POST into deliveries, whatever the shape of its parts.

WhatsApp: one item per `entry[].changes[]` (each names its phone number); Facebook: one per `entry[].messaging[]`
event (and per `changes[]` item). Each item keeps the documented envelope shape around its one change or event.
An entry, change or event of the wrong shape (a string where an object belongs, `value` a list, an id that is
an object...) becomes an item with an `error` saying where, kept with the envelope it came in so that nothing
is lost; the well-formed items of the same POST are unaffected. Only an `entry` that is not a list makes the
whole body malformed (`WrongShape`). Pure: no database, no logging.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.webhooks import shapes


@dataclass
class Item:
    topic: str
    account: str | None
    envelope: dict
    message_ids: list[str] = field(default_factory=list)
    error: str | None = None


def split(platform: str, body: dict) -> list[Item]:
    obj = body.get("object")
    out: list[Item] = []
    for i, entry in enumerate(shapes.items(body.get("entry"), "entry")):
        where, entry_id = f"entry[{i}]", ""
        try:
            entry = shapes.obj(entry, where)
            entry_id = shapes.ident(entry.get("id"), f"{where}.id") or ""
            changes = shapes.items(entry.get("changes"), f"{where}.changes")
            messaging = shapes.items(entry.get("messaging"), f"{where}.messaging")
        except shapes.WrongShape as exc:
            account = (entry_id or None) if platform != "whatsapp" else None
            out.append(Item("unknown", account, {"object": obj, "entry": [entry]}, error=str(exc)))
            continue
        out += [_change(platform, obj, entry_id, c, f"{where}.changes[{j}]") for j, c in enumerate(changes)]
        out += [_event(obj, entry, entry_id, e, f"{where}.messaging[{j}]") for j, e in enumerate(messaging)]
    return out


def _change(platform: str, obj, entry_id: str, change, where: str) -> Item:
    envelope = {"object": obj, "entry": [{"id": entry_id, "changes": [change]}]}
    item = Item("changes", None if platform == "whatsapp" else (entry_id or None), envelope)
    try:
        change = shapes.obj(change, where)
        item.topic = shapes.text(change.get("field"), f"{where}.field") or "changes"
        value = shapes.obj(change.get("value"), f"{where}.value")
        if platform == "whatsapp":
            metadata = shapes.obj(value.get("metadata"), f"{where}.value.metadata")
            item.account = shapes.ident(
                metadata.get("phone_number_id"), f"{where}.value.metadata.phone_number_id"
            )
        messages = shapes.objects(value.get("messages"), f"{where}.value.messages")
        ids = (shapes.ident(m.get("id"), f"{where}.value.messages[{n}].id") for n, m in enumerate(messages))
        item.message_ids = [i for i in ids if i]
    except shapes.WrongShape as exc:
        item.message_ids, item.error = [], str(exc)
    return item


def _event(obj, entry: dict, entry_id: str, event, where: str) -> Item:
    envelope = {"object": obj, "entry": [{"id": entry_id, "time": entry.get("time"), "messaging": [event]}]}
    item = Item("messaging", entry_id or None, envelope)
    try:
        event = shapes.obj(event, where)
        item.topic = _messaging_topic(event)
        mid = shapes.ident(
            shapes.obj(event.get("message"), f"{where}.message").get("mid"), f"{where}.message.mid"
        )
        item.message_ids = [mid] if mid and item.topic == "messages" else []
    except shapes.WrongShape as exc:
        item.error = str(exc)
    return item


def _messaging_topic(event: dict) -> str:
    for name in ("message", "delivery", "read", "postback", "reaction"):
        if name in event:
            return "messages" if name == "message" else name
    return "messaging"
