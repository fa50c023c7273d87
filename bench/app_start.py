"""`sutui` start to its first painted frame, divided by a bare Textual app's: prints figures,
asserts nothing. Goal: <= 1.3.

Each sample is a fresh process, timed by this one from spawn to the child's "ready" line, which
the child writes when Textual sends the App its Ready event ("the DOM is ready and the first
frame has been displayed") and then exits. Both run headless at 120x40 (without a terminal and
without COLUMNS/LINES, Textual's headless driver keeps resizing); both pay the interpreter's
start. The samples alternate, so drift hits both alike. The import costs are shown apart.
sutui starts through `sutui.__main__.main()` as the `sutui` command does, so what main() does
before the app's modules load (it turns the cyclic garbage collector off until the first
frame) counts; the bare app is a plain Textual app, with the collector on.
Run: `.venv/bin/python bench/app_start.py [samples]` (default 15 each; medians).
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READY = """
import os, sys
def _ready(self):
    os.write(1, b"ready\\n")  # fd 1 itself: Textual captures sys.stdout while it runs
    os._exit(0)
"""

SUTUI = (
    READY
    + """
import functools
from sutui import __main__ as entry
app_only = entry._app_only
def patched():
    # Inside main(), as `sutui` runs: the app's modules load after what main() does first.
    from textual.app import App
    import sutui.app
    sutui.app.SutuiApp.on_ready = _ready
    sutui.app.SutuiApp.run = functools.partialmethod(App.run, headless=True, size=(120, 40))
    return app_only()
entry._app_only = patched
sys.argv = ["sutui"]
entry.main()
"""
)

BARE = (
    READY
    + """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()
Bare.on_ready = _ready
Bare().run(headless=True, size=(120, 40))
"""
)


def sample(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - start
    child.wait(timeout=30)
    if line.strip() != b"ready":
        raise RuntimeError(f"the child did not paint (exit {child.returncode})")
    return elapsed


def import_time(module: str, env: dict[str, str]) -> float:
    """Seconds to import `module` in a fresh interpreter, the interpreter's own start excluded."""
    code = (
        "import time; t = time.perf_counter(); import " + module + "; "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=True)
    return float(out.stdout)


def compile_sources() -> None:
    """Byte-compile sutui and drivers, as `pip install` does. In an editable checkout with
    PYTHONDONTWRITEBYTECODE set (as on this machine), every start would otherwise compile them
    from source, which a user's installed sutui never does (Textual's own files are compiled
    by pip)."""
    root = Path(__file__).resolve().parent.parent
    for package in ("sutui", "drivers"):
        compileall.compile_dir(root / package, quiet=1)


def main() -> None:
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    compile_sources()
    with tempfile.TemporaryDirectory() as config:
        env = {
            **os.environ,
            "SUTUI_CONFIG_DIR": config,
            "SUTUI_DATA_DIR": config,  # the history of a bench run is not the user's
            "SUTUI_KEYRING": "off",
        }
        sample(BARE, env), sample(SUTUI, env)  # warm the OS caches
        bare: list[float] = []
        app: list[float] = []
        for _ in range(samples):
            bare.append(sample(BARE, env))
            app.append(sample(SUTUI, env))
        imports = {
            m: statistics.median(import_time(m, env) for _ in range(5))
            for m in ("textual.app", "sutui.cli.main", "drivers", "sutui.app")
        }
    b, a = statistics.median(bare), statistics.median(app)
    print(f"samples: {samples} each, alternating; start to first painted frame (headless)")
    print(f"bare Textual app: median {b * 1000:.0f} ms (min {min(bare) * 1000:.0f})")
    print(f"sutui:            median {a * 1000:.0f} ms (min {min(app) * 1000:.0f})")
    print(f"ratio sutui / bare: {a / b:.2f} (goal <= 1.3)")
    print("import times (fresh interpreter, medians of 5):")
    for module, seconds in imports.items():
        print(f"  {module:<15} {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
