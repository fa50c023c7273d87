"""drivers/ never imports textual or sutui: checked in a fresh interpreter and in the source."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DRIVERS = Path(__file__).resolve().parent.parent / "drivers"


def test_importing_every_driver_module_pulls_in_no_ui() -> None:
    code = (
        "import pkgutil, importlib, sys, drivers\n"
        "for m in pkgutil.walk_packages(drivers.__path__, 'drivers.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'sutui'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_source_file_in_drivers_names_textual_or_sutui() -> None:
    offenders = []
    for path in DRIVERS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] in ("textual", "sutui")]
    assert offenders == []
