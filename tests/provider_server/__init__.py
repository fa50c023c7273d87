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

So a driver's base URL in a test is e.g. `server.url + "/together/v1"`. Auth is checked as the
provider does (Bearer, x-api-key, x-goog-api-key), against `KEYS[flavour]`; a wrong key gets the
provider's own 401 body (Google: 400 API_KEY_INVALID). The answer is deterministic: "Echo: " and
the last user message, one word per stream chunk, cut to max_tokens (finish reason "length").

**Picking a fault.** Put `fault-NAME` anywhere in the model name (e.g. `acme/fault-429-once`), or
queue faults for the next requests with `POST /_control/fault {"fault": "NAME", "times": 1}`
(or `server.queue_fault("NAME")`). Names:

    401 403 404 422 500 503   that status, with the provider's error body, every time
    429                       429 with Retry-After: 7 every time
    429-once                  429 with Retry-After: 0 the first time, then success
    429-date                  429 with Retry-After as an HTTP date, the first time
    500-once, 503-once        that status the first time, then success
    loading                   503 {"error": "Model ... is currently loading", "estimated_time": 20}
    loading-once              the same with estimated_time 0.01, the first time
    malformed                 200 with a body (or a stream event) that is not JSON
    midstream-error           a stream that sends two words, then the provider's error event
    slow-first                waits `SLOW_FIRST` seconds before answering
    stall                     a stream that sends one word, then nothing for `STALL` seconds
                              (a plain call waits that long before answering)
    cut                       a stream that sends one word, then closes the connection
                              (a plain call: closes without answering)

"Once" faults count per (provider, model) and start again after `reset()`. Every request is
recorded in `server.requests` (path, headers, JSON body) for assertions.
"""

from .server import KEYS, SLOW_FIRST, STALL, ProviderServer, Recorded

__all__ = ["KEYS", "SLOW_FIRST", "STALL", "ProviderServer", "Recorded"]
