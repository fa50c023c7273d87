"""Entry point for `sutui` and `python -m sutui`."""

from __future__ import annotations

import sys

from sutui.cli.main import run


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
