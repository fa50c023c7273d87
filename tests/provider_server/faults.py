"""Answers and faults in each provider's own error format."""

from __future__ import annotations

import re
from typing import Any

from .model import Fault

# ----- answers ------------------------------------------------------------------------------------


_CODE_POINT = re.compile(r"<U\+([0-9A-Fa-f]{4,6})>")


def answer_tokens(last_user: str, max_tokens: int | None) -> tuple[list[str], bool]:
    """The echo, one word per token. `<U+XXXX>` in the prompt is answered as that code point
    (a lone surrogate such as `<U+DC80>` too) and `|` splits a word into two tokens with no
    space between, so `<U+D83D>|<U+DE00>` streams an emoji's surrogate pair in two events."""
    words = f"Echo: {last_user}".split(" ")
    tokens: list[str] = []
    for i, word in enumerate(words):
        for j, part in enumerate(word.split("|") if "<U+" in word else [word]):
            part = _CODE_POINT.sub(lambda m: chr(int(m.group(1), 16)), part)
            tokens.append(" " + part if i and not j else part)
    if max_tokens is not None and len(tokens) > max_tokens:
        return tokens[:max_tokens], True
    return tokens, False


def thought_tokens(last_user: str) -> list[str]:
    """The fake's reasoning, streamed before the answer by a model that reasons."""
    words = f"The user said {last_user}; I echo it.".split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


def reasoning_style(flavour: str, model: str) -> str | None:
    """How a model reasons on this fake, from its name: `reasoner` (a reasoning_content field,
    DeepSeek/vLLM/llama.cpp), `r1` (inline <think>, as an R1 distill without a parser),
    `magistral` (Mistral's thinking content parts), OpenAI's o-series and gpt-5 (hidden:
    reasoning_tokens in usage only), `qwen3` on ollama (message.thinking with think: true)."""
    name = model.lower()
    if flavour == "mistral" and "magistral" in name:
        return "parts"
    if "reasoner" in name:
        return "field"
    if "-r1" in name or name.startswith("r1"):
        return "inline"
    if flavour == "openai" and (name.startswith("o3") or name.startswith("gpt-5")):
        return "hidden"
    return None


def count_words(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def error_body(flavour: str, status: int, message: str, kind: str) -> dict[str, Any]:
    if flavour == "anthropic":
        types = {
            401: "authentication_error",
            403: "permission_error",
            404: "not_found_error",
            429: "rate_limit_error",
            500: "api_error",
            529: "overloaded_error",
            503: "overloaded_error",
        }
        return {
            "type": "error",
            "error": {
                "type": kind or types.get(status, "invalid_request_error"),
                "message": message,
            },
            "request_id": "req_test",
        }
    if flavour == "google":
        statuses = {
            400: "INVALID_ARGUMENT",
            401: "UNAUTHENTICATED",
            403: "PERMISSION_DENIED",
            404: "NOT_FOUND",
            429: "RESOURCE_EXHAUSTED",
            500: "INTERNAL",
            503: "UNAVAILABLE",
        }
        return {
            "error": {
                "code": status,
                "message": message,
                "status": kind or statuses.get(status, "UNKNOWN"),
            }
        }
    if flavour in ("tgi", "hf-router"):
        error_type = kind or {
            422: "validation",
            424: "generation",
            500: "incomplete_generation",
        }.get(status)
        return {"error": message, **({"error_type": error_type} if error_type else {})}
    if flavour == "ollama":
        return {"error": message}
    if flavour == "mistral":
        return {
            "object": "error",
            "message": message,
            "type": kind or "invalid_request_error",
            "param": None,
            "code": None,
        }
    if flavour == "nim":
        return {"status": status, "title": kind or "Error", "detail": message}
    return {
        "error": {
            "message": message,
            "type": kind or "invalid_request_error",
            "param": None,
            "code": None,
        }
    }


def auth_fault(flavour: str) -> Fault:
    if flavour == "google":
        fault = Fault(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT")
        fault.extra = {
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                }
            ]
        }
        return fault
    messages = {
        "openai": (
            "Incorrect API key provided. You can find your API key at "
            "https://platform.openai.com/account/api-keys."
        ),
        "together": (
            "Invalid API key provided. You can find your API key at "
            "https://api.together.xyz/settings/api-keys."
        ),
        "anthropic": "invalid x-api-key",
        "hf-router": "Invalid credentials in Authorization header",
        "tgi": "Invalid credentials in Authorization header",
        "mistral": "Unauthorized",
        "nim": "Authentication failed",
        "vllm": "Unauthorized",
    }
    kind = {
        "openai": "invalid_request_error",
        "together": "invalid_request_error",
        "nim": "Unauthorized",
    }.get(flavour, "")
    return Fault(401, messages.get(flavour, "Unauthorized"), kind)


