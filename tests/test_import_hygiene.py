"""drivers/ never imports textual or sutui: checked in a fresh interpreter and in the source."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DRIVERS = Path(__file__).resolve().parent.parent / "drivers"


def in_fresh_python(code: str) -> None:
    """Run `code` in a new interpreter (nothing imported yet); it exits 1 with what is wrong."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_every_driver_module_pulls_in_no_ui() -> None:
    code = (
        "import pkgutil, importlib, sys, drivers\n"
        "for m in pkgutil.walk_packages(drivers.__path__, 'drivers.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'sutui'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    in_fresh_python(code)


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


def test_the_app_module_loads_without_the_driver_layer_behind_it() -> None:
    """The first frame must not wait for pydantic, the providers or the HTTP stack: they load on
    first use (sutui/services.py). Listing the built-in drivers imports none of them."""
    code = (
        "import sys, sutui.app\n"
        "heavy = sorted(n for n in ('pydantic', 'httpx', 'aiohttp', 'click', 'keyring',\n"
        "               'drivers.registry', 'drivers.runner') if n in sys.modules)\n"
        "from drivers.registry import DYNAMIC_SUT_FACTORIES, DriverRegistry\n"
        "names = list(DriverRegistry(group='sutui.none').drivers())\n"
        "providers = sorted(n for n in sys.modules if n.startswith('drivers.providers.'))\n"
        "print(heavy, len(names), providers); sys.exit(1 if heavy or providers else 0)\n"
    )
    in_fresh_python(code)


def test_the_app_module_loads_no_editor_or_tabs_widget() -> None:
    """The first frame's prompt is a stand-in and a wide terminal has no tabs: Textual's
    TextArea (and its document modules) and Tabs load after it (sutui/widgets/prompt_editor.py,
    sutui/screens/column_tabs.py)."""
    code = (
        "import sys, sutui.app\n"
        "bad = sorted(n for n in ('textual.widgets._text_area', 'textual.document',\n"
        "             'textual.widgets._tabs') if n in sys.modules)\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    in_fresh_python(code)


def test_the_app_starts_without_plotext() -> None:
    """The charts' library loads when a chart is first drawn (batch results, leaderboard: g),
    not with the app, the screens it starts on, or the leaderboard's own module."""
    code = (
        "import sys, sutui.app, sutui.screens.leaderboard, sutui.screens.batch_results\n"
        "import sutui.screens.compare_timing\n"
        "bad = sorted(n for n in sys.modules\n"
        "             if n.split('.')[0] in ('plotext', 'textual_plotext'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    in_fresh_python(code)


def test_a_one_shot_run_sut_loads_only_what_one_request_needs(tmp_path: Path) -> None:
    """`run-sut --no-history` with one SUT (issue 16): no history store or sqlite3 (the run is
    not saved), no aiohttp (one request uses httpx's own pool), no Textual."""
    code = (
        "import os, sys\n"
        f"os.environ.update(SUTUI_DATA_DIR={str(tmp_path)!r}, SUTUI_CONFIG_DIR={str(tmp_path)!r},"
        " SUTUI_KEYRING='off', SUTUI_DEMO_DELAY='0')\n"
        "from sutui.cli.main import run\n"
        "code = run(['run-sut', '--sut', 'demo_echo', '--prompt', 'hi', '--no-history'])\n"
        "loaded = [n for n in ('sqlite3', 'sutui.history.store', 'aiohttp', 'textual')"
        " if n in sys.modules]\n"
        "print(loaded); sys.exit(1 if loaded or code else 0)\n"
    )
    in_fresh_python(code)
    assert not list(tmp_path.iterdir())  # nothing written: no history database


def test_the_lazy_driver_table_is_the_guides_dict() -> None:
    from drivers.providers.demo import DemoSUTFactory
    from drivers.registry import DYNAMIC_SUT_FACTORIES

    assert DYNAMIC_SUT_FACTORIES["demo"] is DemoSUTFactory
    assert "openai" in DYNAMIC_SUT_FACTORIES and "nope" not in DYNAMIC_SUT_FACTORIES
    DYNAMIC_SUT_FACTORIES["extra"] = DemoSUTFactory
    try:
        assert dict(DYNAMIC_SUT_FACTORIES)["extra"] is DemoSUTFactory
    finally:
        del DYNAMIC_SUT_FACTORIES["extra"]
    assert "extra" not in DYNAMIC_SUT_FACTORIES


def test_no_screen_or_widget_needs_the_cli() -> None:
    """sutui/cli/ is the command line (click); the screens share what they need with it through
    modules outside it (sutui.errors.InputError, sutui.targets, sutui.secret_check)."""
    code = (
        "import pkgutil, importlib, sys, sutui.screens, sutui.widgets\n"
        "for pkg in (sutui.screens, sutui.widgets):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "import sutui.app, sutui.commands, sutui.secret_check, sutui.targets\n"
        "bad = sorted(n for n in sys.modules if n.startswith('sutui.cli'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    in_fresh_python(code)


def test_sutui_has_no_import_cycle() -> None:
    """No two sutui modules import each other, at module level or inside a function (imports
    under `if TYPE_CHECKING:` never run and are left out): a screen reaches the app through
    messages (sutui/messages.py) and Services, and the app reaches a screen through the registry
    (sutui/screens/registry.py). `scripts/import_cycles.py` prints any cycle."""
    import importlib.util

    path = DRIVERS.parent / "scripts" / "import_cycles.py"
    spec = importlib.util.spec_from_file_location("import_cycles", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    graph = module.import_graph("sutui")
    assert "sutui.screens.compare" in graph["sutui.app"]  # the graph is read, not empty
    assert module.cycles(graph) == []
