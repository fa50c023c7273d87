"""What each fake provider says it serves: its model list, in its own shape, with current ids.

OpenAI-style lists are `{"object": "list", "data": [...]}` (Together's is a bare array), each
dialect with its own fields; Anthropic's and Gemini's are paged (PAGE_SIZE models a page, so
any client sees several pages); ollama's is /api/tags; TGI's /info names its one model.
"""

from __future__ import annotations

import base64
from typing import Any

from .model import Fault

PAGE_SIZE = 3
"""The most models a page of Anthropic's or Gemini's list holds here, whatever was asked."""


def _openai(ids: list[tuple[str, int, str]]) -> list[dict[str, Any]]:
    return [{"id": i, "object": "model", "created": c, "owned_by": o} for i, c, o in ids]


OPENAI = _openai(
    [
        ("gpt-5.1", 1762992000, "system"),
        ("gpt-5", 1754524800, "system"),
        ("gpt-5-mini", 1754524800, "system"),
        ("gpt-5-nano", 1754524800, "system"),
        ("gpt-4.1", 1744588800, "system"),
        ("gpt-4.1-mini", 1744588800, "system"),
        ("gpt-4.1-nano", 1744588800, "system"),
        ("gpt-4o", 1715367049, "system"),
        ("gpt-4o-mini", 1721172741, "system"),
        ("o3", 1744156800, "system"),
        ("o4-mini", 1744156800, "system"),
        ("o3-mini", 1737936000, "system"),
        ("gpt-3.5-turbo", 1677610602, "openai"),
        ("text-embedding-3-small", 1705948997, "system"),
        ("whisper-1", 1677532384, "openai-internal"),
    ]
)

TOGETHER = [
    {
        "id": model,
        "object": "model",
        "created": created,
        "type": kind,
        "running": False,
        "display_name": name,
        "organization": org,
        "link": f"https://huggingface.co/{model}",
        "license": "see the model card",
        "context_length": context,
        "config": {"chat_template": None, "stop": ["<|eot_id|>"], "bos_token": None},
        "pricing": {"hourly": 0, "input": 0.18, "output": 0.18, "base": 0, "finetune": 0},
    }
    for model, created, kind, name, org, context in [
        ("meta-llama/Llama-3.3-70B-Instruct-Turbo", 1733443200, "chat",
         "Meta Llama 3.3 70B Instruct Turbo", "Meta", 131072),
        ("meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", 1721606400, "chat",
         "Meta Llama 3.1 8B Instruct Turbo", "Meta", 131072),
        ("meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo", 1721606400, "chat",
         "Meta Llama 3.1 405B Instruct Turbo", "Meta", 130815),
        ("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", 1743897600, "chat",
         "Llama 4 Maverick Instruct (17Bx128E)", "Meta", 1048576),
        ("deepseek-ai/DeepSeek-R1", 1737504000, "chat", "DeepSeek R1", "DeepSeek", 163840),
        ("deepseek-ai/DeepSeek-V3", 1735171200, "chat", "DeepSeek V3", "DeepSeek", 131072),
        ("Qwen/Qwen2.5-7B-Instruct-Turbo", 1726790400, "chat", "Qwen2.5 7B Instruct Turbo",
         "Qwen", 32768),
        ("openai/gpt-oss-120b", 1754352000, "chat", "OpenAI GPT-OSS 120B", "OpenAI", 131072),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 1702339200, "chat",
         "Mixtral-8x7B Instruct v0.1", "mistralai", 32768),
        ("meta-llama/Llama-Guard-4-12B", 1743897600, "moderation", "Llama Guard 4 12B", "Meta",
         1048576),
        ("meta-llama/Meta-Llama-3.1-8B-Reference", 1721606400, "language",
         "Meta Llama 3.1 8B Reference", "Meta", 131072),
        ("BAAI/bge-large-en-v1.5", 1700000000, "embedding", "BAAI-Bge-Large-1p5", "BAAI", 512),
        ("black-forest-labs/FLUX.1-schnell", 1722470400, "image", "FLUX.1 [schnell]",
         "Black Forest Labs", 0),
        ("Salesforce/Llama-Rank-V1", 1724112000, "rerank", "LlamaRank", "salesforce", 8192),
    ]
]  # fmt: skip
"""Together's GET /v1/models: a bare array, with display_name, type and context_length."""

