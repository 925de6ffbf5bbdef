"""Flask CLI commands: accounts, tokens, the scheduler and the embedded worker.

Each area that adds commands registers them here, so `flask --help` lists everything in one place.
"""

from __future__ import annotations

import click
from flask import Flask

from app.models.accounts import TOKEN_SCOPES
from app.services import accounts


def register(app: Flask) -> None:
    from app.agent.cli import agent_cli
    from app.demo_store.cli import demo_store_cli
    from app.sync.cli import register as register_sync

    register_demo(app)
    register_sync(app)
    app.cli.add_command(demo_store_cli)
    app.cli.add_command(agent_cli)

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--workspace", "workspace_name", default=None, help="Name of the new workspace.")
    def create_user(email: str, password: str, workspace_name: str | None):
        """Create a user in a new workspace."""
        try:
            user = accounts.create_user(email, password, workspace_name)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Created {user.email} in workspace {user.workspace.name!r} (id {user.workspace_id}).")

    @app.cli.command("create-token")
    @click.argument("email")
    @click.option("--name", default="CLI token")
    @click.option(
        "--scope", "scopes", multiple=True, type=click.Choice(list(TOKEN_SCOPES)),
        help="What the token may do (repeat the option); every scope when none is given.",
    )  # fmt: skip
    def create_token(email: str, name: str, scopes: tuple[str, ...]):
        """Print a new API token for EMAIL's workspace on its own line."""
        user = accounts.find_user(email)
        if user is None:
            raise click.ClickException(f"No user with email {email}.")
        _, plain = accounts.create_api_token(user, name, scopes or None)
        click.echo(plain)

    register_mcp(app)

    @app.cli.command("scheduler")
    @click.option("--interval", default=30, show_default=True, help="Seconds between scheduler checks.")
    def scheduler(interval: int):
        """Register the recurring jobs (idempotently) and run rq-scheduler."""
        from app.schedule import run_scheduler

        run_scheduler(interval=interval)

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Drain the queues and exit.")
    def worker(burst: bool):
        """Run a worker in this process (all queues). Production uses `rq worker -w app.worker.AppWorker`."""
        from app.queues import QUEUES, get_queue, get_redis
        from app.worker import ThreadWorker

        ThreadWorker([get_queue(n) for n in QUEUES], connection=get_redis()).work(burst=burst)


def register_mcp(app: Flask) -> None:
    @app.cli.group("mcp")
    def mcp_cli():
        """The MCP server for outside agents (Streamable HTTP: `uvicorn mcp_asgi:app`)."""

    @mcp_cli.command("stdio")
    @click.option("--token", envvar="WAGENTS_TOKEN", required=True, help="An API token of the workspace.")
    def stdio(token: str):
        """Serve the agent tools over stdin/stdout to a local MCP client that spawns this command."""
        from app.mcp.stdio import InvalidToken, serve_stdio

        try:
            serve_stdio(app, token)
        except InvalidToken as exc:
            raise click.ClickException(str(exc)) from exc

    @mcp_cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=8001, show_default=True, type=int)
    def serve(host: str, port: int):
        """Serve the agent tools over Streamable HTTP at http://HOST:PORT/mcp (uvicorn, one process)."""
        import uvicorn

        from app.mcp.http import asgi_app

        uvicorn.run(asgi_app(app), host=host, port=port, log_level="info")


def start_mcp_thread(flask_app: Flask, host: str, port: int, sock=None):
    """Serve MCP from a thread of this process (the demo): uvicorn on HOST:PORT (or on the listening `sock`
    given); returns the server."""
    import threading

    import uvicorn

    from app.mcp.http import asgi_app

    server = uvicorn.Server(uvicorn.Config(asgi_app(flask_app), host=host, port=port, log_level="warning"))
    sockets = [sock] if sock is not None else None
    threading.Thread(target=server.run, kwargs={"sockets": sockets}, name="mcp-server", daemon=True).start()
    return server


def register_demo(app: Flask) -> None:
    @app.cli.command("demo")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option(
        "--port",
        default=5000,
        show_default=True,
        type=int,
        help="Where the dashboard listens (0: any free port).",
    )
    @click.option("--products", default=1000, show_default=True, help="Size of the demo store's catalog.")
    @click.option(
        "--mcp-port",
        default=5001,
        show_default=True,
        type=int,
        help="Where the MCP server listens (0: any free port).",
    )
    def demo(host: str, port: int, products: int, mcp_port: int):
        """Build the schema, create the demo login and store, and serve everything in this one process."""
        import threading

        from flask_migrate import upgrade

        from app import create_app
        from app.config import BASE_DIR
        from app.demo_serve import bind_socket, bind_web, children_die_with_parent
        from app.services.demo import connect_demo, prepare_demo
        from app.worker import start_embedded_once

        # Both ports first: a taken one is named before any work, and a free-port choice (0) is known
        # before the app, which needs its own address, is built.
        children_die_with_parent()
        server = bind_web(host, port, "--port")
        mcp_sock = bind_socket(host, mcp_port, "--mcp-port")
        port, mcp_port = server.port, mcp_sock.getsockname()[1]
        # A second app, built in demo mode: it mounts the stand-in Shopify store and points the client at it.
        base_url = f"http://{host}:{port}"
        mcp_url = f"http://{host}:{mcp_port}/mcp"
        demo_app = create_app({"DEMO_MODE": True, "APP_URL": base_url, "MCP_URL": mcp_url})
        with demo_app.app_context():
            upgrade(directory=str(BASE_DIR / "migrations"))
            click.echo(prepare_demo(demo_app, host=host, port=port, products=products))
        if not demo_app.config.get("REDIS_URL"):
            start_embedded_once(demo_app)
        server.app = demo_app
        start_mcp_thread(demo_app, host, mcp_port, sock=mcp_sock)  # agents connect here: Settings → Agents
        click.echo(f"MCP server for agents: {mcp_url} (Settings → Agents has a client configuration)")
        # The app connects to the demo store over HTTP, as to a real shop: that needs the server listening.
        threading.Thread(target=connect_demo, args=(demo_app, base_url), daemon=True).start()
        server.serve_forever()
