"""WhatsApp Cloud API: send text, template and catalog product messages, mark as read, list message templates,
check the phone number.

`POST /{version}/{phone_number_id}/messages` with `messaging_product: "whatsapp"`. Recipients: a phone
number / wa_id goes in `to`; since 2026 a customer may be known only by a business-scoped user id
(BSUID, e.g. `US.13491208655302741918`), which goes in `recipient` instead (when both are sent Meta uses
`to`). Errors come back as the typed Meta errors (131047 window closed, 131026/131030 bad recipient, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.platforms.meta_catalog import MetaGraphClient

MAX_PRODUCT_SECTIONS = 10
MAX_PRODUCT_ITEMS = 30
SECTION_TITLE_MAX = 24
TEXT_BODY_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
HEADER_TEXT_MAX = 60
FOOTER_MAX = 60


@dataclass(frozen=True)
class Recipient:
    """Who to send to: `wa_id` (phone digits) when known, else the business-scoped `user_id`."""

    wa_id: str | None = None
    user_id: str | None = None

    def __post_init__(self):
        if not self.wa_id and not self.user_id:
            raise ValueError("Recipient needs a wa_id/phone or a user_id")

    @classmethod
    def phone(cls, number: str) -> Recipient:
        return cls(wa_id="".join(ch for ch in number if ch.isdigit()))

    @classmethod
    def from_contact(cls, contact: dict) -> Recipient:
        """From a webhook `contacts[]` entry (`wa_id` may be absent for username users)."""
        return cls(wa_id=contact.get("wa_id") or None, user_id=contact.get("user_id") or None)

    def address(self) -> dict:
        return {"to": self.wa_id} if self.wa_id else {"recipient": self.user_id}


@dataclass
class SentMessage:
    message_id: str
    wa_id: str | None
    user_id: str | None
    raw: dict


class WhatsAppClient(MetaGraphClient):
    def __init__(self, access_token: str, phone_number_id: str, **kwargs):
        super().__init__(access_token, **kwargs)
        self.phone_number_id = phone_number_id

    def get_phone_number(self, phone_number_id: str | None = None) -> dict:
        """`{id, display_phone_number, verified_name, quality_rating}`; proves the credentials work."""
        fields = "id,display_phone_number,verified_name,quality_rating"
        return self._call("GET", phone_number_id or self.phone_number_id, params={"fields": fields})

    def _send(self, recipient: Recipient, message: dict) -> SentMessage:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            **recipient.address(),
            **message,
        }
        answer = self._call("POST", f"{self.phone_number_id}/messages", json=body)
        contact = (answer.get("contacts") or [{}])[0]
        return SentMessage(
            message_id=(answer.get("messages") or [{}])[0].get("id", ""),
            wa_id=contact.get("wa_id"),
            user_id=contact.get("user_id"),
            raw=answer,
        )

    def send_payload(
        self, recipient: Recipient, message: dict, *, callback_data: str | None = None
    ) -> SentMessage:
        """Send a prepared message (`{"type": "template", "template": {...}}` or a text message) as it is.

        `callback_data` goes in `biz_opaque_callback_data` (at most 512 characters), which Meta echoes in every
        status webhook of this message: how a sender whose answer was lost learns that the message went out."""
        if message.get("type") not in ("template", "text"):
            raise ValueError("send_payload takes a template or text message")
        extra = {"biz_opaque_callback_data": callback_data[:512]} if callback_data else {}
        return self._send(recipient, {**message, **extra})

    def send_text(self, recipient: Recipient, body: str, *, preview_url: bool = False) -> SentMessage:
        if not body.strip():
            raise ValueError("empty WhatsApp text")
        text = {"preview_url": preview_url, "body": body[:TEXT_BODY_MAX]}
        return self._send(recipient, {"type": "text", "text": text})

    def send_product(
        self,
        recipient: Recipient,
        catalog_id: str,
        product_retailer_id: str,
        *,
        body: str | None = None,
        footer: str | None = None,
    ) -> SentMessage:
        interactive: dict = {
            "type": "product",
            "action": {"catalog_id": catalog_id, "product_retailer_id": product_retailer_id},
        }
        if body:
            interactive["body"] = {"text": body[:INTERACTIVE_BODY_MAX]}
        if footer:
            interactive["footer"] = {"text": footer[:FOOTER_MAX]}
        return self._send(recipient, {"type": "interactive", "interactive": interactive})

    def send_product_list(
        self,
        recipient: Recipient,
        catalog_id: str,
        *,
        header: str,
        body: str,
        sections: list[dict],
        footer: str | None = None,
    ) -> SentMessage:
        """Multi-product message. `sections`: `[{"title": str, "product_retailer_ids": [str, ...]}]`.

        Meta allows 1-10 sections and 30 products in total; a header text is required."""
        interactive: dict = {
            "type": "product_list",
            "header": {"type": "text", "text": header[:HEADER_TEXT_MAX]},
            "body": {"text": body[:INTERACTIVE_BODY_MAX]},
            "action": {"catalog_id": catalog_id, "sections": build_product_sections(sections)},
        }
        if footer:
            interactive["footer"] = {"text": footer[:FOOTER_MAX]}
        return self._send(recipient, {"type": "interactive", "interactive": interactive})

    def message_templates(self, waba_id: str, *, limit: int = 100) -> list[dict]:
        """Every message template of the WhatsApp Business Account, following `paging.next` to the last page.

        `GET /{waba-id}/message_templates` answers `{"data": [...], "paging": {"cursors": {"after"}, "next"}}`;
        the last page has no `next`."""
        fields = "id,name,language,category,status,components"
        params: dict = {"fields": fields, "limit": limit}
        found: list[dict] = []
        seen: set[str] = set()
        while True:
            answer = self._call("GET", f"{waba_id}/message_templates", params=params)
            found.extend(t for t in answer.get("data") or [] if isinstance(t, dict))
            paging = answer.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after or after in seen:
                return found
            seen.add(after)
            params = {"fields": fields, "limit": limit, "after": after}

    def mark_as_read(self, message_id: str) -> bool:
        answer = self._call(
            "POST",
            f"{self.phone_number_id}/messages",
            json={"messaging_product": "whatsapp", "status": "read", "message_id": message_id},
        )
        return bool(answer.get("success"))


def build_product_sections(sections: list[dict]) -> list[dict]:
    """Validate and shape sections for a product_list; raises ValueError past Meta's limits."""
    shaped = []
    total = 0
    for section in sections:
        ids = section.get("product_retailer_ids") or [
            item["product_retailer_id"] for item in section.get("product_items") or []
        ]
        if not ids:
            raise ValueError("every product_list section needs at least one product")
        total += len(ids)
        title = (section.get("title") or "").strip()[:SECTION_TITLE_MAX]
        if not title:
            raise ValueError("product_list sections need a title")
        shaped.append({"title": title, "product_items": [{"product_retailer_id": rid} for rid in ids]})
    if not 1 <= len(shaped) <= MAX_PRODUCT_SECTIONS:
        raise ValueError(f"product_list takes 1-{MAX_PRODUCT_SECTIONS} sections, got {len(shaped)}")
    if total > MAX_PRODUCT_ITEMS:
        raise ValueError(f"product_list takes at most {MAX_PRODUCT_ITEMS} products in total, got {total}")
    return shaped
