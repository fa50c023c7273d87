"""`sutui` start-up as a user meets it, in a real terminal (a pty at 120x40), against a bare
Textual app: prints figures, asserts nothing. Goals (issue 16): first paint <= 1.2x the bare
app, first full frame <= 1.15x; a key pressed at first paint handled within 50 ms of when the
bare app handles it; typing in the first second never waits more than 50 ms for a character;
the command palette opens within 50 ms at any time after first paint.

Each launch is a fresh process on its own pty, timed from spawn:
  first paint       the first screen content written (the user sees something);
  full frame        the first frame's last part written (every column title and the footer);
  key at paint      ctrl+p sent the moment the first paint arrives, until the command palette
                    is drawn (the time from the key to the palette is shown apart);
Launches alternate sutui / bare app, so drift hits both alike; medians, the median of the
paired ratios and a bootstrap 95% interval of the ratio of medians are printed.
Then, sutui alone: `--typing` launches type a character every 30 ms from first paint for a
second (latency from each key to its character on screen); then palette launches of sutui and
the bare app (for scale) open ctrl+p at 0.1, 0.3, 0.6 and 1.0 s after first paint: latency to
the palette's search box drawn, and to its list of commands drawn.
sutui starts as the `sutui` command does (`python -m sutui`); both run with the interpreter's
own start and byte-compiled sources (as an install has them).
Run: `.venv/bin/python bench/app_start.py [launches] [--against OTHER_CHECKOUT]` (default 25;
--against adds a third alternating program: sutui from another checkout, e.g. a worktree of an
older commit).
"""

from __future__ import annotations

import argparse
import compileall
import os
import pty
import random
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROWS, COLS = 40, 120
PALETTE = "Search for commands"
"""What Textual's command palette shows when it opens (its input's placeholder)."""
PALETTE_LIST = {"sutui": "view: compare", "bare": "Keys"}
"""The first command each program's palette lists (its list drawn)."""
ANSI = re.compile(
    rb"\x1b(\[[0-9;?<>=$ ]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\"
    rb"|[()][0-9A-Za-z]|[=>78])"
)

BARE = """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()
Bare().run()
"""


@dataclass
class Program:
    name: str
    argv: list[str]
    env: dict[str, str]
    full: tuple[str, ...]
    """Texts that are all on screen once the first frame is whole."""
    cwd: str = "/"
    """Where it runs: not a checkout, since `python -m sutui` imports sutui from the current
    directory before PYTHONPATH (so --against would time this checkout twice)."""


@dataclass
class Launch:
    paint: float = float("nan")
    full: float = float("nan")
    key: float = float("nan")
    """From spawn to the palette drawn, ctrl+p sent at first paint (another launch)."""
    key_paint: float = float("nan")
    """That launch's first paint."""
    typed: list[float] = field(default_factory=list)
    palette: list[float] = field(default_factory=list)