TOGETHER_ENDPOINTS = {
    "object": "list",
    "data": [
        {
            "object": "endpoint",
            "id": "endpoint-5c0c20db-62fe-4f41-8ffc-d9e4ea1a264e",
            "name": "acme/Llama-3.3-70B-Instruct-Turbo-1a2b3c4d",
            "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "type": "dedicated",
            "owner": "acme",
            "state": "STARTED",
            "created_at": "2026-10-02T09:14:05.120Z",
        },
        {
            "object": "endpoint",
            "id": "endpoint-7e1f9a22-0b6c-4d0e-9c61-2f3a8e5b7d10",
            "name": "acme/Qwen2.5-72B-Instruct-9f8e7d6c",
            "model": "Qwen/Qwen2.5-72B-Instruct",
            "type": "dedicated",
            "owner": "acme",
            "state": "STOPPED",
            "created_at": "2026-08-19T15:40:00.000Z",
        },
    ],
}
"""Together's GET /v1/endpoints?type=dedicated&mine=true."""


def _mistral(
    model: str, name: str, context: int, *, chat: bool = True, reasoning: bool = False
) -> dict[str, Any]:
    return {
        "id": model,
        "object": "model",
        "created": 1764547200,
        "owned_by": "mistralai",
        "capabilities": {
            "completion_chat": chat,
            "completion_fim": model.startswith("codestral"),
            "function_calling": chat,
            "fine_tuning": False,
            "vision": False,
            "reasoning": reasoning,
            "classification": model.startswith("mistral-moderation"),
        },
        "name": name,
        "description": f"Official {name} Mistral AI model",
        "max_context_length": context,
        "aliases": [],
        "deprecation": None,
        "default_model_temperature": 0.3 if chat else None,
        "type": "base",
    }


MISTRAL = [
    _mistral("mistral-large-latest", "mistral-large-2411", 131072),
    _mistral("mistral-medium-2508", "mistral-medium-2508", 131072),
    _mistral("mistral-medium-latest", "mistral-medium-2508", 131072),
    _mistral("mistral-small-latest", "mistral-small-2506", 131072),
    _mistral("ministral-8b-latest", "ministral-8b-2410", 131072),
    _mistral("magistral-medium-latest", "magistral-medium-2509", 131072, reasoning=True),
    _mistral("magistral-small-latest", "magistral-small-2509", 131072, reasoning=True),
    _mistral("codestral-latest", "codestral-2508", 256000),
    _mistral("open-mistral-nemo", "open-mistral-nemo-2407", 131072),
    _mistral("mistral-embed", "mistral-embed", 8192, chat=False),
    _mistral("mistral-moderation-latest", "mistral-moderation-2411", 8192, chat=False),
]

NIM = [
    {**m, "root": m["id"], "parent": None, "permission": []}
    for m in _openai(
        [
            ("meta/llama-3.1-8b-instruct", 735790403, "meta"),
            ("meta/llama-3.3-70b-instruct", 735790403, "meta"),
            ("nvidia/llama-3.3-nemotron-super-49b-v1.5", 735790403, "nvidia"),
            ("deepseek-ai/deepseek-r1", 735790403, "deepseek-ai"),
            ("mistralai/mixtral-8x7b-instruct-v0.1", 735790403, "mistralai"),
            ("nvidia/nv-embedqa-e5-v5", 735790403, "nvidia"),
        ]
    )
]


