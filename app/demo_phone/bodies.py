"""Meta's shapes: the WhatsApp webhook bodies the stand-in sends, its Graph API errors, and what a sent
message looks like on the customer's phone (a template with its parameters filled in)."""

from __future__ import annotations

import re
import secrets

_PLACEHOLDER = re.compile(r"{{\s*([A-Za-z0-9_]+)\s*}}")


def wamid() -> str:
    """A message id in Meta's form (`wamid.` and base64 text)."""
    return "wamid.HBgL" + secrets.token_urlsafe(30).replace("-", "A").replace("_", "B")


def error(code: int, message: str, *, kind: str = "OAuthException", subcode: int | None = None,
          details: str | None = None) -> dict:  # fmt: skip
    """A Graph API error body (`{"error": {...}}`), as Meta answers a refused call."""
    body: dict = {"message": message, "type": kind, "code": code, "fbtrace_id": "A" + secrets.token_hex(11)}
    if subcode is not None:
        body["error_subcode"] = subcode
    if details:
        body["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": body}


def _envelope(waba_id: str, number: dict, value: dict) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": number["display_digits"], "phone_number_id": number["id"]},
            **value}, "field": "messages"}]}],
    }  # fmt: skip


def status_body(waba_id: str, number: dict, message: dict, state: str, at: int) -> dict:
    """A `statuses` webhook for one sent message (sent, delivered or read), with the callback data echoed."""
    category = message.get("category") or "service"
    status: dict = {
        "id": message["wamid"],
        "status": state,
        "timestamp": str(at),
        "recipient_id": message["customer"],
    }
    if message.get("callback"):
        status["biz_opaque_callback_data"] = message["callback"]
    if state != "read":
        status["conversation"] = {"id": "c0" + message["wamid"][-30:].lower(), "origin": {"type": category}}
        status["pricing"] = {"billable": category != "service", "pricing_model": "PMP", "category": category,
                             "type": "regular" if category != "service" else "free_customer_service"}  # fmt: skip
    return _envelope(waba_id, number, {"statuses": [status]})


def inbound_body(
    waba_id: str, number: dict, customer: str, name: str, message_id: str, text: str, at: int
) -> dict:
    """A `messages` webhook: the customer wrote `text`."""
    contact = {"profile": {"name": name}, "wa_id": customer}
    message = {
        "from": customer,
        "id": message_id,
        "timestamp": str(at),
        "text": {"body": text},
        "type": "text",
    }
    return _envelope(waba_id, number, {"contacts": [contact], "messages": [message]})


def render(payload: dict, template: dict | None) -> dict:
    """What the customer sees: `{"kind", "header", "text", "footer", "buttons"}` for a sent message."""
    kind = payload.get("type")
    if kind == "text":
        return {"kind": "text", "text": str((payload.get("text") or {}).get("body") or "")}
    if kind == "template":
        return _render_template(payload.get("template") or {}, template)
    if kind == "interactive":
        interactive = payload.get("interactive") or {}
        action = interactive.get("action") or {}
        body = str((interactive.get("body") or {}).get("text") or "")
        if interactive.get("type") == "product":
            items = [action.get("product_retailer_id")]
        else:
            items = [i.get("product_retailer_id") for s in action.get("sections") or []
                     for i in s.get("product_items") or []]  # fmt: skip
        header = (interactive.get("header") or {}).get("text")
        return {"kind": "product", "header": header, "text": body, "products": [str(i) for i in items if i],
                "footer": (interactive.get("footer") or {}).get("text")}  # fmt: skip
    return {"kind": str(kind or "message"), "text": f"[{kind} message]"}


def _render_template(sent: dict, template: dict | None) -> dict:
    values = {}
    for component in sent.get("components") or []:
        if str(component.get("type", "")).lower() == "body":
            for n, parameter in enumerate(component.get("parameters") or [], start=1):
                values[str(n)] = values[str(parameter.get("parameter_name") or n)] = str(
                    parameter.get("text", "")
                )
    parts = {str(c.get("type", "")).upper(): c for c in (template or {}).get("components") or []}
    body = _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), str(parts.get("BODY", {}).get("text", "")))
    buttons = [b.get("text") for b in parts.get("BUTTONS", {}).get("buttons") or []]
    return {"kind": "template", "name": sent.get("name"), "header": parts.get("HEADER", {}).get("text"),
            "text": body, "footer": parts.get("FOOTER", {}).get("text"), "buttons": buttons}  # fmt: skip


def body_parameter_count(template: dict) -> int:
    body = next((c for c in template.get("components") or [] if c.get("type") == "BODY"), {})
    return len(set(_PLACEHOLDER.findall(str(body.get("text") or ""))))
