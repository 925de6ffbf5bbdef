"""The Procfile's `mcp:` line, run as it is written (its own uvicorn process, configured by the environment
only), serves the tools to the SDK's client and refuses a request without a token."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from tests.mcp.conftest import ROOT, body, free_port, http_client, run, search_args, stdio_params


def _procfile_command() -> str:
    lines = Path(ROOT, "Procfile").read_text().splitlines()
    return next(line.partition(":")[2].strip() for line in lines if line.startswith("mcp:"))


def test_the_procfile_mcp_process_serves_the_tools(app, user, make_product, make_token):
    make_product(user.workspace, "Procfile Lamp")
    token, port = make_token(user, "catalog:read"), free_port()
    env = {**os.environ, **stdio_params(app, token).env, "MCP_PORT": str(port), "MCP_CONCURRENCY": "1",
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}  # fmt: skip
    process = subprocess.Popen(["bash", "-c", f"exec {_procfile_command()}"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status = httpx2.post(url, json={}).status_code
                break
            except httpx2.TransportError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "the mcp process did not listen"
                time.sleep(0.2)
        assert status == 401

        async def scenario():
            async with http_client(url, token) as client:
                names = [t.name for t in (await client.list_tools()).tools]
                return names, body(await client.call_tool("product_search", search_args("procfile lamp")))

        names, found = run(scenario())
        assert "create_order" in names and "product_search" in names
        assert [p["title"] for p in found["products"]] == ["Procfile Lamp"]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_the_one_command_demo_serves_mcp_with_the_readme_configuration(tmp_path):
    """`flask demo` starts the MCP server too; a token made as the README says reaches the synced catalog."""
    demo_port, mcp_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "PYTHONPATH": str(ROOT),
           "DEMO_STORE_DB": str(tmp_path / "store.db"), "LOG_LEVEL": "WARNING"}  # fmt: skip
    env.pop("REDIS_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    demo = subprocess.Popen([*flask, "demo", "--port", str(demo_port), "--mcp-port", str(mcp_port),
                             "--products", "20"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{mcp_port}/mcp"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx2.post(url, json={}).status_code == 401
                break
            except httpx2.TransportError:
                assert demo.poll() is None, demo.stdout.read().decode()
                assert time.monotonic() < deadline, "the demo's MCP server did not listen"
                time.sleep(0.3)
        made = subprocess.run([*flask, "create-token", "demo@example.com", "--name", "My agent", "--scope",
                               "catalog:read", "--scope", "orders:read", "--scope", "orders:write"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
        token = made.stdout.strip().splitlines()[-1]
        assert token.startswith("wag_"), made.stderr

        async def search():
            async with http_client(url, token) as client:
                return body(await client.call_tool("product_search", search_args("shirt")))

        while (found := run(search()))["count"] == 0:  # the demo store syncs in the background
            assert time.monotonic() < deadline + 60, "the demo catalog never appeared"
            time.sleep(1)
        assert all(p["product_id"] for p in found["products"])
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=20)