def _served(*providers: tuple[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "provider": p,
            "status": "live",
            "context_length": context,
            "pricing": {"input": 0.1, "output": 0.3},
            "supports_tools": True,
            "supports_structured_output": True,
        }
        for p, context in providers
    ]


HF_ROUTER = [
    {
        **m,
        "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
        "providers": providers,
    }
    for m, providers in [
        (
            _openai([("meta-llama/Llama-3.1-8B-Instruct", 1721347200, "meta-llama")])[0],
            _served(("nebius", 131072), ("novita", 16384), ("sambanova", 16384)),
        ),
        (
            _openai([("meta-llama/Llama-3.3-70B-Instruct", 1733184000, "meta-llama")])[0],
            _served(("sambanova", 131072), ("nebius", 131072), ("together", 131072)),
        ),
        (
            _openai([("google/gemma-3-27b-it", 1741651200, "google")])[0],
            _served(("nebius", 110000), ("featherless-ai", 16384)),
        ),
        (
            _openai([("openai/gpt-oss-120b", 1754352000, "openai")])[0],
            _served(("novita", 131072), ("cerebras", 131072), ("groq", 131072)),
        ),
        (
            _openai([("HuggingFaceTB/SmolLM3-3B", 1751846400, "HuggingFaceTB")])[0],
            _served(("hf-inference", 65536)),
        ),
        (
            _openai([("CohereLabs/c4ai-command-a-03-2025", 1741651200, "CohereLabs")])[0],
            _served(("cohere", 256000)),
        ),
    ]
]
"""The Hugging Face router's GET /v1/models: each model with the providers serving it."""

TGI_MODEL = "meta-llama/Llama-3.1-8B-Instruct"
TGI_INFO = {
    "model_id": TGI_MODEL,
    "model_sha": "0e9e39f249a16976918f6564b8830bc894c89659",
    "model_pipeline_tag": "text-generation",
    "max_concurrent_requests": 128,
    "max_best_of": 2,
    "max_stop_sequences": 4,
    "max_input_tokens": 16383,
    "max_total_tokens": 16384,
    "validation_workers": 2,
    "max_client_batch_size": 4,
    "router": "text-generation-router",
    "version": "3.3.6",
    "sha": "db931fc2d8af7bd0e5f4e1a2b3c4d5e6f7a8b9c0",
    "docker_label": "sha-db931fc",
}
"""TGI's GET /info (router/src/lib.rs Info)."""

VLLM = [
    {
        "id": model,
        "object": "model",
        "created": 1764547200,
        "owned_by": "vllm",
        "root": root,
        "parent": parent,
        "max_model_len": 131072,
        "permission": [
            {
                "id": "modelperm-7f3c2a9b0d1e4f5a8b6c",
                "object": "model_permission",
                "created": 1764547200,
                "allow_create_engine": False,
                "allow_sampling": True,
                "allow_logprobs": True,
                "allow_search_indices": False,
                "allow_view": True,
                "allow_fine_tuning": False,
                "organization": "*",
                "group": None,
                "is_blocking": False,
            }
        ],
    }
    for model, root, parent in [
        ("meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct", None),
        ("safety-lora", "/adapters/safety-lora", "meta-llama/Llama-3.1-8B-Instruct"),
    ]
]
"""vLLM's GET /v1/models (modelship): max_model_len, and a LoRA adapter with its parent."""

LLAMA_CPP = [
    {
        "id": "qwen3-8b",
        "object": "model",
        "created": 1764547200,
        "owned_by": "llamacpp",
        "meta": {
            "vocab_type": 2,
            "n_vocab": 151936,
            "n_ctx_train": 40960,
            "n_embd": 4096,
            "n_params": 8190735360,
            "size": 5027783488,
        },
    }
]
"""llama.cpp's llama-server GET /v1/models (the `local` flavour: no key)."""

