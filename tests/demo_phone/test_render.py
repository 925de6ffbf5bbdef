"""What the customer sees on the Demo phone for each kind of message the app sends."""

from app.demo_phone import bodies, templates


def test_a_template_shows_its_header_filled_body_footer_and_buttons():
    sent = {"name": "abandoned_cart_reminder", "language": {"code": "en_US"}, "components": [
        {"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "https://x.test/c"}]}]}  # fmt: skip
    shown = bodies.render(
        {"type": "template", "template": sent}, templates.find("abandoned_cart_reminder", "en_US")
    )
    assert shown["header"] == "Still thinking it over?"
    assert shown["text"] == "Ana, you left something in your cart. Complete your order here: https://x.test/c"
    assert shown["footer"] == "Reply STOP to opt out" and shown["buttons"] == ["Stop promotions"]


def test_product_messages_list_their_products():
    one = {"type": "interactive", "interactive": {"type": "product", "body": {"text": "Our best seller"},
           "action": {"catalog_id": "1", "product_retailer_id": "SKU-1"}}}  # fmt: skip
    assert bodies.render(one, None) == {"kind": "product", "header": None, "text": "Our best seller",
                                        "products": ["SKU-1"], "footer": None}  # fmt: skip
    many = {"type": "interactive", "interactive": {"type": "product_list", "header": {"type": "text", "text": "Tees"},
            "body": {"text": "Pick one"}, "action": {"catalog_id": "1", "sections": [
                {"title": "Tees", "product_items": [{"product_retailer_id": "A"}, {"product_retailer_id": "B"}]}]}}}  # fmt: skip
    shown = bodies.render(many, None)
    assert (shown["header"], shown["products"]) == ("Tees", ["A", "B"])
    assert bodies.render({"type": "text", "text": {"body": "hi"}}, None) == {"kind": "text", "text": "hi"}
