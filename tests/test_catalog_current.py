"""The shipped catalog names models the providers serve now, and says when one is gone.

The pinned official SDKs (test extra) are the ground truth: every current OpenAI and Anthropic
entry must name a model its SDK lists, so raising a pin fails here until the catalog follows.
Retired entries stay, hidden from lists, and running one by name is refused before any request.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
import typing
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from test_app_support import TEST_SUTS, fixed_registry, isolated, settle
from textual.widgets import DataTable, OptionList

from drivers.catalog import Catalog, CatalogError, load_file, reset_default_catalog
from drivers.locations import shipped_config_dir
from drivers.registry import make_sut, resolve
from drivers.retirement import RetiredSUTError
from drivers.secret_store import SecretStore
from sutui.app import make_app
from sutui.cli.main import run
from sutui.screens.suts import SUTsScreen
from sutui.settings import Settings

__all__ = ["isolated"]  # no user config, no demo delay (tests/test_app_support.py)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = shipped_config_dir() / "suts.toml"
TODAY = date(2026, 12, 4)  # the day the catalog was checked: scripts/stale_models.py --today


def literal_strings(tp: Any) -> set[str]:
    if typing.get_origin(tp) is typing.Literal:
        return {a for a in typing.get_args(tp) if isinstance(a, str)}
    return set().union(*(literal_strings(a) for a in typing.get_args(tp)))


@pytest.fixture(autouse=True)
def fresh_catalog() -> Any:
    """The CLI reads the catalog once per process: each test reads its own user file."""
    reset_default_catalog()
    yield
    reset_default_catalog()


def user_catalog(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "config"  # SUTUI_CONFIG_DIR (the `isolated` fixture)
    config.mkdir(exist_ok=True)
    path = config / "suts.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# ----- (1) the catalog names what the pinned SDKs list -------------------------------------------


def current_models(driver: str) -> dict[str, str]:
    """uid -> model id of the shipped, current entries of a driver that reach its provider."""
    return {
        e.uid: e.definition.external_model_name()
        for e in Catalog(load_file(SHIPPED)).current()
        if e.definition.driver == driver and e.definition.base_url is None
    }


def test_openai_entries_name_models_the_openai_sdk_lists() -> None:
    from openai.types.shared.chat_model import ChatModel

    listed = literal_strings(ChatModel)
    entries = current_models("openai")
    assert len(entries) >= 5
    stale = {uid: model for uid, model in entries.items() if model not in listed}
    assert not stale, f"openai's ChatModel does not list these; retire them: {stale}"


def test_anthropic_entries_name_models_the_anthropic_sdk_lists() -> None:
    from anthropic.types.model import Model

    listed = literal_strings(Model)
    entries = current_models("anthropic")
    assert len(entries) >= 3
    stale = {uid: model for uid, model in entries.items() if model not in listed}
    assert not stale, f"anthropic's Model does not list these; retire them: {stale}"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stale_models", ROOT / "scripts/stale_models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["stale_models"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_stale_models_script_passes_the_shipped_catalog_and_names_stale_entries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = load_script()
    assert script.main(["--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "none stale" in out and "openai 3" in out and "anthropic 2" in out
    stale = tmp_path / "suts.toml"
    stale.write_text(
        textwrap.dedent("""\
        [[sut]]
        uid = "old-gpt"
        driver = "openai"
        model = "gpt-3.5-turbo"

        [[sut]]
        uid = "old-claude"
        driver = "anthropic"
        model = "claude-3-5-haiku-20241022"

        [[sut]]
        uid = "own-server"
        driver = "openai"
        model = "anything"
        options = { url = "http://127.0.0.1:9/v1" }
        """)
    )
    assert script.main(["--catalog", str(stale), "--today", TODAY.isoformat()]) == 1
    out = capsys.readouterr().out
    assert "old-gpt: openai 3.60.0 says 'gpt-3.5-turbo' was shut down on 2026-10-23" in out
    assert "old-claude: anthropic 2.16.0 does not name the model 'claude-3-5-haiku-20241022'" in out
    assert "own-server" not in out  # its own server: no SDK speaks for it


# ----- (2) retired entries and their replacements ------------------------------------------------


def test_shipped_retired_entries_point_at_current_ones() -> None:
    catalog = Catalog(load_file(SHIPPED))
    assert len(catalog.current()) >= 40
    retired = [e for e in catalog if e.retired is not None]
    named_in_issue = {
        "claude-3-5-haiku-20241022", "claude-sonnet-4-20250514", "claude-opus-4-20250514",
        "claude-opus-4-1-20250805", "google-genai-gemini-2.0-flash", "gpt-3.5-turbo",
        "mistralai-mistral-large-2411", "olmo-7b-0724-instruct-hf",
    }  # fmt: skip
    assert named_in_issue <= {e.uid for e in retired}
    for entry in retired:
        assert entry.retired is not None and entry.retired <= TODAY
        assert entry.replacement is not None, entry.uid
        assert catalog.entry(entry.replacement).retired is None


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ('retired = "2026-13-01"\nreplacement = "demo_echo"', "retired must be a date"),
        ('retired = "yesterday"', "retired must be a date"),
        ('retired = "2026-10-23"\nreplacement = "demo_ehco"', "is no SUT in the catalog"),
        ('retired = "2026-10-23"\nreplacement = "older"', "is itself retired"),
        ('replacement = "demo_echo"', "replacement goes with retired"),
        ("retired = 2026-10-23\nreplacement = 7", "replacement must be a string"),
    ],
)
def test_bad_retirement_fields_are_catalog_errors(
    tmp_path: Path, fields: str, problem: str
) -> None:
    path = user_catalog(
        tmp_path,
        '[[sut]]\nuid = "older"\ndriver = "demo"\nmodel = "echo"\nretired = "2025-01-01"\n'
        'replacement = "demo_echo"\n\n'
        f'[[sut]]\nuid = "old"\ndriver = "demo"\nmodel = "echo"\n{fields}\n',
    )
    with pytest.raises(CatalogError) as exc:
        Catalog.load(user=path)
    message = str(exc.value)
    assert str(path) in message and "'old'" in message and problem in message
    if "demo_ehco" in fields:
        assert "did you mean 'demo_echo'" in message


def test_a_toml_date_is_taken_and_the_entry_keeps_both_fields(tmp_path: Path) -> None:
    path = user_catalog(
        tmp_path,
        """\
        [[sut]]
        uid = "old"
        driver = "demo"
        model = "echo"
        retired = 2026-10-23
        replacement = "demo_echo"
        """,
    )
    entry = Catalog.load(user=path).entry("old")
    assert (entry.retired, entry.replacement) == (date(2026, 10, 23), "demo_echo")
    assert entry.retired_note == "retired 2026-10-23 → demo_echo"


def test_a_retired_name_is_refused_but_its_model_uid_is_not(tmp_path: Path) -> None:
    catalog = Catalog(load_file(SHIPPED))
    with pytest.raises(RetiredSUTError) as exc:
        make_sut("gpt-3.5-turbo", {"openai": {"api_key": "sk-test"}}, catalog)
    assert str(exc.value).startswith(
        "gpt-3.5-turbo was retired by its provider on 2026-10-23: use gpt-5.4-mini "
        "(sutui list-suts shows the current ones)."
    )
    assert "'gpt-3.5-turbo:openai'" in str(exc.value)
    definition, _ = resolve("gpt-3.5-turbo:openai", catalog)  # the user may know better
    assert definition.model == "gpt-3.5-turbo"
    assert catalog.entry("gpt-3.5-turbo").retired == date(2026, 10, 23)  # still looked up


# ----- (3) list-suts -----------------------------------------------------------------------------


def test_list_suts_hides_retired_unless_all(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "list-suts")
    rows = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert code == 0 and "gpt-5.4-mini" in rows and "gpt-3.5-turbo" not in rows
    hidden = sum(1 for e in Catalog(load_file(SHIPPED)) if e.retired)
    assert f"{hidden} retired SUTs were left out" in out and "`sutui list-suts --all`" in out
    code, out, _ = cli(capsys, "list-suts", "--all")
    line = next(x for x in out.splitlines() if x.startswith("gpt-3.5-turbo "))
    assert code == 0 and line.endswith("retired 2026-10-23 → gpt-5.4-mini")
    assert "left out" not in out
    _, out, _ = cli(capsys, "list-suts", "--json")
    assert "gpt-3.5-turbo" not in {row["uid"] for row in json.loads(out)}


def test_list_suts_json_all_carries_the_retirement(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli(capsys, "list-suts", "--json", "--all")
    rows = {row["uid"]: row for row in json.loads(out)}
    old = rows["gpt-3.5-turbo"]
    assert (old["retired"], old["replacement"], old["ready"]) == (
        "2026-10-23",
        "gpt-5.4-mini",
        False,
    )
    assert rows["gpt-5.4-mini"]["retired"] is None


# ----- (4) running a retired SUT -----------------------------------------------------------------


def retired_local(tmp_path: Path, server: Any) -> str:
    """A retired user entry whose driver would reach the loopback provider server."""
    user_catalog(
        tmp_path,
        f"""\
        [[sut]]
        uid = "old-local"
        driver = "openai"
        model = "m1"
        provider = "local"
        options = {{ url = "{server.url}/local/v1" }}
        retired = "2026-10-23"
        replacement = "demo_echo"
        """,
    )
    return f"m1:local:openai;url={server.url}/local/v1"


def test_run_sut_of_a_retired_sut_exits_2_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], provider_server: Any
) -> None:
    dynamic = retired_local(tmp_path, provider_server)
    code, out, err = cli(capsys, "run-sut", "--sut", "old-local", "--prompt", "hi")
    assert code == 2 and out == ""
    assert (
        "old-local was retired by its provider on 2026-10-23: use demo_echo "
        "(sutui list-suts shows the current ones)"
    ) in err
    assert provider_server.requests == []
    code, _, err = cli(capsys, "run-sut", "--sut", dynamic, "--prompt", "hi")
    assert code == 0, err  # the same model by its UID runs: only the name is retired
    assert len(provider_server.requests) == 1


def test_batch_of_a_retired_sut_exits_2_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], provider_server: Any
) -> None:
    retired_local(tmp_path, provider_server)
    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"prompt": "hi"}\n')
    code, _, err = cli(
        capsys, "batch", "--sut", "demo_echo", "--sut", "old-local", "--prompts", str(prompts),
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 2 and "old-local was retired by its provider on 2026-10-23" in err
    assert provider_server.requests == [] and not (tmp_path / "out").exists()


def test_uid_explains_a_retired_name_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "uid", "gpt-3.5-turbo")
    assert code == 2 and "retired:       2026-10-23 → gpt-5.4-mini" in out
    assert "use gpt-5.4-mini" in err


# ----- the app: hidden, found by name, refused ---------------------------------------------------

RETIRED_APP_SUT = """
[[sut]]
uid = "gpt-old"
driver = "openai"
model = "gpt-old"
description = "An old model."
retired = "2026-10-23"
replacement = "gpt-4o"
"""


def app_with_retired(tmp_path: Path, suts: list[str], url: str | None = None) -> Any:
    """The app tests' fixed catalog plus one retired SUT (reaching `url` if given)."""
    extra = RETIRED_APP_SUT + (f'options = {{ url = "{url}" }}\n' if url else "")
    path = tmp_path / "app-suts.toml"
    path.write_text(TEST_SUTS + extra, encoding="utf-8")
    store = SecretStore(environ={"OPENAI_API_KEY": "sk-test"}, search_file=False, use_keyring=False)
    return make_app(
        store=store,
        catalog=Catalog(load_file(path)),
        registry=fixed_registry(),
        settings=Settings(show_timings=False),
        suts=suts,
    )


