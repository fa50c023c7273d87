"""Entry point for `sutui` and `python -m sutui`."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path


def main() -> None:
    argv = sys.argv[1:]
    if not argv:
        # The cyclic garbage collector is off until the app's first frame (SutuiApp.on_ready):
        # importing Textual and building the first screen allocate ~94,000 objects, and the
        # collector's passes over them took ~22 ms of the start (bench/app_start.py); at the
        # first frame fewer than 2,000 of them are unreachable cycles.
        gc.disable()
        sys.exit(_app_only())
    from sutui.cli.main import run

    sys.exit(run(argv))


def _app_only() -> int:
    """`sutui` alone opens the app without loading click and the CLI first (the first frame
    comes sooner); any failure is reported as the CLI reports it."""
    try:
        from sutui.app import run_app

        secrets_file = os.environ.get("SUTUI_SECRETS_FILE")
        return run_app(Path(secrets_file) if secrets_file else None)
    except BaseException as exc:
        from sutui.cli.errors import flush_quietly, report

        flush_quietly()
        return report(exc)


if __name__ == "__main__":
    main()
