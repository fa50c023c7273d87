"""Text Generation Inference's native API: POST /generate and /generate_stream, for the `hf` and
`hf-dedicated` drivers with the UID option `;api=generate` (the default, `;api=chat`, is TGI's
OpenAI-style /v1/chat/completions, which applies the model's chat template).

/generate sends the prompt text as it is (no chat template), so this SUT takes text prompts only.
Request: {"inputs", "parameters": {max_new_tokens, temperature, top_p, top_k, stop, seed,
frequency_penalty, top_n_tokens, details: true, return_full_text: false}}. TGI refuses
temperature = 0 and top_p = 1.0 (422), so temperature 0 is sent as greedy decoding (no
temperature, do_sample false) and top_p >= 1 is left out: both mean what was asked.
The answer is {"generated_text", "details": {"finish_reason", "generated_tokens", ...}} (or a
list of them, as Hugging Face's older serverless API answered); the stream is
`data:{"token": {"text", "special"}, "generated_text": null, "details": null}` events with no
[DONE], the last one carrying generated_text and details (finish_reason, generated_tokens,
input_length). Finish reasons are TGI's own: length, eos_token, stop_sequence.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from drivers.capabilities import AcceptsTextPrompt, ProducesPerTokenLogProbabilities, StreamsText
from drivers.errors import ErrorKind, SUTError
from drivers.http.sut import HttpRequest, HttpSUT
from drivers.options import SUTOptions
from drivers.prompt import TextPrompt
from drivers.providers.openai_chat import join_url
from drivers.reasoning import ThinkSplitter, split_think
from drivers.response import SUTResponse, SUTStreamChunk, TokenProbability, TokenUsage, TopTokens
from drivers.sut import PromptResponseSUT, modelgauge_sut
from drivers.uid import SUTDefinition, UIDError

API_OPTION = {
    "api": "chat (default): the endpoint's /v1/chat/completions; generate: TGI's native "
    "/generate and /generate_stream (text prompts as they are, no chat template)"
}


def wants_generate(definition: SUTDefinition) -> bool:
    """True for ;api=generate, False for ;api=chat or no option; a UIDError otherwise."""
    api = definition.options_dict.get("api", "chat").strip().lower()
    if api not in ("chat", "generate"):
        raise UIDError(
            definition.uid,
            f"api '{api}' is neither 'chat' nor 'generate'",
            "Write ;api=generate for TGI's /generate, or leave the option out for chat.",
        )
    if api == "generate" and not definition.base_url:
        raise UIDError(
            definition.uid,
            "api=generate needs the endpoint's URL",
            "Add ;url=https://your-endpoint (a TGI server or a dedicated Inference Endpoint).",
        )
    return api == "generate"


def endpoint_root(url: str) -> str:
    """The endpoint's root, from a URL that may end in /v1, /generate or /generate_stream."""
    trimmed = url.rstrip("/")
    for suffix in ("/generate_stream", "/generate", "/v1"):
        if trimmed.endswith(suffix):
            return trimmed[: -len(suffix)]
    return trimmed


GenerateRequest = HttpRequest
"""Its url is the endpoint's root; /generate or /generate_stream is added per call."""


def generate_parameters(options: SUTOptions) -> dict[str, Any]:
    params: dict[str, Any] = {"details": True, "return_full_text": False}
    if options.max_tokens is not None:
        params["max_new_tokens"] = options.max_tokens
    if options.temperature is not None:
        if options.temperature > 0:
            params["temperature"] = options.temperature
            params["do_sample"] = True
        else:
            params["do_sample"] = False
    if options.top_p is not None and 0.0 < options.top_p < 1.0:
        params["top_p"] = options.top_p
    if options.top_k_per_token is not None and options.top_k_per_token > 0:
        params["top_k"] = options.top_k_per_token
    if options.stop_sequences:
        params["stop"] = list(options.stop_sequences)
    if options.seed is not None:
        params["seed"] = options.seed
    if options.frequency_penalty is not None:
        params["frequency_penalty"] = options.frequency_penalty
    if options.top_logprobs is not None:
        params["top_n_tokens"] = max(1, options.top_logprobs)
    return params


