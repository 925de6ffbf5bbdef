"""Every tool schema follows OpenAI strict mode, and the SDK's own parameter types accept both API shapes."""

import pytest
from openai.types.chat import ChatCompletionToolUnionParam
from openai.types.responses import FunctionToolParam
from pydantic import TypeAdapter

import agent_tools

EXPECTED_TOOLS = {
    "product_search", "get_product", "check_availability", "create_order", "add_to_order", "get_order_status",
    "cancel_order", "shopify_get_product_live", "whatsapp_send_product", "whatsapp_send_product_list",
    "facebook_catalog_status", "handoff_to_human",
}  # fmt: skip
# Keywords OpenAI's strict mode (structured outputs subset of JSON Schema) accepts.
ALLOWED_KEYWORDS = {
    "type", "properties", "required", "additionalProperties", "description", "title", "anyOf", "enum", "const",
    "items", "$ref", "$defs", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "pattern", "format", "minItems", "maxItems",
}  # fmt: skip


def _resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    if ref:
        assert ref.startswith("#/$defs/"), ref
        return root["$defs"][ref.split("/")[-1]]
    return schema


def _allows_null(schema: dict, root: dict) -> bool:
    schema = _resolve(schema, root)
    if schema.get("type") == "null" or (isinstance(schema.get("type"), list) and "null" in schema["type"]):
        return True
    return any(_allows_null(s, root) for s in schema.get("anyOf", []))


def assert_strict(schema: dict, root: dict, optional: set[str] | None, path: str) -> None:
    unknown = set(schema) - ALLOWED_KEYWORDS
    assert not unknown, f"{path}: keywords not allowed in strict mode: {unknown}"
    if schema.get("type") == "object" or "properties" in schema:
        props = schema.get("properties", {})
        assert schema.get("additionalProperties") is False, f"{path}: additionalProperties must be false"
        assert set(schema.get("required", [])) == set(props), f"{path}: every property must be required"
        for name, sub in props.items():
            if optional is not None and name in optional:
                assert _allows_null(sub, root), f"{path}.{name} is optional so it must accept null"
            assert_strict(sub, root, None, f"{path}.{name}")
    for sub in schema.get("anyOf", []):
        assert_strict(sub, root, None, f"{path}|anyOf")
    if "items" in schema:
        assert_strict(schema["items"], root, None, f"{path}[]")
    for name, sub in schema.get("$defs", {}).items():
        assert_strict(sub, root, None, f"{path}$defs.{name}")


def test_registry_lists_every_tool_of_the_issue():
    assert {t["function"]["name"] for t in agent_tools.schemas()} == EXPECTED_TOOLS


@pytest.mark.parametrize("name", sorted(EXPECTED_TOOLS))
def test_schema_follows_openai_strict_mode(name):
    chat = next(t for t in agent_tools.schemas() if t["function"]["name"] == name)
    function = chat["function"]
    assert chat["type"] == "function" and function["strict"] is True and function["description"]
    model = agent_tools.TOOLS[name].input_model
    optional = {n for n, f in model.model_fields.items() if not f.is_required()}
    assert_strict(function["parameters"], function["parameters"], optional, name)


def test_sdk_types_accept_chat_and_responses_shapes():
    chat = agent_tools.schemas()
    TypeAdapter(list[ChatCompletionToolUnionParam]).validate_python(chat)
    responses_tools = agent_tools.schemas(api="responses")
    TypeAdapter(list[FunctionToolParam]).validate_python(responses_tools)
    for chat_tool, resp_tool in zip(chat, responses_tools, strict=True):
        assert resp_tool["type"] == "function" and resp_tool["strict"] is True
        assert resp_tool["name"] == chat_tool["function"]["name"]
        assert resp_tool["parameters"] == chat_tool["function"]["parameters"]
    with pytest.raises(ValueError):
        agent_tools.schemas(api="assistants")


def test_sdk_sends_the_tools_in_a_real_request(fake_openai_for_schemas):
    import openai

    client = openai.OpenAI(api_key="sk-test", base_url=fake_openai_for_schemas.base_url, max_retries=0)
    client.chat.completions.create(
        model="fake-model", messages=[{"role": "user", "content": "hi"}], tools=agent_tools.schemas()
    )
    sent = fake_openai_for_schemas.requests[0]["tools"]
    assert sent == agent_tools.schemas()


@pytest.fixture
def fake_openai_for_schemas():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agent"))
    try:
        from fake_openai_server import FakeOpenAI
    finally:
        sys.path.pop(0)
    server = FakeOpenAI().start()
    yield server
    server.stop()