class Terminal:
    """A child on a pty of ROWS x COLS; what it writes, timed, with escape codes removed."""

    def __init__(self, program: Program):
        self.start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: its terminal's size first, then the program
            import fcntl
            import termios

            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
            os.chdir(program.cwd)
            os.execve(program.argv[0], program.argv, program.env)
        self.pid, self.fd = pid, fd
        self.text = ""
        """Everything written so far, escape codes removed."""
        self._held = b""
        """The start of an escape sequence cut by a read, kept for the next one."""

    def now(self) -> float:
        return time.perf_counter() - self.start

    def read(self, timeout: float) -> bool:
        """Read what is there (waiting up to `timeout`); False when nothing came."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # the child has gone
            return False
        data = self._held + data
        cut = data.rfind(b"\x1b")
        if cut >= 0 and not ANSI.match(data, cut):  # cut off mid-sequence: wait for its end
            data, self._held = data[:cut], data[cut:]
        else:
            self._held = b""
        self.text += ANSI.sub(b"", data).decode("utf-8", "ignore")
        return True

    def wait_for(self, seen: Callable[[], bool], limit: float = 20.0) -> float:
        """Seconds from spawn to `seen()` holding (nan if it never does within `limit`)."""
        end = time.perf_counter() + limit
        while not seen():
            if time.perf_counter() > end:
                return float("nan")
            self.read(0.05)
        return self.now()

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        os.close(self.fd)


def painted(term: Terminal) -> bool:
    return bool(term.text.strip())


def launch(program: Program) -> Launch:
    """First paint and full frame in one launch (nothing typed); in a second, ctrl+p sent at
    first paint until the palette is drawn."""
    term = Terminal(program)
    try:
        result = Launch(paint=term.wait_for(lambda: painted(term)))
        result.full = term.wait_for(lambda: all(t in term.text for t in program.full))
    finally:
        term.close()
    term = Terminal(program)
    try:
        result.key_paint = term.wait_for(lambda: painted(term))
        term.send(b"\x10")  # ctrl+p, at once
        mark = len(term.text)
        result.key = term.wait_for(lambda: PALETTE in term.text[mark:])
        return result
    finally:
        term.close()


def typing(program: Program, letters: str = "qwzjxkvbpyfgmhdlcturnsoiae") -> list[float]:
    """A character every 30 ms from first paint, for a second: each one's latency to screen
    (its text so far seen after it was sent)."""
    term = Terminal(program)
    try:
        term.wait_for(lambda: painted(term))
        latencies = []
        typed = ""
        for letter in (letters * 2)[:33]:
            typed += letter
            mark, sent = len(term.text), time.perf_counter()
            term.send(letter.encode())
            end = sent + 5
            while typed not in term.text[mark:] and time.perf_counter() < end:
                term.read(0.002)
            latencies.append(time.perf_counter() - sent)
            time.sleep(max(0.0, 0.03 - (time.perf_counter() - sent)))
        return latencies
    finally:
        term.close()


def palette_at(program: Program, after: float) -> tuple[float, float]:
    """ctrl+p sent `after` seconds after first paint: seconds until the palette's search box is
    drawn, and until its list of commands is."""
    term = Terminal(program)
    try:
        paint = term.wait_for(lambda: painted(term))
        while term.now() < paint + after:
            term.read(0.005)
        mark, sent = len(term.text), time.perf_counter()
        term.send(b"\x10")
        term.wait_for(lambda: PALETTE in term.text[mark:])
        box = time.perf_counter() - sent
        term.wait_for(lambda: PALETTE_LIST[program.name] in term.text[mark:])
        return box, time.perf_counter() - sent
    finally:
        term.close()


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
    return f"{statistics.median(values) * 1000:6.0f} ms"


def ratio_interval(a: list[float], b: list[float], rounds: int = 2000) -> tuple[float, float]:
    """A bootstrap 95% interval of median(a) / median(b), resampling the launch pairs."""
    pairs = list(zip(a, b, strict=True))
    rng = random.Random(16)
    ratios = []
    for _ in range(rounds):
        sample = [rng.choice(pairs) for _ in pairs]
        ratios.append(
            statistics.median(x for x, _ in sample) / statistics.median(y for _, y in sample)
        )
    ratios.sort()
    return ratios[int(rounds * 0.025)], ratios[int(rounds * 0.975) - 1]


def compare(label: str, app: list[float], bare: list[float], names: str = "bare") -> None:
    a, b = statistics.median(app), statistics.median(bare)
    paired = statistics.median(x / y for x, y in zip(app, bare, strict=True))
    low, high = ratio_interval(app, bare)
    print(f"  {label:<22} {names} {ms(bare)}  sutui {ms(app)}  ratio {a / b:.2f} "
          f"(paired {paired:.2f}, 95% CI {low:.2f}-{high:.2f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("launches", nargs="?", type=int, default=25)
    parser.add_argument("--palettes", type=int, default=9, help="launches per palette time")
    parser.add_argument("--against", type=Path, help="another checkout of sutui, sampled too")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent
    compile_sources(here)
    if args.against:
        compile_sources(args.against.resolve())
    with tempfile.TemporaryDirectory() as config:
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "SUTUI_CONFIG_DIR": config,
            "SUTUI_DATA_DIR": config,  # the history of a bench run is not the user's
            "SUTUI_KEYRING": "off",
            "PYTHONPATH": str(here),
        }
        for name in ("COLUMNS", "LINES", "TEXTUAL"):
            env.pop(name, None)
        columns = ("demo_yes_no", "demo_echo", "demo_always_sorry", "^p palette")
        sutui = Program("sutui", [sys.executable, "-m", "sutui"], env, columns)
        bare = Program("bare", [sys.executable, "-c", BARE], env, ("hello", "^p palette"))
        programs = [bare, sutui]
        if args.against:
            other = {**env, "PYTHONPATH": str(args.against.resolve())}
            programs.append(Program("before", sutui.argv, other, columns))
        for program in programs:  # warm the OS caches
            launch(program)
        runs: dict[str, list[Launch]] = {p.name: [] for p in programs}
        for _ in range(args.launches):
            for program in programs:
                runs[program.name].append(launch(program))
        typed = [x for _ in range(5) for x in typing(sutui)]
        palettes = {
            (name, t): [palette_at(program, t) for _ in range(args.palettes)]
            for t in (0.1, 0.3, 0.6, 1.0)
            for name, program in (("sutui", sutui), ("bare", bare))
        }
        imports = {
            m: statistics.median(import_time(m, env) for _ in range(5))
            for m in ("textual.app", "sutui.cli.main", "drivers", "sutui.app")
        }
    print(f"{args.launches} launches each, alternating, on a {COLS}x{ROWS} pty; medians")
    for name, pick in (("first paint", "paint"), ("first full frame", "full"),
                       ("key at first paint", "key")):  # fmt: skip
        compare(name, [getattr(r, pick) for r in runs["sutui"]],
                [getattr(r, pick) for r in runs["bare"]])  # fmt: skip
        if args.against:
            compare("", [getattr(r, pick) for r in runs["sutui"]],
                    [getattr(r, pick) for r in runs["before"]], args.against.name)  # fmt: skip
    key_after = [r.key - r.key_paint for r in runs["sutui"]]
    bare_after = [r.key - r.key_paint for r in runs["bare"]]
    print(f"  key handled after paint: bare {ms(bare_after)}  sutui {ms(key_after)}  "
          f"difference {(statistics.median(key_after) - statistics.median(bare_after)) * 1000:.0f}"
          " ms (goal <= 50)")  # fmt: skip
    typed_ms = sorted(x * 1000 for x in typed)
    print(
        f"typing from first paint, 33 characters 30 ms apart, 5 launches: median "
        f"{statistics.median(typed_ms):.0f} ms, max {typed_ms[-1]:.0f} ms (goal max <= 50)"
    )
    print(
        f"ctrl+p at a time after first paint ({args.palettes} launches each): search box "
        "drawn, list drawn (goal <= 50 ms), medians and max"
    )
    for (name, after), samples in palettes.items():
        boxes, lists = [b for b, _ in samples], [x for _, x in samples]
        print(f"  {name:<6} {after:.1f} s: box {ms(boxes)} (max {max(boxes) * 1000:3.0f}), "
              f"list {ms(lists)} (max {max(lists) * 1000:3.0f})")  # fmt: skip
    print("import times (fresh interpreter, medians of 5):")
    for module, seconds in imports.items():
        print(f"  {module:<15} {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
