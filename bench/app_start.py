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
Run: `.venv/bin/python bench/app_start.py [samples] [--against OTHER_CHECKOUT]` (default 15
each; medians).
"""

from __future__ import annotations

import argparse
import compileall
import os
import select
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
from sutui import __main__ as entry
app_only = entry._app_only
def patched():
    # Inside main(), as `sutui` runs: the app's modules load after what main() does first.
    from textual.app import App
    import sutui.app
    def run(self, *args, **kwargs):
        # Forced, not defaulted: sutui passes headless=False itself, and a real driver on a
        # pipe never paints (a partial's keywords would lose to the caller's).
        kwargs.update(headless=True, size=(120, 40))
        return App.run(self, *args, **kwargs)
    sutui.app.SutuiApp.on_ready = _ready
    sutui.app.SutuiApp.run = run
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
    # A child that never paints must not hang the bench: wait at most 30 s for its line.
    ready, _, _ = select.select([child.stdout], [], [], 30)
    line = child.stdout.readline() if ready else b""
    elapsed = time.perf_counter() - start
    if not ready:
        child.kill()
    child.wait(timeout=30)
    if line.strip() != b"ready":
        raise RuntimeError(f"the child did not paint within 30 s (exit {child.returncode})")
    return elapsed


def import_time(module: str, env: dict[str, str]) -> float:
    """Seconds to import `module` in a fresh interpreter, the interpreter's own start excluded."""
    code = (
        "import time; t = time.perf_counter(); import " + module + "; "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=True)
    return float(out.stdout)


def compile_sources(root: Path) -> None:
    """Byte-compile sutui and drivers, as `pip install` does. In an editable checkout with
    PYTHONDONTWRITEBYTECODE set (as on this machine), every start would otherwise compile them
    from source, which a user's installed sutui never does (Textual's own files are compiled
    by pip)."""
    for package in ("sutui", "drivers"):
        compileall.compile_dir(root / package, quiet=1)


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms (min {min(values) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("samples", nargs="?", type=int, default=15)
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout of sutui (e.g. a git worktree of an older commit), sampled in "
        "the same alternation, so a before/after comparison shares the machine's noise",
    )
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent
    compile_sources(here)
    if args.against:
        compile_sources(args.against.resolve())
    with tempfile.TemporaryDirectory() as config:
        env = {
            **os.environ,
            "SUTUI_CONFIG_DIR": config,
            "SUTUI_DATA_DIR": config,  # the history of a bench run is not the user's
            "SUTUI_KEYRING": "off",
            "PYTHONPATH": str(here),
        }
        other = {**env, "PYTHONPATH": str(args.against.resolve())} if args.against else None
        sample(BARE, env), sample(SUTUI, env)  # warm the OS caches
        if other:
            sample(SUTUI, other)
        bare: list[float] = []
        app: list[float] = []
        before: list[float] = []
        for _ in range(args.samples):
            bare.append(sample(BARE, env))
            app.append(sample(SUTUI, env))
            if other:
                before.append(sample(SUTUI, other))
        imports = {
            m: statistics.median(import_time(m, env) for _ in range(5))
            for m in ("textual.app", "sutui.cli.main", "drivers", "sutui.app")
        }
    b, a = statistics.median(bare), statistics.median(app)
    print(f"samples: {args.samples} each, alternating; start to first painted frame (headless)")
    print(f"bare Textual app: {ms(bare)}")
    print(f"sutui:            {ms(app)}")
    print(f"ratio sutui / bare: {a / b:.2f} (goal <= 1.3)")
    if before:
        o = statistics.median(before)
        print(f"sutui at {args.against}: {ms(before)}")
        print(f"ratio this / that: {a / o:.2f}")
    print("import times (fresh interpreter, medians of 5):")
    for module, seconds in imports.items():
        print(f"  {module:<15} {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
