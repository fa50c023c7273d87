"""Anthropic Messages, Google Gemini and ollama: handlers mixed into ProviderServer."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .faults import answer_tokens, count_words
from .model import Fault


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
        last_user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        if isinstance(last_user, list):
            last_user = "".join(b.get("text", "") for b in last_user)
        tokens, cut = answer_tokens(str(last_user), body["max_tokens"])
        reason = "max_tokens" if cut else "end_turn"
        texts = [m["content"] if isinstance(m["content"], str) else "" for m in messages]
        prompt_tokens = count_words([*texts, str(body.get("system") or "")])
        model = body.get("model")
        if not body.get("stream"):
            if fault == "malformed":
                return web.Response(
                    text='{"type": "message", "content": [', content_type="application/json"
                )
            return web.json_response(
                {
                    "id": "msg_test",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [{"type": "text", "text": "".join(tokens)}],
                    "stop_reason": reason,
                    "stop_sequence": None,
                    "usage": {"input_tokens": prompt_tokens, "output_tokens": len(tokens)},
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
            event(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": ""},
                },
            ),
            event("ping", {"type": "ping"}),
        ]
        for t in tokens:
            events.append(
                event(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "text_delta", "text": t},
                    },
                )
            )
        events += [
            event("content_block_stop", {"type": "content_block_stop", "index": 0}),
            event(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": reason, "stop_sequence": None},
                    "usage": {"output_tokens": len(tokens)},
                },
            ),
            event("message_stop", {"type": "message_stop"}),
        ]
        err = event(
            "error",
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        )
        return await self._sse(
            request, events, fault, err, b"event: content_block_delta\ndata: {not json\n\n", 5
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
        config = body.get("generationConfig") or {}
        tokens, cut = answer_tokens(last_user, config.get("maxOutputTokens"))
        reason = "MAX_TOKENS" if cut else "STOP"
        texts = ["".join(p.get("text", "") for p in c.get("parts", [])) for c in contents]
        system = body.get("systemInstruction") or {}
        texts += [p.get("text", "") for p in system.get("parts", [])]
        usage = {
            "promptTokenCount": count_words(texts),
            "candidatesTokenCount": len(tokens),
            "totalTokenCount": count_words(texts) + len(tokens),
        }

        def response(parts: list[str], finish: str | None, with_usage: bool) -> dict[str, Any]:
            candidate: dict[str, Any] = {
                "content": {"parts": [{"text": p} for p in parts], "role": "model"},
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
            return web.json_response(response(["".join(tokens)], reason, True))
        if request.query.get("alt") != "sse":
            raise Fault(400, "this test server streams only with ?alt=sse")
        events = [
            b"data: " + json.dumps(response([t], None, False)).encode() + b"\r\n\r\n"
            for t in tokens[:-1]
        ]
        events.append(
            b"data: " + json.dumps(response([tokens[-1]], reason, True)).encode() + b"\r\n\r\n"
        )
        events.insert(0, b": keep-alive\r\n\r\n")
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

        def line(content: str, done: bool) -> dict[str, Any]:
            out: dict[str, Any] = {
                "model": model,
                "created_at": "2026-11-26T00:00:00Z",
                "message": {"role": "assistant", "content": content},
                "done": done,
            }
            if done:
                out.update(
                    {
                        "done_reason": reason,
                        "total_duration": 1000,
                        "prompt_eval_count": prompt_count,
                        "eval_count": len(tokens),
                    }
                )
            return out

        if body.get("stream") is False:
            if fault == "malformed":
                return web.Response(text='{"model": ', content_type="application/json")
            return web.json_response(line("".join(tokens), True))
        events = [json.dumps(line(t, False)).encode() + b"\n" for t in tokens]
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
