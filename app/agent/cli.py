"""`flask agent chat`: talk to the sales agent in the terminal, against the local database.

Uses the same prompt, tools and loop as the WhatsApp job, with a tool context in dry-run mode: product cards
are printed instead of sent, and there is no conversation row. Orders created here are real draft orders
holding real local stock (they expire like any reservation).
"""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import select

from agent_tools import ToolContext
from app.agent import runner
from app.extensions import db
from app.models import Workspace
from app.platforms.llm import LLMError

agent_cli = AppGroup("agent", help="The WhatsApp sales agent.")


def _lines(messages: tuple[str, ...]):
    if messages:
        yield from messages
        return
    click.echo("Type a message as the customer would (Ctrl-D or 'exit' to stop).")
    while True:
        try:
            line = click.prompt("you", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            return
        if line.strip().lower() in ("exit", "quit"):
            return
        if line.strip():
            yield line


@agent_cli.command("chat")
@click.option("--workspace", "workspace_id", type=int, help="Workspace id (default: the first one).")
@click.option("--model", default=None, help="Model name (default: the workspace's, then OPENAI_MODEL).")
@click.option("-m", "--message", "messages", multiple=True, help="Send these messages and exit.")
@click.option("--show-tools/--hide-tools", default=True, show_default=True)
def chat(workspace_id: int | None, model: str | None, messages: tuple[str, ...], show_tools: bool):
    """Chat with the agent as a customer would; replies are printed, nothing goes to WhatsApp."""
    llm = runner.chat_model()
    if llm is None:
        raise click.ClickException("OPENAI_API_KEY is not set (and OPENAI_BASE_URL for a local server).")
    if workspace_id is not None:
        workspace = db.session.get(Workspace, workspace_id)
    else:
        workspace = db.session.scalars(select(Workspace).order_by(Workspace.id)).first()
    if workspace is None:
        raise click.ClickException("No such workspace; create one with `flask create-user` or `flask demo`.")
    click.echo(
        f"Agent of {workspace.name!r} (workspace {workspace.id}), model {model or runner.model_for(workspace)}"
    )
    ctx = ToolContext(workspace.id, None, dry_run=True)
    history: list[dict] = []
    for line in _lines(messages):
        history.append({"role": "user", "content": line})
        try:
            result = runner.run(workspace, history, ctx, llm=llm, model=model)
        except LLMError as exc:
            raise click.ClickException(f"The model failed: {exc}") from exc
        if show_tools:
            for call in result.tool_calls:
                answer = json.dumps(call["result"], ensure_ascii=False, default=str)
                click.echo(f"  [tool] {call['name']}({json.dumps(call['arguments'])}) -> {answer[:300]}")
        for sent in ctx.sent:
            click.echo(f"  [would send {sent['type']}] {json.dumps(sent['payload'], ensure_ascii=False)}")
        ctx.sent.clear()
        click.echo(f"agent> {result.text}")
        history.append({"role": "assistant", "content": result.text or ""})
