"""The stand-in number's message templates, approved, as `GET /{waba-id}/message_templates` lists them.

Positional parameters (`{{1}}`, ...) in the order the app's automations fill them (Messaging page): order
confirmation (customer, order number, total), shipping update and delivered (customer, order number, tracking
link, tracking number, carrier), abandoned cart reminder (customer, checkout link; marketing: opt-in needed).
"""

from __future__ import annotations

LANGUAGE = "en_US"

_TEMPLATES = (
    ("order_confirmation", "UTILITY", "Order confirmed",
     "Hi {{1}}, thanks for your order {{2}} of {{3}}. We'll let you know as soon as it ships.",
     ["Ana", "#1001", "59.97 USD"]),
    ("shipping_update", "UTILITY", "On its way",
     "{{1}}, your order {{2}} is on its way: {{3}} (tracking number {{4}}, {{5}}).",
     ["Ana", "#1001", "https://track.example.com/1Z999", "1Z999", "UPS"]),
    ("order_delivered", "UTILITY", "Delivered",
     "{{1}}, your order {{2}} has been delivered. Enjoy! Reply here if anything is wrong.",
     ["Ana", "#1001"]),
    ("abandoned_cart_reminder", "MARKETING", "Still thinking it over?",
     "{{1}}, you left something in your cart. Complete your order here: {{2}}",
     ["Ana", "https://demo-store.myshopify.com/checkouts/abc"]),
)  # fmt: skip


def listed() -> list[dict]:
    """Every template, in Meta's listing shape (`fields=id,name,language,category,status,components`)."""
    found = []
    for n, (name, category, header, body, example) in enumerate(_TEMPLATES):
        components = [
            {"type": "HEADER", "format": "TEXT", "text": header},
            {"type": "BODY", "text": body, "example": {"body_text": [example]}},
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
        ]
        if category == "MARKETING":
            components.append(
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Stop promotions"}]}
            )
        found.append({"name": name, "parameter_format": "POSITIONAL", "components": components,
                      "language": LANGUAGE, "status": "APPROVED", "category": category,
                      "id": str(1_180_000_000_000_000 + n)})  # fmt: skip
    return found


def find(name: str, language: str) -> dict | None:
    return next((t for t in listed() if t["name"] == name and t["language"] == language), None)
