"""A bug that ends the app (issue 12, item 8): the report shows no local values and no key,
and the process exits non-zero (Textual's own crash screen prints every frame's locals, where
a driver may hold a key, and sutui used to exit 0 after it)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from drivers.redaction import register_secret
from sutui.app import SutuiApp, make_app

CANARY = "sk-canary-crash-0123456789"


def boom() -> None:
    api_key = CANARY  # a local holding a key, as a driver's frame may
    register_secret(api_key)
    raise RuntimeError("the provider said: bad key " + api_key)


def _printed(app: SutuiApp) -> str:
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    for renderable in app._exit_renderables:  # what Textual prints to stderr at exit
        console.print(renderable)
    return out.getvalue()


async def test_a_crash_shows_no_locals_no_key_and_exits_non_zero() -> None:
    app = make_app()
    with pytest.raises(RuntimeError):
        async with app.run_test() as pilot:
            app.call_later(boom)
            await pilot.pause()
            shown = _printed(app)
    assert app.return_code == 1
    assert "sutui stopped on a bug" in shown and "RuntimeError" in shown, shown
    assert "in boom" in shown, "the frames are there, for the bug report"
    assert CANARY not in shown and CANARY[:10] not in shown, shown
    assert "locals" not in shown.lower() and "api_key =" not in shown, shown