def model_not_found(flavour: str, model: str) -> Fault:
    """Each provider's answer to a model it does not know (or no longer serves), in its words:
    a 404 mostly, Mistral's 400 invalid_model, the HF router's 400 "not supported by any
    provider", Google's NOT_FOUND naming ListModels."""
    if flavour == "openai":
        return Fault(
            404,
            f"The model `{model}` does not exist or you do not have access to it.",
            "invalid_request_error",
            extra={"code": "model_not_found"},
        )
    if flavour == "together":
        return Fault(
            404,
            f"Unable to access model {model}. Please visit https://api.together.ai/models to "
            "view the list of supported models.",
            "invalid_request_error",
            extra={"code": "model_not_available"},
        )
    if flavour == "mistral":
        fault = Fault(400, f"Invalid model: {model}", "invalid_model")
        fault.extra = {"code": "1500"}
        return fault
    if flavour == "hf-router":
        return Fault(
            400,
            f"The requested model '{model}' is not supported by any provider you have enabled.",
        )
    if flavour == "anthropic":
        return Fault(404, f"model: {model}", "not_found_error")
    if flavour == "google":
        return Fault(
            404,
            f"models/{model} is not found for API version v1beta, or is not supported for "
            "generateContent. Call ListModels to see the list of available models and their "
            "supported methods.",
            "NOT_FOUND",
        )
    if flavour == "ollama":
        return Fault(404, f'model "{model}" not found, try pulling it first')
    if flavour == "nim":
        return Fault(404, f"Model '{model}' not found for account", "Not Found")
    return Fault(  # vLLM, llama.cpp and the like
        404, f"The model `{model}` does not exist.", "NotFoundError", extra={"code": 404}
    )


def rate_limit_message(flavour: str) -> tuple[str, str]:
    """(message, error type) of each provider's 429."""
    return {
        "together": (
            "You have reached the rate limit specific to this model. The maximum rate limit "
            "for this model is 60.0 queries per minute.",
            "dynamic_request_limited",
        ),
        "anthropic": (
            "Number of request tokens has exceeded your per-minute rate limit",
            "rate_limit_error",
        ),
        "google": (
            "Resource has been exhausted (e.g. check quota).",
            "RESOURCE_EXHAUSTED",
        ),
        "mistral": ("Requests rate limit exceeded", "rate_limited"),
        "tgi": (
            "Rate limit reached. You reached free usage limit (reset hourly). Please subscribe "
            "to a plan at https://huggingface.co/pricing to use the API at this rate",
            "",
        ),
        "hf-router": (
            "Rate limit reached. You reached free usage limit (reset hourly). Please subscribe "
            "to a plan at https://huggingface.co/pricing to use the API at this rate",
            "",
        ),
        "ollama": ("too many requests, please retry later", ""),
    }.get(
        flavour,
        (
            "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1.",
            "requests",
        ),
    )


def ratelimit_headers(flavour: str, long: bool) -> dict[str, str]:
    """A 429's rate-limit headers with no Retry-After: Together's x-ratelimit-reset (seconds),
    else OpenAI's x-ratelimit-reset-{requests,tokens} (durations; requests exhausted)."""
    if flavour == "together":
        return {
            "x-ratelimit-limit": "60",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": "60" if long else "0.01",
        }
    return {
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "6m0s" if long else "10ms",
        "x-ratelimit-limit-tokens": "30000",
        "x-ratelimit-remaining-tokens": "29000",
        "x-ratelimit-reset-tokens": "2s",
    }


def loading_fault(long: bool) -> Fault:
    """Hugging Face's 503 while a model loads (or an endpoint scales up from zero)."""
    return Fault(
        503,
        "Model test/model is currently loading",
        extra={"estimated_time": 20.0 if long else 0.01},
    )


def overloaded_fault(flavour: str, long: bool) -> Fault:
    """Each provider's own "busy" answer: HF/TGI 503 loading, Anthropic 529, others 503."""
    if flavour in ("tgi", "hf-router"):
        return loading_fault(long)
    if flavour == "anthropic":
        return Fault(529, "Overloaded", "overloaded_error")
    if flavour == "google":
        return Fault(503, "The model is overloaded. Please try again later.", "UNAVAILABLE")
    if flavour == "ollama":
        return Fault(503, "server busy, please try again.  maximum pending requests exceeded")
    return Fault(503, "The engine is currently overloaded, please try again later", "server_error")


TGI_LIMITS = {"stop": 4}


def tgi_validate(inputs: Any, params: dict[str, Any]) -> None:
    """TGI's router validation (validation/mod.rs), with its own messages."""

    def bad(message: str) -> Fault:
        return Fault(422, f"Input validation error: {message}", "validation")

    if not isinstance(inputs, str) or not inputs:
        raise bad("`inputs` cannot be empty")
    temperature = params.get("temperature")
    if temperature is not None and not float(temperature) > 0.0:
        raise bad("`temperature` must be strictly positive")
    top_p = params.get("top_p")
    if top_p is not None and not 0.0 < float(top_p) < 1.0:
        raise bad("`top_p` must be > 0.0 and < 1.0")
    top_k = params.get("top_k")
    if top_k is not None and not int(top_k) > 0:
        raise bad("`top_k` must be strictly positive")
    max_new = params.get("max_new_tokens")
    if max_new is not None and not int(max_new) > 0:
        raise bad("`max_new_tokens` must be strictly positive")
    stop = params.get("stop") or []
    if len(stop) > TGI_LIMITS["stop"]:
        raise bad(f"`stop` supports up to {TGI_LIMITS['stop']} stop sequences. Given: {len(stop)}")
    n = params.get("top_n_tokens")
    if n is not None and int(n) > 5:
        raise bad(f"`top_n_tokens` must be >= 0 and <= 5. Given: {n}")
