"""A local OpenAI-compatible server for tests: `/v1/chat/completions` answers from a script.

Each script step is a reply dict (`say(...)`, `calls(...)`) or a function of the request body returning one,
so a step can use ids that earlier tool results carried. Every request body is kept in `requests`.
"""

from __future__ import annotations

import itertools
import json
import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

_ids = itertools.count(1)


def say(text: str) -> dict:
    return {"content": text, "tool_calls": []}


def calls(*pairs: tuple[str, dict | str]) -> dict:
    """Tool calls: `(name, arguments)`; a str argument is sent as-is (to test bad JSON)."""
    return {"content": None, "tool_calls": list(pairs)}


def tool_results(body: dict) -> list[dict]:
    """The JSON results of the tool messages since the last assistant message of a request."""
    out = []
    for message in reversed(body["messages"]):
        if message["role"] != "tool":
            break
        out.insert(0, json.loads(message["content"]))
    return out


def completion(model: str, reply: dict) -> dict:
    tool_calls = [
        {"id": f"call_{next(_ids)}", "type": "function",
         "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)}}
        for name, args in reply["tool_calls"]
    ]  # fmt: skip
    message = {"role": "assistant", "content": reply["content"]}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": f"chatcmpl-{next(_ids)}", "object": "chat.completion", "created": 1767225600, "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None,
                     "finish_reason": "tool_calls" if tool_calls else "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }  # fmt: skip


class FakeOpenAI:
    def __init__(self):
        self.script: list = []
        self.requests: list[dict] = []
        self.status = 200
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        if request.path != "/v1/chat/completions" or request.method != "POST":
            return Response("not found", status=404)(environ, start_response)
        body = request.get_json()
        self.requests.append(body)
        if self.status != 200:
            error = {"error": {"message": "scripted failure", "type": "server_error"}}
            return Response(json.dumps(error), status=self.status, mimetype="application/json")(
                environ, start_response
            )
        if not self.script:
            reply = say("(script exhausted)")
        else:
            step = self.script.pop(0)
            reply = step(body) if callable(step) else step
        answer = completion(body.get("model", "fake"), reply)
        return Response(json.dumps(answer), mimetype="application/json")(environ, start_response)
