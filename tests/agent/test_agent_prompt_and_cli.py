"""The system prompt comes from the shop's data; `flask agent chat` talks to the agent without sending."""

from fake_openai_server import calls, say

from app.agent.prompt import build_system_prompt
from app.extensions import db


def test_prompt_names_the_shop_categories_brands_and_instructions(workspace, make_product):
    make_product(workspace, "Trail Running Shoe", vendor="Salomon", category="Shoes", currency="EUR")
    workspace.agent_instructions = "Always offer free gift wrapping."
    db.session.commit()
    prompt = build_system_prompt(workspace)
    assert workspace.name in prompt and "1 products, priced in EUR" in prompt
    assert "Categories: Shoes." in prompt and "Brands: Salomon." in prompt
    assert "free gift wrapping" in prompt and "handoff_to_human" in prompt


def test_cli_chat_prints_replies_and_sends_nothing(app, workspace, make_product, fake_openai, rsps):
    product = make_product(workspace, "Trail Running Shoe")
    fake_openai.script = [
        calls(("whatsapp_send_product", {"product_id": product.id, "variant_id": None, "body": None})),
        say("Here is our Trail Running Shoe."),
    ]
    result = app.test_cli_runner().invoke(args=["agent", "chat", "-m", "trail shoes?"])
    assert result.exit_code == 0, result.output
    assert "agent> Here is our Trail Running Shoe." in result.output
    assert "[tool] whatsapp_send_product" in result.output and "[would send product]" in result.output
    assert not rsps.calls


def test_cli_chat_without_a_key_explains_what_to_set(app, workspace):
    result = app.test_cli_runner().invoke(args=["agent", "chat", "-m", "hi"])
    assert result.exit_code != 0 and "OPENAI_API_KEY" in result.output
