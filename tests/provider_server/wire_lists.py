"""The providers' model-list endpoints (GET), with their auth checks and the queued faults:
handlers mixed into ProviderServer (see __init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from . import broken_http, model_lists
from .model import Fault, Recorded

MALFORMED = b'{"object": "list", "data": [{"id": "gpt-'
"""A 200 list body cut short: not JSON."""


class ListWires:
    def list_routes(self, app: web.Application) -> None:
        from .model import CHAT_FLAVOURS

        def fixed(body: Any) -> Callable[[Any], Any]:
            return lambda query: body

        routes: list[tuple[str, str, Callable[[Any], Any]]] = [
            (f"/{flavour}/v1/models", flavour, fixed(model_lists.OPENAI_STYLE[flavour]))
            for flavour in CHAT_FLAVOURS
        ]
        routes += [
            ("/v1/models", "openai", fixed(model_lists.OPENAI_STYLE["openai"])),
            ("/together/v1/endpoints", "together", self._endpoints),
            ("/anthropic/v1/models", "anthropic", model_lists.anthropic_page),
            ("/google/v1beta/models", "google", model_lists.google_page),
            ("/ollama/api/tags", "ollama", fixed(model_lists.OLLAMA_TAGS)),
            ("/tgi/info", "tgi", fixed(model_lists.TGI_INFO)),
        ]
        for path, flavour, answer in routes:
            app.router.add_get(path, self._get(flavour, answer))

    @staticmethod
    def _endpoints(query: Any) -> Any:
        if query.get("type") not in (None, "dedicated", "serverless"):
            raise Fault(400, "type must be dedicated or serverless")
        return model_lists.TOGETHER_ENDPOINTS

    def _get(self, flavour: str, answer: Callable[[Any], Any]) -> Callable[[web.Request], Any]:
        """A GET handler: recorded, auth checked, a queued fault applied, else `answer(query)`
        as JSON (a Fault it raises is the provider's error)."""

        async def handle(request: web.Request) -> web.StreamResponse:
            server: Any = self
            with server.state.lock:
                server.state.requests.append(
                    Recorded(flavour, request.path_qs, CIMultiDict(request.headers), None, "GET")
                )
            try:
                server._check_auth(flavour, request)
                fault = server._fault(flavour, "")
                if fault in broken_http.NAMES:
                    return await broken_http.answer(fault, flavour, request, False)
                if fault == "cut":
                    assert request.transport is not None
                    request.transport.close()
                    return web.Response()
                if fault == "stall":
                    return await server._stalled_body(request)
                if fault == "malformed":
                    return web.Response(body=MALFORMED, content_type="application/json")
                await server._plain_fault(flavour, fault, False)
                return web.json_response(answer(request.query))
            except Fault as f:
                return server._error_response(flavour, f)

        return handle
