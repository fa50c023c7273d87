"""HttpSUT: what the SUT of an HTTP driver shares. Its `post_json`, `stream_sse`,
`stream_ndjson` and `get_json` send through the runtime (the SUT's own, else the run's current
one), count the call against its driver's concurrency cap (`driver`) and send its `headers()`;
a driver's SUT says only its URL, its body and its end marker. HttpRequest is the request most
HTTP drivers translate a prompt into (a URL, a JSON body, the notes of what was changed for the
model). HttpFactory is the same for a driver's factory, whose optional hooks (`list_models`,
`check_secrets`) GET a model list: `get_json` with the list timeout and the driver's cap.

Mixins, listed first: `class MySUT(HttpSUT, PromptResponseSUT[Req, Resp])`,
`class MyFactory(HttpFactory, DynamicSUTFactory)`.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import replace
from typing import Any, ClassVar

from pydantic import BaseModel

from drivers.http import streams, transport
from drivers.http.transport import HttpRuntime, RetryPolicy, Timeouts, current_runtime


class HttpRequest(BaseModel):
    """Where a request goes and its JSON body (never the key: headers are built at call time)."""

    url: str
    body: dict[str, Any]
    notes: list[str] = []
    """What was changed for the model (an option it cannot take): shown with the answer."""


class HttpSUT:
    """The HTTP side of a SUT. Set `driver` (the key of its concurrency cap, usually the driver
    name) and override `headers()`; `runtime`, `timeouts` and `retry` are None unless a caller
    pins them for this SUT alone."""

    driver: str | None = None
    """The driver name: the key of this SUT's concurrency cap (None: no cap)."""
    runtime: HttpRuntime | None = None
    """This SUT's own runtime; None: the one current where a request is made."""
    timeouts: Timeouts | None = None
    """Overrides the runtime's timeouts for this SUT (None: the runtime's)."""
    retry: RetryPolicy | None = None
    """Overrides the runtime's retry policy for this SUT (None: the runtime's)."""

    def headers(self) -> dict[str, str]:
        """The headers every request of this SUT carries (its key, its API version...)."""
        return {}

    def http_runtime(self) -> HttpRuntime:
        """What this SUT's requests go through now."""
        rt = self.runtime or current_runtime()
        if self.timeouts is None and self.retry is None:
            return rt
        return replace(rt, timeouts=self.timeouts or rt.timeouts, retry=self.retry or rt.retry)

    async def post_json(self, url: str, payload: Any) -> dict[str, Any]:
        """POST `payload`; the JSON object answered (every failure a SUTError)."""
        return await transport.post_json(
            url, payload, self.headers(), limit_key=self.driver, runtime=self.http_runtime()
        )

    async def post_json_any(self, url: str, payload: Any) -> Any:
        """post_json for an API that may answer a JSON array."""
        return await transport.post_json_any(
            url, payload, self.headers(), limit_key=self.driver, runtime=self.http_runtime()
        )

    async def get_json(self, url: str, params: Mapping[str, str] | None = None) -> Any:
        """GET a JSON document (e.g. a server's /info) the way post_json posts."""
        return await transport.get_json(
            url, self.headers(), params=params, limit_key=self.driver, runtime=self.http_runtime()
        )

    def stream_sse(
        self,
        url: str,
        payload: Any,
        *,
        is_end: Callable[[dict[str, Any]], bool],
        plain_json_ok: bool = False,
    ) -> AsyncIterator[dict[str, Any]]:
        """POST `payload` and yield each server-sent event's JSON (streams.stream_sse)."""
        return streams.stream_sse(
            url,
            payload,
            self.headers(),
            limit_key=self.driver,
            runtime=self.http_runtime(),
            plain_json_ok=plain_json_ok,
            is_end=is_end,
        )

    def stream_ndjson(
        self, url: str, payload: Any, *, is_end: Callable[[dict[str, Any]], bool]
    ) -> AsyncIterator[dict[str, Any]]:
        """POST `payload` and yield each line's JSON object (streams.stream_ndjson)."""
        return streams.stream_ndjson(
            url,
            payload,
            self.headers(),
            limit_key=self.driver,
            runtime=self.http_runtime(),
            is_end=is_end,
        )


LIST_TIMEOUT_S = 20.0
"""Seconds for each phase of a model list or a key check: the answer is small, so a server that
takes longer is not answering (a prompt's answer may take minutes; a list must not)."""


class HttpFactory:
    """The HTTP side of a driver's factory, for its optional hooks: `list_models` (with
    LISTS_MODELS = True) and `check_secrets` GET through `get_json`. Its key is in the headers
    the hook builds from the definition (a factory serves many SUTs and keys)."""

    LIST_TIMEOUT_S: ClassVar[float] = LIST_TIMEOUT_S

    @classmethod
    def driver_name(cls) -> str:
        """The DRIVER_NAME of the factory's module (the key of its concurrency cap)."""
        name = getattr(sys.modules.get(cls.__module__), "DRIVER_NAME", None)
        return name if isinstance(name, str) else cls.__name__

    async def get_json(
        self, url: str, headers: Mapping[str, str], params: Mapping[str, str] | None = None
    ) -> Any:
        """GET a JSON document through the current runtime (its retry policy, its transport)
        with LIST_TIMEOUT_S for every phase, counted against the driver's cap; every failure
        a SUTError."""
        return await transport.get_json(
            url, headers, params=params, timeout=self.LIST_TIMEOUT_S, limit_key=self.driver_name()
        )