def _top(tokens: Any) -> TopTokens:
    pairs = [
        TokenProbability(token=str(t.get("text", "")), logprob=float(t["logprob"]))
        for t in (tokens if isinstance(tokens, list) else [tokens])
        if isinstance(t, dict) and isinstance(t.get("logprob"), (int, float))
    ]
    return TopTokens(top_tokens=pairs)


def details_logprobs(details: Any) -> list[TopTokens] | None:
    """details.top_tokens (with top_n_tokens), else the chosen tokens' own logprobs."""
    if not isinstance(details, dict):
        return None
    top = details.get("top_tokens")
    if isinstance(top, list) and top:
        return [_top(position) for position in top]
    return None


def details_usage(details: Any) -> TokenUsage | None:
    if not isinstance(details, dict):
        return None
    generated = details.get("generated_tokens")
    prompt = details.get("input_length")
    if prompt is None and isinstance(details.get("prefill"), list) and details["prefill"]:
        prompt = len(details["prefill"])
    if not isinstance(generated, int) and not isinstance(prompt, int):
        return None
    return TokenUsage(
        prompt_tokens=prompt if isinstance(prompt, int) else None,
        completion_tokens=generated if isinstance(generated, int) else None,
    )


@modelgauge_sut(capabilities=[AcceptsTextPrompt, StreamsText, ProducesPerTokenLogProbabilities])
class TGIGenerateSUT(HttpSUT, PromptResponseSUT[GenerateRequest, Any]):
    """A TGI endpoint through /generate and /generate_stream."""

    def __init__(self, uid: str, url: str, api_key: str | None = None, *, driver: str = "hf"):
        super().__init__(uid)
        self.url = endpoint_root(url)
        self._api_key = api_key
        self.driver = driver

    def translate_text_prompt(self, prompt: TextPrompt, options: SUTOptions) -> GenerateRequest:
        body = {"inputs": prompt.text, "parameters": generate_parameters(options)}
        return GenerateRequest(url=self.url, body=body)

    def headers(self) -> dict[str, str]:
        out = {"Content-Type": "application/json"}
        if self._api_key:
            out["Authorization"] = f"Bearer {self._api_key}"
        return out

    async def evaluate(self, request: GenerateRequest) -> Any:
        return await self.post_json_any(join_url(request.url, "generate"), request.body)

    async def evaluate_stream(self, request: GenerateRequest) -> AsyncIterator[SUTStreamChunk]:
        events = self.stream_sse(
            join_url(request.url, "generate_stream"),
            request.body,
            is_end=lambda event: isinstance(event.get("generated_text"), str),
        )
        usage: TokenUsage | None = None
        reason: str | None = None
        think = ThinkSplitter()
        async for event in events:
            token = event.get("token")
            top = event.get("top_tokens")
            if isinstance(token, dict) and not token.get("special"):
                text = token.get("text")
                logprobs = [_top(top)] if isinstance(top, list) and top else None
                if isinstance(text, str) and (text or logprobs):
                    thought, text = think.feed(text)
                    yield SUTStreamChunk(text=text, reasoning=thought, top_logprobs=logprobs)
            details = event.get("details")
            if isinstance(details, dict):
                usage = details_usage(details) or usage
                if isinstance(details.get("finish_reason"), str):
                    reason = details["finish_reason"]
        thought, text = think.flush()
        yield SUTStreamChunk(text=text, reasoning=thought, usage=usage, finish_reason=reason)

    def translate_response(self, request: GenerateRequest, response: Any) -> SUTResponse:
        data = response[0] if isinstance(response, list) and response else response
        if not isinstance(data, dict) or not isinstance(data.get("generated_text"), str):
            raise SUTError(ErrorKind.protocol, "the TGI endpoint answered without a generated_text")
        details = data.get("details")
        reason = details.get("finish_reason") if isinstance(details, dict) else None
        reasoning, text = split_think(data["generated_text"])
        return SUTResponse(
            text=text,
            reasoning=reasoning or None,
            finish_reason=reason if isinstance(reason, str) else None,
            usage=details_usage(details),
            top_logprobs=details_logprobs(details),
        )
