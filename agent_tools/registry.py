"""The tool registry: one list of tools, their strict OpenAI schemas, and the one safe way to run them.

A tool is a plain function `fn(args: InputModel, ctx: ToolContext) -> dict | list` registered with `@tool`.
Its JSON schema comes from the pydantic input model through the openai SDK (`pydantic_function_tool`, strict
mode: `additionalProperties: false`, every property required, optional ones nullable).
`call()` parses and validates the model's JSON arguments and runs the tool inside a guard: whatever goes wrong
(bad JSON, wrong types, unknown tool, a platform error, a bug) comes back as `{"error": {"type", "message"}}`
for the model to read, and the database session is rolled back so the agent loop can continue.
This module must not know any particular tool; the tool modules register themselves on import.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import openai
from pydantic import BaseModel, ValidationError

from app.extensions import db
from app.inventory.errors import InventoryError
from app.models import Conversation
from app.models.scoping import WorkspaceScope
from app.platforms.errors import PlatformError
from app.problems import AppError

log = logging.getLogger(__name__)


class ToolError(AppError):
    """Raised by a tool for a problem the model should read and act on (not found, out of stock...)."""

    def __init__(self, type_: str, message: str, **details):
        super().__init__(message)
        self.type = type_
        self.message = message
        self.details = details


@dataclass
class ToolContext:
    """Who the tools act for: always a workspace, usually a conversation (None in `flask agent chat`).

    `dry_run` (the CLI) makes message-sending tools describe what they would send instead of sending.
    `sent` collects what tools sent during one agent turn, for the runner to report.
    """

    workspace_id: int
    conversation_id: int | None = None
    dry_run: bool = False
    sent: list[dict] = field(default_factory=list)

    def __post_init__(self):
        if not self.workspace_id:
            raise ValueError("a tool context needs a workspace id")

    @cached_property
    def scope(self) -> WorkspaceScope:
        return WorkspaceScope(self.workspace_id)

    def conversation(self):
        if self.conversation_id is None:
            return None
        return self.scope.get(Conversation, self.conversation_id)


@dataclass(frozen=True)
class Tool:
    """One tool. `scope` is what an API token needs to call it from outside (MCP); the hints say what it
    does to the shop: `read_only` (changes nothing), `destructive` (may undo or lose something, such as
    cancelling an order), `idempotent` (calling twice with the same arguments does no more than once),
    `open_world` (reaches a platform outside this database). The defaults assume the worst."""

    name: str
    description: str
    input_model: type[BaseModel]
    fn: Callable[[Any, ToolContext], Any]
    scope: str = "shop:admin"
    read_only: bool = False
    destructive: bool = True
    idempotent: bool = False
    open_world: bool = False

    def input_schema(self) -> dict:
        """The JSON schema of the arguments (the same one the OpenAI schemas carry)."""
        return self.chat_schema()["function"]["parameters"]

    def chat_schema(self) -> dict:
        return openai.pydantic_function_tool(self.input_model, name=self.name, description=self.description)

    def responses_schema(self) -> dict:
        function = self.chat_schema()["function"]
        return {
            "type": "function",
            "name": function["name"],
            "description": function.get("description", ""),
            "parameters": function["parameters"],
            "strict": True,
        }


TOOLS: dict[str, Tool] = {}


def tool(
    name: str,
    input_model: type[BaseModel],
    description: str,
    *,
    scope: str,
    read_only: bool,
    destructive: bool = False,
    idempotent: bool | None = None,
    open_world: bool = False,
):
    """Register `fn` as the tool `name` taking `input_model`, callable from outside with `scope`.
    A read-only tool is idempotent unless said otherwise."""

    def register(fn):
        if name in TOOLS:
            raise ValueError(f"tool {name!r} registered twice")
        TOOLS[name] = Tool(
            name, " ".join(description.split()), input_model, fn, scope=scope, read_only=read_only,
            destructive=destructive and not read_only,
            idempotent=read_only if idempotent is None else idempotent, open_world=open_world,
        )  # fmt: skip
        return fn

    return register


def schemas(api: Literal["chat", "responses"] = "chat") -> list[dict]:
    """The `tools=[...]` list for Chat Completions (default) or the Responses API."""
    if api == "chat":
        return [t.chat_schema() for t in TOOLS.values()]
    if api == "responses":
        return [t.responses_schema() for t in TOOLS.values()]
    raise ValueError(f"unknown api {api!r}: use 'chat' or 'responses'")


def error(type_: str, message: str, **details) -> dict:
    body: dict[str, Any] = {"type": type_, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for problem in exc.errors()[:5]:
        where = ".".join(str(p) for p in problem["loc"]) or "arguments"
        parts.append(f"{where}: {problem['msg']}")
    return "Invalid arguments - " + "; ".join(parts)


def call(
    name: str,
    arguments_json: str | bytes | dict | None,
    context: ToolContext,
    tools: dict[str, Tool] | None = None,
) -> dict | list:
    """Run tool `name` (of `TOOLS`, or of another list of `Tool`s such as UCP's) with the model's JSON
    arguments. Never raises: errors come back as `{"error": ...}`."""
    tools = TOOLS if tools is None else tools
    selected = tools.get(name)
    if selected is None:
        return error("unknown_tool", f"There is no tool named {name!r}. Available: {', '.join(tools)}.")
    return run(selected, arguments_json, context)


def run(selected: Tool, arguments_json: str | bytes | dict | None, context: ToolContext) -> dict | list:
    """Run one tool (of the registry or another family served alongside it); never raises, like `call()`."""
    name = selected.name
    try:
        raw = arguments_json if isinstance(arguments_json, dict) else json.loads(arguments_json or "{}")
    except (TypeError, ValueError) as exc:
        return error("invalid_json", f"Arguments are not valid JSON ({exc}). Send one JSON object.")
    if not isinstance(raw, dict):
        return error("invalid_arguments", "Arguments must be a JSON object.")
    try:
        args = selected.input_model.model_validate(raw)
    except ValidationError as exc:
        return error("invalid_arguments", _validation_message(exc))
    try:
        result = selected.fn(args, context)
        # Round-trip so a non-serialisable value is caught here, not in the agent loop.
        return json.loads(json.dumps(result, default=_json_default))
    except ToolError as exc:
        db.session.rollback()
        return error(exc.type, exc.message, **exc.details)
    except Exception as exc:
        db.session.rollback()
        return _map_exception(name, exc)


def _json_default(value):
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _map_exception(name: str, exc: Exception) -> dict:
    if isinstance(exc, InventoryError):
        details = {k: v for k, v in exc.details.items() if isinstance(v, str | int | float | bool | None)}
        return error(_snake(type(exc).__name__), exc.message, **details)
    if isinstance(exc, PlatformError):
        log.warning("tool %s: platform error %s", name, exc)
        return error("platform_error", exc.merchant_message)
    log.exception("tool %s failed", name)
    return error(
        "internal_error", f"The tool {name} failed unexpectedly; try another way or hand off to a human."
    )


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))
