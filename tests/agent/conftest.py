"""The agent tests: the catalog factories of tests/agent_tools and a local fake OpenAI server."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

# This folder holds fake_openai_server.py, which the tests import too.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_openai_server import FakeOpenAI  # noqa: E402

_path = Path(__file__).resolve().parents[1] / "agent_tools" / "conftest.py"
_spec = importlib.util.spec_from_file_location("agent_tools_test_factories", _path)
factories = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(factories)

make_product = factories.make_product
make_conversation = factories.make_conversation
other_workspace = factories.other_workspace
rsps = factories.rsps


@pytest.fixture
def inbound(db):
    """`inbound(conversation, text)`: a customer message arrives (stored as the webhook job stores it)."""
    return lambda conversation, body: factories.add_inbound(db, conversation, body)


@pytest.fixture
def fake_openai(app):
    server = FakeOpenAI().start()
    saved = {
        k: app.config.get(k)
        for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "AGENT_LLM_RETRIES")
    }
    app.config.update(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=server.base_url, OPENAI_MODEL="fake-model",
                      AGENT_LLM_RETRIES=0)  # fmt: skip
    try:
        yield server
    finally:
        app.config.update(saved)
        server.stop()
