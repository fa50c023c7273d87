"""A real HTTP server on 127.0.0.1 that plays the providers for tests (no test touches the net).

`ProviderServer().start()` listens on a free loopback port in a background thread with its own
event loop; `.url` is its base (http://127.0.0.1:PORT); `.stop()` ends it. The pytest fixture
`provider_server` in tests/conftest.py does both and resets the server before each test.

Each provider is mounted under its own prefix, with the provider's own paths below it:

    /openai/v1/chat/completions     (also /v1/chat/completions)   OpenAI
    /together/v1/chat/completions                                  Together (finish reason eos)
    /mistral/v1/chat/completions                                   Mistral (422 on unknown fields)
    /nim/v1/chat/completions                                       NVIDIA NIM
    /hf-router/v1/chat/completions                                 Hugging Face router
    /tgi/v1/chat/completions                                       TGI ("data:" with no space,
                                                                   422 on top_p = 1.0)
    /vllm/v1/chat/completions                                      vLLM (modelship)
    /local/v1/chat/completions                                     an OpenAI-compatible server
                                                                   that needs no key
    /anthropic/v1/messages                                         Anthropic Messages API
    /google/v1beta/models/{model}:generateContent                  Gemini (and
                                                                   :streamGenerateContent?alt=sse)
    /ollama/api/chat                                               ollama (NDJSON stream)
    /tgi/generate, /tgi/generate_stream                            TGI's native API (422 as TGI:
                                                                   temperature 0, top_p 1.0,
                                                                   top_k 0, > 4 stop sequences)

**Model lists** (GET, provider_server/model_lists.py: current ids, each provider's fields):

    /{flavour}/v1/models   (also /v1/models)   every OpenAI-style flavour above: OpenAI's
                           {"object": "list", "data"}, Together's bare array (with embedding,
                           image and rerank models), Mistral's capabilities (an embedding and a
                           moderation model that cannot chat), NIM, the HF router's providers,
                           TGI's, vLLM's max_model_len and a LoRA, llama.cpp's meta.n_ctx_train
    /together/v1/endpoints                     Together's dedicated endpoints (?type=, &mine=)
    /anthropic/v1/models                       paged: at most PAGE_SIZE (3) a page whatever
                                               `limit` asks, has_more/first_id/last_id,
                                               after_id and before_id; one model retired
    /google/v1beta/models                      paged: min(pageSize, 3) a page, an opaque
                                               nextPageToken; an embedding and an image model
    /ollama/api/tags                           the pulled models
    /tgi/info                                  TGI's one model (max_total_tokens)

Each checks the provider's key (the same 401 bodies as chat) and takes the queued faults
(statuses, 429s, malformed, cut, stall, slow-first, bad-status-line, deep-json).

**A model that is gone.** A chat request whose model holds `retired-` (e.g. `retired-gpt-4o`)
gets the provider's own "model not found": OpenAI 404 model_not_found, Together 404
model_not_available, Mistral 400 invalid_model, the HF router 400 "not supported by any
provider you have enabled", Anthropic 404 not_found_error, Google 404 NOT_FOUND, ollama 404,
NIM, vLLM and llama.cpp 404 (TGI serves one model whatever is named: it answers).

So a driver's base URL in a test is e.g. `server.url + "/together/v1"`. Auth is checked as the
provider does (Bearer, x-api-key, x-goog-api-key), against `KEYS[flavour]`; a wrong key gets the
provider's own 401 body (Google: 400 API_KEY_INVALID). The answer is deterministic: "Echo: " and
the last user message, one word per stream chunk, cut to max_tokens (finish reason "length").
`<U+XXXX>` in the message is answered as that code point (a lone surrogate too, as a JSON
escape) and `|` splits a word into two chunks with no space: `<U+D83D>|<U+DE00>` streams an
emoji's surrogate pair across two events.

**Picking a fault.** Put `fault-NAME` anywhere in the model name (e.g. `acme/fault-429-once`), or
queue faults for the next requests, whatever their prefix, with
`POST /_control/fault {"fault": "NAME", "times": 1}` (or `server.queue_fault("NAME", times)`).
Each answer is in that provider's own error format (OpenAI/Together/vLLM {"error": {...}},
TGI/HF {"error": "...", "error_type"}, Anthropic {"type": "error", ...}, Google {"error":
{"code", "status"}}, Mistral, NIM problem+json, ollama {"error"}). Names:

    401 403 404 422 500 503   that status every time (401: the provider's own bad-key answer;
                              TGI's is a bare 401 with no body)
    429                       429 with Retry-After: 7 every time
    429-once                  429 with Retry-After: 0 the first time, then success
    429-date                  429 with Retry-After as an HTTP date, the first time
    429-reset                 429 with no Retry-After, only rate-limit headers: Together's
                              x-ratelimit-reset: 60, else OpenAI's x-ratelimit-reset-requests:
                              6m0s (requests exhausted) and x-ratelimit-reset-tokens: 2s
    429-reset-once            the same with a 10 ms reset, the first time
    500-once, 503-once        that status the first time, then success
    500-no-retry              500 with OpenAI's `x-should-retry: false` (not to be retried)
    409-retry-once            409 with `x-should-retry: true` the first time, then success
    ignore-stream             OpenAI-style chat: a streaming request answered with one plain
                              JSON completion, as servers that ignore `stream: true` do
    overloaded                the provider's "busy": HF router/TGI 503 loading with
                              estimated_time 20, Anthropic 529 overloaded_error, others 503
    overloaded-once           the same (estimated_time 0.01) the first time, then success
    loading, loading-once     Hugging Face's 503 {"error": "Model ... is currently loading",
                              "estimated_time": 20 (0.01 once)}, for any provider
    malformed                 200 with a body (or a stream event) that is not JSON
    midstream-error           a stream that sends a few events, then the provider's error event
    slow-first                waits `SLOW_FIRST` seconds before the headers (a plain call) or
                              after the headers, before the first event (a stream)
    stall                     a stream that sends one event, then nothing for `STALL` seconds;
                              a plain call sends its headers and part of the body, then stalls
    cut                       a stream that sends one event, then closes the connection
                              (a plain call: closes without answering)
    bad-status-line           no HTTP reply at all: a line of another protocol, then close
    deep-json                 200 with JSON nested 100,000 levels deep (a stream: its first
                              event)
    none                      no fault: queued before another, it lets one request through
                              (`queue_fault("none"); queue_fault("500")` fails the second)

Network faults have their own URLs, to use in place of `server.url`: `server.refused_url`
(nothing listens: connection refused) and `server.connect_timeout_url` (a loopback socket with a
full listen queue that never accepts: the connect times out). `server.max_in_flight` is the
most requests answered at once since the last reset (for concurrency caps).

**Echo mode.** `server.echo_key(Echo(place, form, at, key))` (provider_server/echo.py) makes
every provider give back the key it was sent, in a chosen form (raw, JSON- or repr-escaped,
URL-encoded, base64 of `user:key`, or all at once) and place (the answer, its end, an error
body, an error event, a malformed or cut stream...), for the secret canary; `reset()` ends it.

"Once" faults count per (provider, model) and start again after `reset()`. Every request is
recorded in `server.requests` (path, headers, JSON body, method) for assertions.
"""

from .echo import Echo
from .server import KEYS, SLOW_FIRST, STALL, ProviderServer, Recorded

__all__ = ["KEYS", "SLOW_FIRST", "STALL", "Echo", "ProviderServer", "Recorded"]