async def test_suts_screen_shows_a_retired_sut_only_when_its_name_is_searched(
    tmp_path: Path,
) -> None:
    app = app_with_retired(tmp_path, ["demo_echo"])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SUTsScreen)
        table = app.screen.query_one(DataTable)
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "gpt-old" not in names and "gpt-4o" in names
        assert "1 retired" in str(table.border_title)
        await pilot.press(*"model")  # in its description ("An old model."), not its name
        await pilot.pause()
        assert table.row_count == 0
        await pilot.press("ctrl+u", *"gp")  # too few letters to search the retired names
        await pilot.pause()
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["gpt-4o"]
        await pilot.press("t")
        await pilot.pause()
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert names == ["gpt-4o", "gpt-old"]
        assert str(table.get_row_at(1)[2]) == "retired 2026-10-23 → gpt-4o"
        await pilot.press("down", "down", "a")
        await settle(pilot)
        assert [c.uid for c in app.compare.columns] == ["demo_echo"]  # not added: told why
        assert any("use gpt-4o" in str(n.message) for n in app._notifications)


async def test_picker_leaves_retired_suts_out(tmp_path: Path) -> None:
    app = app_with_retired(tmp_path, ["demo_echo"])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f2", "ctrl+n")
        await pilot.pause()
        choices = app.screen.query_one("#choices", OptionList)
        ids = {choices.get_option_at_index(i).id for i in range(choices.option_count)}
        assert "c:gpt-4o" in ids and "c:gpt-old" not in ids


async def test_a_column_of_a_retired_sut_fails_before_any_request(
    tmp_path: Path, provider_server: Any
) -> None:
    from test_app_support import send

    app = app_with_retired(tmp_path, ["gpt-old", "demo_echo"], f"{provider_server.url}/local/v1")
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "hello")
        old, echo = app.compare.columns
        assert old.status == "error" and echo.text == "hello"
        assert old.error is not None and "use gpt-4o" in old.error.message
    assert provider_server.requests == []
