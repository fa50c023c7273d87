"""Start-up work that runs after the first frame without making a keystroke wait for it.

The app loads the driver layer (pydantic, the providers, the catalog: ~300 ms of CPU) in a
thread once its first frame is drawn, so the first send does not pay for it. A thread alone
is not enough: it holds the interpreter for up to the switch interval (5 ms) at every hand-off,
and a key passes through three threads (input, UI, writer) before it is on screen, so a key
typed during the warm-up waited 60-90 ms (bench/app_start.py). So the warm-up steps aside:

- while input is recent (a key, a click, a paste in the last QUIET_S), it sleeps before each
  step and before each module it executes (a trace function on its own thread sees each
  module's code start: a module body is the smallest piece an import can be paused between,
  and one costs at most a few ms);
- while it runs, the interpreter switches threads every SWITCH_S instead of every 5 ms;
- it never sleeps while the UI thread waits for it: when the UI thread asks for the driver
  layer (a send, the options screen) `hurry()` stops the stepping aside, and when the UI
  thread waits for a module the warm-up is importing (Python's import lock for that module),
  the warm-up goes on until it is done.

Not a finder on `sys.meta_path`: finders run under Python's global import lock, so a finder
that sleeps stops every import in every thread (the command palette's took 215 ms).
"""

from __future__ import annotations

import importlib._bootstrap  # the module-lock waits (see main_thread_waits)
import sys
import threading
import time
from collections.abc import Callable, Iterable
from types import FrameType

QUIET_S = 0.25
"""Input this recent makes the warm-up wait (typing at 4 keys a second keeps it waiting)."""

PAUSE_S = 0.005
"""How long the warm-up sleeps before looking again."""

SWITCH_S = 0.0005
"""The interpreter's thread switch interval while the warm-up runs (its default is 5 ms)."""


class WarmUp:
    """Runs steps in the calling thread (a worker), stepping aside for input (see above)."""

    def __init__(self) -> None:
        self._quiet_after = 0.0
        """time.monotonic() after which no input is recent."""
        self._hurry = False
        self.done = threading.Event()

    # ----- the UI thread's side ------------------------------------------------------------
    def input_seen(self) -> None:
        """A key, click or paste arrived: step aside for QUIET_S."""
        self._quiet_after = time.monotonic() + QUIET_S

    def quiet(self) -> bool:
        """No input in the last QUIET_S."""
        return time.monotonic() >= self._quiet_after

    def hurry(self) -> None:
        """The UI thread needs what the warm-up loads: stop stepping aside."""
        self._hurry = True

    # ----- the worker's side ---------------------------------------------------------------
    def run(self, steps: Iterable[Callable[[], object]]) -> None:
        """Each step in turn, in this thread, waiting for quiet before each one (and before each
        module a step imports)."""
        switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_S)
        sys.settrace(self._module_starts)  # this thread only
        try:
            for step in steps:
                self.wait_for_quiet()
                step()
        finally:
            sys.settrace(None)
            sys.setswitchinterval(switch)
            self.done.set()

    def wait_for_quiet(self, in_import: bool = False) -> None:
        """Sleep while input is recent; in an import, not while the UI thread waits for it."""
        while not self._hurry and time.monotonic() < self._quiet_after:
            if in_import and main_thread_waits():
                return
            time.sleep(PAUSE_S)

    def _module_starts(self, frame: FrameType, event: str, arg: object) -> None:
        """Called at each Python call in the warm-up's thread; returns None so no line of the
        call is traced (the cost is one check per call)."""
        if frame.f_code.co_name == "<module>":
            self.wait_for_quiet(in_import=True)


def main_thread_waits() -> bool:
    """Whether the UI thread is waiting for a module another thread is importing. CPython keeps
    the threads blocked on a module lock in `importlib._bootstrap._blocking_on` (its import
    deadlock detection; a dict by thread id in 3.11, keyed the same way since); if a Python
    lacks it, the warm-up steps aside only between its steps."""
    blocking = getattr(importlib._bootstrap, "_blocking_on", None)
    if blocking is None:
        return True
    main = threading.main_thread().ident
    return main in blocking and bool(blocking[main])
