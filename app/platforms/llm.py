"""OpenAI-compatible chat completions: the one door to the language model (any OpenAI-compatible server).

Takes and returns plain data: `complete(model, messages, tools)` returns a `ChatTurn` with the assistant text
and its tool calls. Errors come back as `LLMUnavailable` (timeouts, connection, 5xx, rate limits after the
SDK's retries) or `LLMError` (the request itself was refused). Imports no models and knows no tools.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import openai

from app.platforms.errors import PlatformError

DEFAULT_TIMEOUT = 30.0


class LLMError(PlatformError):
    platform = "openai"
    default_merchant_message = "The AI model refused the request. Check the model name and API key."


class LLMUnavailable(LLMError):
    default_merchant_message = "The AI model is not answering right now."
    retryable = True


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, exactly as the model produced it


@dataclass
class ChatTurn:
    content: str | None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None

    def as_message(self) -> dict:
        """The assistant message to append to the history before the tool results."""
        message: dict = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in self.tool_calls
            ]
        return message


class ChatModel:
    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        client: openai.OpenAI | None = None,
    ):
        self.client = client or openai.OpenAI(
            api_key=api_key, base_url=base_url or None, timeout=timeout, max_retries=max_retries
        )

    def complete(
        self,
        model: str,
        messages: list[dict],
        tools: list[dict] | None = None,
        *,
        tool_choice: str | None = None,
    ) -> ChatTurn:
        kwargs: dict = {"model": model, "messages": messages}
        if tools:
            kwargs["tools"] = tools
            kwargs["tool_choice"] = tool_choice or "auto"
        try:
            answer = self.client.chat.completions.create(**kwargs)
        except (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError) as exc:
            raise LLMUnavailable(f"model unavailable: {exc}") from exc
        except openai.APIStatusError as exc:
            if exc.status_code >= 500:
                raise LLMUnavailable(f"model server error {exc.status_code}", status=exc.status_code) from exc
            raise LLMError(f"model refused the request: {exc.status_code}", status=exc.status_code) from exc
        if not answer.choices:
            raise LLMError("the model answered without choices")
        choice = answer.choices[0]
        calls = [
            ToolCall(c.id, c.function.name, c.function.arguments or "{}")
            for c in choice.message.tool_calls or []
            if getattr(c, "function", None) is not None
        ]
        return ChatTurn(choice.message.content, calls, choice.finish_reason)
