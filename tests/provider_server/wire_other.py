"""Anthropic Messages, Google Gemini and ollama: handlers mixed into ProviderServer."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .echo import answer_tokens
from .faults import count_words, thought_tokens
from .model import Fault


def _camel(data: Any) -> Any:
    """Keys as lowerCamelCase, at every depth."""
    if isinstance(data, dict):
        return {
            "".join(w.capitalize() if i else w for i, w in enumerate(k.split("_"))): _camel(v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_camel(v) for v in data]
    return data


class OtherWires:
    # -- Anthropic --
    async def anthropic(
        self, flavour: str, request: web.Request, body: dict[str, Any], fault: str | None
    ) -> web.StreamResponse:
        if not isinstance(body.get("max_tokens"), int):
            raise Fault(400, "max_tokens: Field required", "invalid_request_error")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise Fault(400, "messages: at least one message is required")
        for m in messages:
            if m.get("role") not in ("user", "assistant"):
                raise Fault(
                    400,
                    f'messages: Unexpected role "{m.get("role")}". Allowed roles '
                    'are "user" or "assistant". Use the top-level system parameter.',
                )
        # The Messages API's own rules, as of version 2026-10-21 (the official SDK 2.16 sends
        # no sampling settings and declares none).
        for name in ("temperature", "top_p", "top_k"):
            if name in body:
                raise Fault(400, f"{name}: Extra inputs are not permitted", "invalid_request_error")
        thinking = body.get("thinking") or {}
        kind = thinking.get("type")
        if kind not in (None, "enabled", "adaptive", "disabled"):
            raise Fault(400, f"thinking.type: unknown type {kind!r}", "invalid_request_error")
        effort = (body.get("output_config") or {}).get("effort")
        if effort not in (None, "low", "medium", "high", "xhigh", "max"):
            raise Fault(
                400, f"output_config.effort: {effort!r} is not valid", "invalid_request_error"
            )
        if kind == "enabled":
            budget = thinking.get("budget_tokens")
            if not isinstance(budget, int) or budget < 1024:
                raise Fault(
                    400, "thinking.enabled.budget_tokens: Input should be greater than or equal "
                    "to 1024", "invalid_request_error",
                )  # fmt: skip
            if body["max_tokens"] <= budget:
                raise Fault(
                    400, "`max_tokens` must be greater than `thinking.budget_tokens`.",
                    "invalid_request_error",
                )  # fmt: skip
        thinks = kind in ("enabled", "adaptive")
        shows = thinking.get("display", "omitted") == "summarized"  # the fake's default: omitted
        last_user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        if isinstance(last_user, list):
            last_user = "".join(b.get("text", "") for b in last_user)
        answer_budget = body["max_tokens"] - thinking.get("budget_tokens", 0)
        tokens, cut = answer_tokens(str(last_user), answer_budget)
        thoughts = thought_tokens(str(last_user)) if thinks else []
        reason = "max_tokens" if cut else "end_turn"
        texts = [m["content"] if isinstance(m["content"], str) else "" for m in messages]
        prompt_tokens = count_words([*texts, str(body.get("system") or "")])
        model = body.get("model")
        output_tokens = len(tokens) + len(thoughts)
        signature = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"
        if not body.get("stream"):
            if fault == "malformed":
                return web.Response(
                    text='{"type": "message", "content": [', content_type="application/json"
                )
            content: list[dict[str, Any]] = []
            if thinks:
                content.append(
                    {
                        "type": "thinking",
                        "thinking": "".join(thoughts) if shows else "",
                        "signature": signature,
                    }
                )
                content.append({"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"})
            content.append({"type": "text", "text": "".join(tokens)})
            return web.json_response(
                {
                    "id": "msg_test",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": content,
                    "stop_reason": reason,
                    "stop_sequence": None,
                    "usage": {"input_tokens": prompt_tokens, "output_tokens": output_tokens},
                }
            )

        def event(name: str, obj: Any) -> bytes:
            return f"event: {name}\ndata: {json.dumps(obj)}\n\n".encode()

        events = [
            event(
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": "msg_test",
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": {"input_tokens": prompt_tokens, "output_tokens": 1},
                    },
                },
            ),
            event("ping", {"type": "ping"}),
        ]
        index = 0
        if thinks:
            events.append(
                event(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "thinking", "thinking": "", "signature": ""},
                    },
                )
            )
            for t in thoughts if shows else []:
                delta = {"type": "thinking_delta", "thinking": t}
                events.append(
                    event(
                        "content_block_delta",
                        {"type": "content_block_delta", "index": 0, "delta": delta},
                    )
                )
            delta = {"type": "signature_delta", "signature": signature}
            events.append(
                event(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": 0, "delta": delta},
                )
            )
            events.append(event("content_block_stop", {"type": "content_block_stop", "index": 0}))
            index = 1
        events.append(
            event(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                },
            )
        )
        for t in tokens:
            events.append(
                event(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "text_delta", "text": t},
                    },
                )
            )
        events += [
            event("content_block_stop", {"type": "content_block_stop", "index": index}),
            event(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": reason, "stop_sequence": None},
                    "usage": {"output_tokens": output_tokens},
                },
            ),
            event("message_stop", {"type": "message_stop"}),
        ]
        err = event(
            "error",
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        )
        return await self._sse(
            request,
            events,
            fault,
            err,
            b"event: content_block_delta\ndata: {not json\n\n",
            5,
            tail=3,
        )

    # -- Google Gemini --
    async def google(
        self, flavour: str, request: web.Request, body: dict[str, Any], fault: str | None
    ) -> web.StreamResponse:
        target = request.match_info["target"]
        _, _, action = target.rpartition(":")
        if action not in ("generateContent", "streamGenerateContent"):
            raise Fault(404, f"Method {action} not found", "NOT_FOUND")
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents:
            raise Fault(400, "* GenerateContentRequest.contents: contents is not specified")
        for c in contents:
            if c.get("role") not in ("user", "model"):
                raise Fault(400, f"Please use a valid role: user, model. Got {c.get('role')}")
        last_user = next(
            (
                "".join(p.get("text", "") for p in c.get("parts", []))
                for c in reversed(contents)
                if c.get("role") == "user"
            ),
            "",
        )
        # The API reads protobuf JSON: lowerCamelCase or the fields' own snake_case names (the
        # google-genai SDK sends thinkingConfig's fields as include_thoughts, thinking_budget).
        config = _camel(body.get("generationConfig") or {})
        model_id = target.rpartition(":")[0].removeprefix("models/")
        thinking = config.get("thinkingConfig") or {}
        if thinking.get("thinkingBudget") == 0 and model_id.startswith("gemini-2.5-pro"):
            raise Fault(
                400,
                "Budget 0 is invalid. This model only works in thinking mode.",
                "INVALID_ARGUMENT",
            )
        if "thinkingLevel" in thinking and not model_id.startswith("gemini-3"):
            raise Fault(400, "Thinking level is not supported for this model.", "INVALID_ARGUMENT")
        thinks = (
            model_id.startswith(("gemini-2.5", "gemini-3")) and thinking.get("thinkingBudget") != 0
        )
        tokens, cut = answer_tokens(last_user, config.get("maxOutputTokens"))
        thoughts = thought_tokens(last_user) if thinks else []
        shown = thoughts if thinking.get("includeThoughts") else []
        reason = "MAX_TOKENS" if cut else "STOP"
        texts = ["".join(p.get("text", "") for p in c.get("parts", [])) for c in contents]
        system = body.get("systemInstruction") or {}
        texts += [p.get("text", "") for p in system.get("parts", [])]
        usage = {
            "promptTokenCount": count_words(texts),
            "candidatesTokenCount": len(tokens),
            "totalTokenCount": count_words(texts) + len(tokens) + len(thoughts),
        }
        if thoughts:
            usage["thoughtsTokenCount"] = len(thoughts)

        def response(
            parts: list[str], finish: str | None, with_usage: bool, thought: bool = False
        ) -> dict[str, Any]:
            made = [{"text": p, "thought": True} if thought else {"text": p} for p in parts]
            candidate: dict[str, Any] = {
                "content": {"parts": made, "role": "model"},
                "index": 0,
            }
            if finish:
                candidate["finishReason"] = finish
            out: dict[str, Any] = {
                "candidates": [candidate],
                "modelVersion": target.rpartition(":")[0],
            }
            if with_usage:
                out["usageMetadata"] = usage
            return out

        if action == "generateContent":
            if fault == "malformed":
                return web.Response(text='{"candidates": [', content_type="application/json")
            whole = response(["".join(tokens)], reason, True)
            if shown:
                whole["candidates"][0]["content"]["parts"].insert(
                    0, {"text": "".join(shown), "thought": True}
                )
            return web.json_response(whole)
        if request.query.get("alt") != "sse":
            raise Fault(400, "this test server streams only with ?alt=sse")
        events = [
            b"data: " + json.dumps(response([t], None, False)).encode() + b"\r\n\r\n"
            for t in tokens[:-1]
        ]
        events.append(
            b"data: " + json.dumps(response([tokens[-1]], reason, True)).encode() + b"\r\n\r\n"
        )
        events[0:0] = [
            b"data: " + json.dumps(response([t], None, False, thought=True)).encode() + b"\r\n\r\n"
            for t in shown
        ]
        err = (
            b"data: "
            + json.dumps(
                {
                    "error": {
                        "code": 500,
                        "message": "An internal error has occurred.",
                        "status": "INTERNAL",
                    }
                }
            ).encode()
            + b"\r\n\r\n"
        )
        return await self._sse(request, events, fault, err, b'data: {"candidates": [\r\n\r\n')

    # -- ollama --
    async def ollama(
        self, flavour: str, request: web.Request, body: dict[str, Any], fault: str | None
    ) -> web.StreamResponse:
        model = str(body.get("model", ""))
        if model.startswith("missing"):
            raise Fault(404, f"model '{model}' not found, try pulling it first")
        messages = body.get("messages") or []
        last_user = next(
            (m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), ""
        )
        options = body.get("options") or {}
        tokens, cut = answer_tokens(str(last_user), options.get("num_predict"))
        reason = "length" if cut else "stop"
        prompt_count = count_words([str(m.get("content", "")) for m in messages])

        thinks = body.get("think") not in (None, False)
        thoughts = thought_tokens(str(last_user)) if thinks else []

        def line(content: str, done: bool, thinking: str = "") -> dict[str, Any]:
            message = {"role": "assistant", "content": content}
            if thinking:
                message["thinking"] = thinking
            out: dict[str, Any] = {
                "model": model,
                "created_at": "2026-11-26T00:00:00Z",
                "message": message,
                "done": done,
            }
            if done:
                out.update(
                    {
                        "done_reason": reason,
                        "total_duration": 1000,
                        "prompt_eval_count": prompt_count,
                        "eval_count": len(tokens) + len(thoughts),
                    }
                )
            return out

        if body.get("stream") is False:
            if fault == "malformed":
                return web.Response(text='{"model": ', content_type="application/json")
            return web.json_response(line("".join(tokens), True, "".join(thoughts)))
        events = [json.dumps(line("", False, t)).encode() + b"\n" for t in thoughts]
        events += [json.dumps(line(t, False)).encode() + b"\n" for t in tokens]
        events.append(json.dumps(line("", True)).encode() + b"\n")
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        await self._write_stream(
            request,
            response,
            events,
            fault,
            b'{"error": "an error was encountered while running the model"}\n',
            b'{"model": "x", "message": \n',
        )
        return response