OPENAI_STYLE: dict[str, Any] = {
    "openai": {"object": "list", "data": OPENAI},
    "together": TOGETHER,
    "mistral": {"object": "list", "data": MISTRAL},
    "nim": {"object": "list", "data": NIM},
    "hf-router": {"object": "list", "data": HF_ROUTER},
    "tgi": {
        "object": "list",
        "data": _openai([(TGI_MODEL, 1764547200, "meta-llama")]),
    },
    "vllm": {"object": "list", "data": VLLM},
    "local": {"object": "list", "data": LLAMA_CPP},
}
"""GET /{flavour}/v1/models of every OpenAI-style flavour."""


def _capabilities(thinks: bool, adaptive: bool) -> dict[str, Any]:
    """An Anthropic ModelInfo's `capabilities`, every key present as the API gives them."""

    def yes(flag: bool = True) -> dict[str, bool]:
        return {"supported": flag}

    return {
        "batch": yes(),
        "citations": yes(),
        "code_execution": yes(adaptive),
        "context_management": {"supported": thinks, "clear_thinking_20251015": yes(thinks)},
        "effort": {
            "supported": adaptive,
            "low": yes(adaptive),
            "medium": yes(adaptive),
            "high": yes(adaptive),
            "max": yes(adaptive),
        },
        "image_input": yes(),
        "pdf_input": yes(),
        "server_tools": {"supported": True, "code_execution": yes(thinks), "web_search": yes()},
        "structured_outputs": yes(thinks),
        "thinking": {
            "supported": thinks,
            "types": {
                "adaptive": yes(adaptive),
                "between_tools": yes(adaptive),
                "disabled": yes(),
                "enabled": yes(thinks),
            },
        },
    }


ANTHROPIC = [
    {
        "id": model,
        "type": "model",
        "display_name": name,
        "created_at": f"{created}T00:00:00Z",
        "lifecycle": lifecycle,
        "deprecated_at": None if lifecycle == "active" else "2026-06-01T00:00:00Z",
        "retires_at": None,
        "line": line,
        "max_input_tokens": 200000,
        "max_tokens": 64000 if thinks else 8192,
        "capabilities": _capabilities(thinks, adaptive),
    }
    for model, name, created, lifecycle, line, thinks, adaptive in [
        ("claude-opus-4-6", "Claude Opus 4.6", "2026-02-05", "active", "opus", True, True),
        ("claude-sonnet-4-6", "Claude Sonnet 4.6", "2026-02-17", "active", "sonnet", True, True),
        ("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15", "active", "haiku", True,
         False),
        ("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29", "active", "sonnet",
         True, False),
        ("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05", "active", "opus", True,
         False),
        ("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22", "deprecated", "sonnet",
         True, False),
        ("claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", "2025-02-24", "deprecated", "sonnet",
         True, False),
        ("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22", "deprecated", "haiku",
         False, False),
        ("claude-3-haiku-20240307", "Claude Haiku 3", "2024-03-07", "retired", "haiku", False,
         False),
    ]
]  # fmt: skip
"""Anthropic's GET /v1/models, newest first (a retired model is listed, and cannot be used)."""


