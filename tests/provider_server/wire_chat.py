"""OpenAI-style chat completions (OpenAI, Together, Mistral, NIM, HF router, vLLM, TGI's
/v1) and TGI's native /generate and /generate_stream: handlers mixed into ProviderServer."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .echo import answer_tokens
from .faults import (
    count_words,
    reasoning_style,
    tgi_validate,
    thought_tokens,
)
from .model import MISTRAL_FIELDS, OPENAI_ROLES, Fault


class ChatWire:
    # -- OpenAI-style chat --
    async def chat(
        self, flavour: str, request: web.Request, body: dict[str, Any], fault: str | None
    ) -> web.StreamResponse:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise Fault(400, "'messages' must be a non-empty array")
        for m in messages:
            if not isinstance(m, dict) or m.get("role") not in OPENAI_ROLES:
                raise Fault(
                    400 if flavour != "tgi" else 422,
                    f"Invalid value for 'role': {m.get('role') if isinstance(m, dict) else m!r}",
                )
        if flavour == "mistral":
            extra = sorted(set(body) - MISTRAL_FIELDS)
            if extra:
                raise Fault(422, f"Extra inputs are not permitted: {', '.join(extra)}")
        if flavour == "tgi":
            top_p = body.get("top_p")
            if top_p is not None and not 0.0 < float(top_p) < 1.0:
                raise Fault(
                    422, "Input validation error: `top_p` must be > 0.0 and < 1.0", "validation"
                )
        if flavour == "openai" and "max_tokens" in body and "max_completion_tokens" in body:
            raise Fault(400, "max_tokens and max_completion_tokens cannot both be set")
        style = reasoning_style(flavour, str(body.get("model", "")))
        if style == "hidden":  # OpenAI's reasoning models: what they refuse, in their words
            for name in ("temperature", "top_p", "presence_penalty", "frequency_penalty"):
                if name in body and body[name] != 1:
                    raise Fault(
                        400,
                        f"Unsupported parameter: '{name}' is not supported with this model.",
                        "invalid_request_error",
                    )
            if "max_tokens" in body:
                raise Fault(
                    400,
                    "Unsupported parameter: 'max_tokens' is not supported with this model. "
                    "Use 'max_completion_tokens' instead.",
                    "invalid_request_error",
                )
        last_user = next(
            (m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), ""
        )
        limit = body.get("max_completion_tokens", body.get("max_tokens"))
        tokens, cut = answer_tokens(str(last_user), limit)
        stop = "eos" if flavour == "together" else "stop"
        reason = "length" if cut else stop
        thoughts = thought_tokens(str(last_user)) if style else []
        usage: dict[str, Any] = {
            "prompt_tokens": count_words([str(m.get("content", "")) for m in messages]),
            "completion_tokens": len(tokens) + len(thoughts),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if style in ("hidden", "field"):
            usage["completion_tokens_details"] = {"reasoning_tokens": len(thoughts)}
        model = body.get("model")
        cid = "" if flavour == "tgi" else "chatcmpl-test"
        logprobs = None
        if body.get("logprobs"):
            if flavour == "together":
                logprobs = {"tokens": tokens, "token_logprobs": [-0.5] * len(tokens)}
            else:
                n = int(body.get("top_logprobs") or 0)
                logprobs = {
                    "content": [
                        {
                            "token": t,
                            "logprob": -0.5,
                            "top_logprobs": [
                                {"token": t, "logprob": -0.5},
                                *[
                                    {"token": f"alt{j}", "logprob": -2.0 - j}
                                    for j in range(max(0, n - 1))
                                ],
                            ],
                        }
                        for t in tokens
                    ]
                }
        if not body.get("stream") or fault == "ignore-stream":
            if fault == "malformed":
                return web.Response(
                    text='{"id": "chatcmpl-test", "choices": [', content_type="application/json"
                )
            message: dict[str, Any] = {"role": "assistant", "content": "".join(tokens)}
            if style == "field":
                message["reasoning_content"] = "".join(thoughts)
            elif style == "inline":
                message["content"] = f"<think>\n{''.join(thoughts)}\n</think>\n\n" + "".join(tokens)
            elif style == "parts":
                message["content"] = [
                    {"type": "thinking", "thinking": [{"type": "text", "text": "".join(thoughts)}]},
                    {"type": "text", "text": "".join(tokens)},
                ]
            data: dict[str, Any] = {
                "id": cid,
                "object": "chat.completion",
                "created": 1735689600,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "logprobs": logprobs,
                        "finish_reason": reason,
                    }
                ],
                "usage": usage,
            }
            if flavour == "together":
                data["prompt"] = []
            return web.json_response(data)
        sep = b"data:" if flavour == "tgi" else b"data: "

        def event(obj: Any) -> bytes:
            return sep + json.dumps(obj).encode() + b"\n\n"

        def chunk(
            delta: dict[str, Any], finish: str | None, use: Any = None, lp: Any = None
        ) -> bytes:
            return event(
                {
                    "id": cid,
                    "object": "chat.completion.chunk",
                    "created": 1735689600,
                    "model": model,
                    "choices": [
                        {"index": 0, "delta": delta, "logprobs": lp, "finish_reason": finish}
                    ],
                    "usage": use,
                }
            )

        events = [chunk({"role": "assistant", "content": ""}, None)]
        if style == "inline":
            events.append(chunk({"content": "<th"}, None))  # a tag split across two chunks
            events.append(chunk({"content": "ink>\n"}, None))
        for t in thoughts if style != "hidden" else []:
            if style == "field":
                events.append(chunk({"reasoning_content": t, "content": None}, None))
            elif style == "inline":
                events.append(chunk({"content": t}, None))
            elif style == "parts":
                thinking = [{"type": "thinking", "thinking": [{"type": "text", "text": t}]}]
                events.append(chunk({"content": thinking}, None))
        if style == "inline":
            events.append(chunk({"content": "\n</think>\n\n"}, None))
        for i, t in enumerate(tokens):
            delta = {"role": "assistant", "content": t} if flavour == "tgi" else {"content": t}
            lp = (
                {"content": logprobs["content"][i : i + 1]}
                if logprobs and "content" in logprobs
                else None
            )
            events.append(chunk(delta, None, lp=lp))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        if "llama-server" in str(model):  # llama.cpp: no usage in a stream, its timings instead
            include_usage = False
            last = json.loads(chunk({}, reason)[len(sep) :])
            last["timings"] = {"prompt_n": usage["prompt_tokens"], "predicted_n": len(tokens)}
            events.append(event(last))
        elif flavour in ("together", "mistral"):  # usage comes with the finish reason
            events.append(chunk({}, reason, usage))
        else:
            events.append(chunk({}, reason))
            if include_usage:
                events.append(
                    event(
                        {
                            "id": cid,
                            "object": "chat.completion.chunk",
                            "model": model,
                            "choices": [],
                            "usage": usage,
                        }
                    )
                )
        events.append(sep + b"[DONE]\n\n")
        tail = 3 if include_usage and flavour not in ("together", "mistral") else 2
        if flavour == "tgi":
            err = event(
                {
                    "error": {
                        "message": "Request failed during generation: out of memory",
                        "http_status_code": 422,
                    }
                }
            )
        else:
            err = event(
                {
                    "error": {
                        "message": "The server had an error while processing your request.",
                        "type": "server_error",
                    }
                }
            )
        return await self._sse(
            request, events, fault, err, sep + b'{"choices": [{"delta": \n\n', tail=tail
        )

    # -- TGI native /generate, /generate_stream --
    async def tgi_generate(
        self, flavour: str, request: web.Request, body: dict[str, Any], fault: str | None
    ) -> web.StreamResponse:
        params = body.get("parameters") or {}
        if not isinstance(params, dict):
            raise Fault(422, "Failed to deserialize the JSON body into the target type")
        inputs = body.get("inputs")
        tgi_validate(inputs, params)
        tokens, cut = answer_tokens(str(inputs), params.get("max_new_tokens"))
        stop = [s for s in params.get("stop") or [] if s]
        reason = "length" if cut else "eos_token"
        for i, t in enumerate(tokens):
            if t.strip() in stop:
                tokens, reason = tokens[: i + 1], "stop_sequence"
                break
        input_length = count_words([str(inputs)])
        generated = len(tokens) + (1 if reason == "eos_token" else 0)
        text = "".join(tokens)
        n = int(params.get("top_n_tokens") or 0)

        def token(i: int, t: str, special: bool = False) -> dict[str, Any]:
            return {"id": 1000 + i, "text": t, "logprob": -0.5, "special": special}

        def top(i: int, t: str) -> list[dict[str, Any]]:
            alts = [token(i, t)] + [
                {"id": 2000 + j, "text": f"alt{j}", "logprob": -2.0 - j, "special": False}
                for j in range(max(0, n - 1))
            ]
            return alts[:n]

        details: dict[str, Any] = {
            "finish_reason": reason,
            "generated_tokens": generated,
            "seed": params.get("seed"),
        }
        whole = request.path.endswith("/generate") or (
            request.path.endswith("/tgi") and not body.get("stream")
        )
        if whole:
            if fault == "malformed":
                return web.Response(text='{"generated_text": ', content_type="application/json")
            if not params.get("details"):
                return web.json_response({"generated_text": text})
            details["prefill"] = []
            details["tokens"] = [token(i, t) for i, t in enumerate(tokens)]
            if n:
                details["top_tokens"] = [top(i, t) for i, t in enumerate(tokens)]
            return web.json_response({"generated_text": text, "details": details})

        def event(obj: Any) -> bytes:
            return b"data:" + json.dumps(obj).encode() + b"\n\n"

        events: list[bytes] = []
        stream_tokens = [(t, False) for t in tokens]
        if reason == "eos_token":
            stream_tokens.append(("</s>", True))
        for i, (t, special) in enumerate(stream_tokens):
            last = i == len(stream_tokens) - 1
            item: dict[str, Any] = {
                "index": i + 1,
                "token": token(i, t, special),
                "generated_text": text if last else None,
                "details": (
                    {**details, "input_length": input_length}
                    if last and params.get("details")
                    else None
                ),
            }
            if n:
                item["top_tokens"] = top(i, t)
            events.append(event(item))
        err = event(
            {
                "error": "Request failed during generation: Server error: CUDA out of memory",
                "error_type": "generation",
            }
        )
        return await self._sse(request, events, fault, err, b'data:{"token": \n\n')
