"""The tool-call loop: system prompt + history + tools -> model -> tools -> ... -> the final answer.

Bounded: at most `max_steps` model calls that may use tools and a wall-clock deadline; when either runs out the
model is asked once more, without tools, for its answer. Every tool call is recorded (name, arguments,
result, duration) for the outbound message's `tool_calls`. Tools run through `agent_tools.call`, which never
raises. Must not send WhatsApp text (the job does) nor decide conversation status (the job and tools do).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from flask import current_app

import agent_tools
from agent_tools import ToolContext
from app.agent.prompt import build_system_prompt
from app.models import Conversation, Message, Workspace
from app.platforms.llm import ChatModel

MAX_STEPS = 6
DEADLINE_SECONDS = 120.0
MAX_TOOL_RESULT_CHARS = 12_000
HISTORY_MESSAGES = 30
FALLBACK_ANSWER = "Sorry, I could not finish that. A team member will get back to you."


@dataclass
class AgentResult:
    text: str | None
    tool_calls: list[dict] = field(default_factory=list)
    steps: int = 0
    stopped: str = "answer"  # answer, max_steps, deadline


def chat_model() -> ChatModel | None:
    """The configured model client, or None when no OPENAI_API_KEY is set (the agent is off)."""
    cfg = current_app.config
    if not cfg.get("OPENAI_API_KEY"):
        return None
    return ChatModel(
        cfg["OPENAI_API_KEY"],
        base_url=cfg.get("OPENAI_BASE_URL"),
        timeout=float(cfg.get("AGENT_LLM_TIMEOUT", 30)),
        max_retries=int(cfg.get("AGENT_LLM_RETRIES", 2)),
    )


def model_for(workspace: Workspace) -> str:
    return (workspace.agent_model or "").strip() or current_app.config["OPENAI_MODEL"]


def _describe(message: Message) -> str:
    if message.body:
        return message.body
    return f"[{message.type} message]"


def history_for(conversation: Conversation, limit: int = HISTORY_MESSAGES) -> list[dict]:
    """The last messages as chat turns; tool results of earlier turns come back as short notes."""
    recent = sorted(conversation.messages, key=lambda m: m.id)[-limit:]
    turns: list[dict] = []
    for message in recent:
        if message.direction == "in":
            turns.append({"role": "user", "content": _describe(message)})
            continue
        if message.status == "failed":
            continue  # never reached the customer
        if message.tool_calls:
            notes = "; ".join(
                f"{c.get('name')} -> {json.dumps(c.get('result'), default=str)[:300]}"
                for c in message.tool_calls
            )
            turns.append({"role": "system", "content": f"Tool results from your earlier turn: {notes}"})
        prefix = "[sent a product card] " if message.type == "interactive" else ""
        turns.append({"role": "assistant", "content": prefix + _describe(message)})
    return turns


def _parsed(arguments: str):
    try:
        return json.loads(arguments)
    except (TypeError, ValueError):
        return arguments


def run(
    workspace: Workspace,
    history: list[dict],
    ctx: ToolContext,
    *,
    llm: ChatModel,
    model: str | None = None,
    max_steps: int | None = None,
    deadline_seconds: float | None = None,
) -> AgentResult:
    cfg = current_app.config
    model = model or model_for(workspace)
    max_steps = max_steps or int(cfg.get("AGENT_MAX_STEPS", MAX_STEPS))
    deadline = time.monotonic() + (
        deadline_seconds or float(cfg.get("AGENT_DEADLINE_SECONDS", DEADLINE_SECONDS))
    )
    messages = [{"role": "system", "content": build_system_prompt(workspace)}, *history]
    tools = agent_tools.schemas()
    records: list[dict] = []
    stopped, step = "max_steps", 0
    for step in range(1, max_steps + 1):
        turn = llm.complete(model, messages, tools)
        if not turn.tool_calls:
            return AgentResult(turn.content, records, step, "answer")
        messages.append(turn.as_message())
        for call in turn.tool_calls:
            started = time.monotonic()
            result = agent_tools.call(call.name, call.arguments, ctx)
            records.append({
                "id": call.id, "name": call.name, "arguments": _parsed(call.arguments), "result": result,
                "ms": round((time.monotonic() - started) * 1000, 1),
            })  # fmt: skip
            content = json.dumps(result, ensure_ascii=False)[:MAX_TOOL_RESULT_CHARS]
            messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
        if time.monotonic() > deadline:
            stopped = "deadline"
            break
    # Out of steps or time: one last call that may not use tools, so the customer still gets an answer.
    turn = llm.complete(model, messages, tools, tool_choice="none")
    return AgentResult(turn.content or FALLBACK_ANSWER, records, step + 1, stopped)