def anthropic_page(query: Any) -> dict[str, Any]:
    """One page: up to min(limit, PAGE_SIZE) models after `after_id` (or before `before_id`)."""
    try:
        limit = int(query.get("limit", "20"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 1000:
        raise Fault(400, "limit: Input should be between 1 and 1000", "invalid_request_error")
    ids = [m["id"] for m in ANTHROPIC]
    start, end = 0, len(ids)
    for name in ("after_id", "before_id"):
        cursor = query.get(name)
        if cursor is not None and cursor not in ids:
            raise Fault(404, f"{name}: model {cursor} was not found", "not_found_error")
    if query.get("after_id"):
        start = ids.index(query["after_id"]) + 1
    if query.get("before_id"):
        end = ids.index(query["before_id"])
        start = max(0, end - min(limit, PAGE_SIZE))
    page = ANTHROPIC[start : min(end, start + min(limit, PAGE_SIZE))]
    return {
        "data": page,
        "has_more": start + len(page) < end if not query.get("before_id") else start > 0,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
    }


def _gemini(
    model: str,
    name: str,
    context: int,
    methods: tuple[str, ...] = ("generateContent", "countTokens", "createCachedContent"),
    thinking: bool | None = True,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": f"models/{model}",
        "version": "001",
        "displayName": name,
        "description": f"{name}, as the Gemini API describes it",
        "inputTokenLimit": context,
        "outputTokenLimit": 65536 if thinking else 8192,
        "supportedGenerationMethods": list(methods),
    }
    if "generateContent" in methods:
        out.update({"temperature": 1, "topP": 0.95, "topK": 64, "maxTemperature": 2})
    if thinking is not None:
        out["thinking"] = thinking
    return out


GOOGLE = [
    _gemini("gemini-3-pro-preview", "Gemini 3 Pro Preview", 1048576),
    _gemini("gemini-2.5-pro", "Gemini 2.5 Pro", 1048576),
    _gemini("gemini-2.5-flash", "Gemini 2.5 Flash", 1048576),
    _gemini("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", 1048576),
    _gemini("gemini-embedding-001", "Gemini Embedding 001", 2048,
            ("embedContent", "countTextTokens", "countTokens"), None),
    _gemini("gemini-2.0-flash", "Gemini 2.0 Flash", 1048576, thinking=None),
    _gemini("gemini-flash-latest", "Gemini Flash Latest", 1048576),
    _gemini("gemma-3-27b-it", "Gemma 3 27B", 131072, ("generateContent", "countTokens"), None),
    _gemini("imagen-4.0-generate-001", "Imagen 4", 480, ("predict",), None),
]  # fmt: skip
"""Gemini's GET /v1beta/models: an embedding and an image model among them (not for chat)."""


def google_page(query: Any) -> dict[str, Any]:
    """One page of min(pageSize, PAGE_SIZE) models (pageSize defaults to 50, at most 1000),
    from an opaque pageToken; nextPageToken while more remain."""
    try:
        size = int(query.get("pageSize", "50"))
    except ValueError:
        size = -1
    if size < 0:
        raise Fault(400, "Invalid value at 'page_size'", "INVALID_ARGUMENT")
    size = min(size or 50, 1000, PAGE_SIZE)
    start = 0
    token = query.get("pageToken")
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("at:"))
        except ValueError:
            raise Fault(400, "Invalid page token.", "INVALID_ARGUMENT") from None
    page = GOOGLE[start : start + size]
    out: dict[str, Any] = {"models": page}
    if start + size < len(GOOGLE):
        out["nextPageToken"] = base64.urlsafe_b64encode(f"at:{start + size}".encode()).decode()
    return out


def _tag(name: str, family: str, size: str, quantization: str, modified: str) -> dict[str, Any]:
    return {
        "name": name,
        "model": name,
        "modified_at": modified,
        "size": 4_920_753_328,
        "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
        "details": {
            "parent_model": "",
            "format": "gguf",
            "family": family,
            "families": [family],
            "parameter_size": size,
            "quantization_level": quantization,
        },
    }


OLLAMA_TAGS = {
    "models": [
        _tag("llama3.2:3b", "llama", "3.2B", "Q4_K_M", "2026-11-20T17:37:44.706015396-08:00"),
        _tag("qwen3:8b", "qwen3", "8.2B", "Q4_K_M", "2026-11-02T09:12:01.118834672-08:00"),
        _tag("gpt-oss:20b", "gptoss", "20.9B", "MXFP4", "2026-10-14T21:03:27.30410371-07:00"),
        _tag("deepseek-r1:8b", "qwen3", "8.2B", "Q4_K_M", "2026-09-30T11:45:10.5515-07:00"),
        _tag("nomic-embed-text:latest", "nomic-bert", "137M", "F16", "2026-09-01T08:00:00Z"),
    ]
}
"""ollama's GET /api/tags: the pulled models."""
