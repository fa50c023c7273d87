"""The predefined SUT catalog: the shipped config/suts.toml, the user's file, and their errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from drivers.catalog import Catalog, CatalogError, UnknownSUTError, load_file
from drivers.locations import shipped_config_dir, user_suts_file
from drivers.uid import PredefinedSUT, SUTDefinition, parse_uid

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "config" / "suts.toml"
DRIVER_NAMES = frozenset(
    {
        "openai",
        "together",
        "hf",
        "hfrelay",
        "modelship",
        "anthropic",
        "google",
        "mistral",
        "nvidia-nim",
        "ollama",
        "demo",
    }
)
DEMO_NAMES = {"demo_yes_no", "demo_random_words", "demo_always_angry", "demo_always_sorry"}
# The least each provider group must offer (hf and hfrelay count together).
MINIMUM_PER_GROUP = {
    "openai": 6,
    "together": 6,
    "huggingface": 8,
    "anthropic": 4,
    "google": 5,
    "mistral": 4,
    "nvidia-nim": 3,
    "ollama": 3,
    "demo": 5,
}


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private user config dir, named through SUTUI_CONFIG_DIR."""
    config = tmp_path / "user-config"
    config.mkdir()
    monkeypatch.setenv("SUTUI_CONFIG_DIR", str(config))
    return config


@pytest.fixture
def shipped_entries() -> list:
    return load_file(SHIPPED)


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def raw_entries() -> list[dict]:
    return tomllib.loads(SHIPPED.read_text(encoding="utf-8"))["sut"]


# ----- the shipped file ------------------------------------------------------------------------


def test_shipped_file_is_the_one_sutui_finds():
    assert shipped_config_dir().resolve() == SHIPPED.parent.resolve()


def test_shipped_file_loads_with_at_least_40_entries(shipped_entries):
    assert len(shipped_entries) >= 40
    assert all(entry.source == SHIPPED for entry in shipped_entries)


def test_shipped_catalog_loads_without_a_user_file(user_dir):
    catalog = Catalog.load()
    assert not user_suts_file().exists()
    assert len(catalog) == len(raw_entries())


def test_names_are_unique_even_ignoring_case(shipped_entries):
    names = [entry["uid"] for entry in raw_entries()]
    assert len(names) == len(set(names))
    lowered = [name.lower() for name in names]
    assert len(lowered) == len(set(lowered)), "two names differ only by case"
    assert len(shipped_entries) == len(names)


def test_every_entry_uses_a_known_driver(shipped_entries):
    unknown = {
        e.uid: e.definition.driver
        for e in shipped_entries
        if e.definition.driver not in DRIVER_NAMES
    }
    assert not unknown


def test_every_entry_has_a_one_line_description(shipped_entries):
    for entry in shipped_entries:
        assert entry.description.strip(), entry.uid
        assert "\n" not in entry.description, entry.uid


def test_every_name_is_a_predefined_uid(shipped_entries):
    for entry in shipped_entries:
        assert parse_uid(entry.uid) == PredefinedSUT(entry.uid)


def test_every_canonical_uid_round_trips(shipped_entries):
    for entry in shipped_entries:
        definition = entry.definition
        assert definition.name == entry.uid
        assert definition.uid == entry.uid
        # The full canonical UID (with options) and the dynamic part both parse back.
        full = parse_uid(definition.format())
        assert isinstance(full, SUTDefinition)
        assert full == definition, entry.uid
        assert full.format() == definition.format()
        dynamic = parse_uid(definition.dynamic_uid)
        assert isinstance(dynamic, SUTDefinition)
        assert dynamic == replace(definition, options=())
        assert dynamic.dynamic_uid == definition.dynamic_uid


def test_model_ids_keep_the_providers_case(shipped_entries):
    for raw in raw_entries():
        entry = next(e for e in shipped_entries if e.uid == raw["uid"])
        expected = f"{raw['maker']}/{raw['model']}" if "maker" in raw else raw["model"]
        assert entry.definition.external_model_name() == expected


def test_model_names_with_a_colon_are_percent_encoded(shipped_entries):
    ollama = [e for e in shipped_entries if e.definition.driver == "ollama"]
    with_colon = [e for e in ollama if ":" in e.definition.model]
    assert with_colon
    for entry in with_colon:
        assert "%3A" in entry.definition.dynamic_uid
        assert entry.definition.dynamic_uid.count(":") == 1


def test_hfrelay_entries_name_a_provider(shipped_entries):
    relays = [e for e in shipped_entries if e.definition.driver == "hfrelay"]
    assert relays
    for entry in relays:
        assert entry.definition.provider, entry.uid
        assert entry.definition.maker, entry.uid


def test_each_provider_group_has_its_minimum(shipped_entries):
    counts: dict[str, int] = {}
    for entry in shipped_entries:
        driver = entry.definition.driver
        group = "huggingface" if driver in ("hf", "hfrelay") else driver
        counts[group] = counts.get(group, 0) + 1
    short = {g: (counts.get(g, 0), n) for g, n in MINIMUM_PER_GROUP.items() if counts.get(g, 0) < n}
    assert not short


def test_demo_entries_are_kept(shipped_entries):
    by_name = {e.uid: e for e in shipped_entries}
    for name in DEMO_NAMES:
        assert by_name[name].definition.driver == "demo"
        assert by_name[name].definition.model == name.removeprefix("demo_")


def test_upstream_names_are_used(shipped_entries):
    names = {e.uid for e in shipped_entries}
    upstream = {
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-3.5-turbo",
        "claude-3-5-haiku-20241022",
        "llama-3.1-8b-instruct-turbo-together",
        "mistralai-ministral-8b-2410",
        "nvidia-nemotron-mini-4b-instruct",
        "google-genai-gemini-2.0-flash",
        "meta-llama-3_1-8b-instruct-hf-nebius",
        "google-gemma-3-27b-it-hf-nebius",
    }
    assert upstream <= names


def test_seed_olmo_entry(user_dir):
    entry = Catalog.load().entry("olmo-7b-0724-instruct-hf")
    definition = entry.definition
    assert definition.driver == "hf"
    assert definition.external_model_name() == "allenai/OLMo-7B-0724-Instruct-hf"
    assert definition.base_url and definition.base_url.startswith("https://")
    assert "dedicated" in entry.description


def test_shipped_entries_of_known_upstream_suts_point_at_the_right_model(shipped_entries):
    by_name = {e.uid: e.definition for e in shipped_entries}
    assert by_name["llama-3.1-8b-instruct-turbo-together"].external_model_name() == (
        "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"
    )
    gemma = by_name["google-gemma-3-27b-it-hf-nebius"]
    assert gemma.dynamic_uid == "google/gemma-3-27b-it:nebius:hfrelay"
    assert by_name["google-genai-gemini-2.0-flash"].dynamic_uid == "gemini-2.0-flash:google"


# ----- malformed files -------------------------------------------------------------------------


def assert_names_file_and_entry(exc: pytest.ExceptionInfo[CatalogError], path: Path, entry: str):
    message = str(exc.value)
    assert str(path) in message
    assert entry in message


def test_malformed_toml(tmp_path):
    path = write(tmp_path / "suts.toml", '[[sut]]\nuid = "broken\n')
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    message = str(exc.value)
    assert str(path) in message
    assert "not valid TOML" in message
    assert "line 2" in message  # where in the file: the entry being written


def test_unreadable_file(tmp_path):
    path = tmp_path / "missing.toml"
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert str(path) in str(exc.value)


def test_sut_that_is_not_an_array_of_tables(tmp_path):
    path = write(tmp_path / "suts.toml", 'sut = "gpt-4o"\n')
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert str(path) in str(exc.value)
    assert "[[sut]]" in str(exc.value)


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path / "suts.toml", '[suts]\nuid = "x"\n')
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert str(path) in str(exc.value)
    assert "suts" in str(exc.value)


def test_non_table_entry(tmp_path):
    path = write(
        tmp_path / "suts.toml",
        """\
        sut = [{ uid = "ok", driver = "demo", model = "echo" }, "gpt-4o"]
        """,
    )
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert_names_file_and_entry(exc, path, "entry #2")
    assert "not a table" in str(exc.value)


@pytest.mark.parametrize("missing", ["model", "driver"])
def test_missing_model_or_driver(tmp_path, missing):
    fields = {"uid": "my-sut", "driver": "openai", "model": "gpt-4o"}
    del fields[missing]
    body = "".join(f'{k} = "{v}"\n' for k, v in fields.items())
    path = write(tmp_path / "suts.toml", "[[sut]]\n" + body)
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert_names_file_and_entry(exc, path, "entry 'my-sut'")
    assert f"{missing} is missing" in str(exc.value)


def test_missing_uid(tmp_path):
    path = write(tmp_path / "suts.toml", '[[sut]]\ndriver = "demo"\nmodel = "echo"\n')
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert_names_file_and_entry(exc, path, "entry #1")
    assert "uid" in str(exc.value)


def test_unknown_key(tmp_path):
    path = write(
        tmp_path / "suts.toml",
        """\
        [[sut]]
        uid = "my-sut"
        driver = "openai"
        model = "gpt-4o"
        temperature = "0.5"
        """,
    )
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert_names_file_and_entry(exc, path, "entry 'my-sut'")
    assert "temperature" in str(exc.value)
    assert "allowed" in str(exc.value)


def test_bad_option_value(tmp_path):
    path = write(
        tmp_path / "suts.toml",
        """\
        [[sut]]
        uid = "thinker"
        driver = "google"
        model = "gemini-2.5-flash"
        options = { reas = "maybe" }
        """,
    )
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert_names_file_and_entry(exc, path, "entry 'thinker'")
    assert "maybe" in str(exc.value)
    assert "reas=y" in str(exc.value)  # the fix


def test_bad_url_option(tmp_path):
    path = write(
        tmp_path / "suts.toml",
        """\
        [[sut]]
        uid = "local"
        driver = "openai"
        model = "m"
        options = { url = "localhost:8000" }
        """,
    )
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert_names_file_and_entry(exc, path, "entry 'local'")


def test_options_that_are_not_a_table(tmp_path):
    path = write(
        tmp_path / "suts.toml",
        '[[sut]]\nuid = "x"\ndriver = "demo"\nmodel = "echo"\noptions = "delay=1"\n',
    )
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert_names_file_and_entry(exc, path, "entry 'x'")


def test_field_that_is_not_a_string(tmp_path):
    path = write(tmp_path / "suts.toml", '[[sut]]\nuid = "x"\ndriver = "demo"\nmodel = 7\n')
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert_names_file_and_entry(exc, path, "entry 'x'")
    assert "model must be a string" in str(exc.value)


def test_uid_with_a_colon(tmp_path):
    path = write(
        tmp_path / "suts.toml",
        '[[sut]]\nuid = "gpt-4o:openai"\ndriver = "openai"\nmodel = "gpt-4o"\n',
    )
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert_names_file_and_entry(exc, path, "entry 'gpt-4o:openai'")
    assert "no ':'" in str(exc.value)


def test_duplicate_uid(tmp_path):
    path = write(
        tmp_path / "suts.toml",
        """\
        [[sut]]
        uid = "twice"
        driver = "demo"
        model = "echo"

        [[sut]]
        uid = "other"
        driver = "demo"
        model = "yes_no"

        [[sut]]
        uid = "twice"
        driver = "demo"
        model = "always_sorry"
        """,
    )
    with pytest.raises(CatalogError) as exc:
        load_file(path)
    assert_names_file_and_entry(exc, path, "entry 'twice'")
    assert "duplicates entry #1" in str(exc.value)


def test_a_model_with_a_colon_and_options_loads(tmp_path):
    path = write(
        tmp_path / "suts.toml",
        """\
        [[sut]]
        uid = "my-llama"
        driver = "ollama"
        model = "llama3:8b"
        options = { url = "http://127.0.0.1:11434" }
        """,
    )
    (entry,) = load_file(path)
    assert entry.definition.model == "llama3:8b"
    assert entry.definition.format() == "llama3%3A8b:ollama;url=http://127.0.0.1:11434"
    assert parse_uid(entry.definition.format()) == entry.definition


def test_an_empty_file_has_no_entries(tmp_path):
    assert load_file(write(tmp_path / "suts.toml", "# nothing yet\n")) == []


# ----- the user's file -------------------------------------------------------------------------


def test_user_file_adds_and_replaces(user_dir):
    write(
        user_dir / "suts.toml",
        """\
        [[sut]]
        uid = "my-local-llama"
        driver = "openai"
        maker = "meta-llama"
        model = "Llama-3.1-8B-Instruct"
        provider = "vllm"
        options = { url = "http://127.0.0.1:8000/v1" }
        description = "My own vLLM server."

        [[sut]]
        uid = "gpt-4o"
        driver = "openai"
        model = "gpt-4o-2024-11-20"
        description = "Pinned."
        """,
    )
    assert user_suts_file() == user_dir / "suts.toml"
    shipped_count = len(raw_entries())
    catalog = Catalog.load()
    assert len(catalog) == shipped_count + 1
    added = catalog.entry("my-local-llama")
    assert added.source == user_dir / "suts.toml"
    assert added.definition.base_url == "http://127.0.0.1:8000/v1"
    assert added.definition.provider == "vllm"
    replaced = catalog.entry("gpt-4o")
    assert replaced.source == user_dir / "suts.toml"
    assert replaced.description == "Pinned."
    assert catalog.get("gpt-4o").model == "gpt-4o-2024-11-20"
    assert catalog.get("gpt-4o").uid == "gpt-4o"
    # Shipped entries not named by the user are untouched.
    assert catalog.entry("demo_echo").source == SHIPPED
    assert "demo_echo" in catalog
    assert [e.uid for e in catalog] == sorted((e.uid for e in catalog), key=str.lower)


def test_broken_user_file_names_the_user_file(user_dir):
    path = write(user_dir / "suts.toml", '[[sut]]\nuid = "mine"\ndriver = "demo"\n')
    with pytest.raises(CatalogError) as exc:
        Catalog.load()
    assert_names_file_and_entry(exc, path, "entry 'mine'")


# ----- lookups ---------------------------------------------------------------------------------


def test_unknown_name_suggests_the_closest(user_dir):
    catalog = Catalog.load()
    with pytest.raises(UnknownSUTError) as exc:
        catalog.entry("gpt-4o-min")
    message = str(exc.value)
    assert "gpt-4o-min" in message
    assert "Did you mean 'gpt-4o-mini'" in message
    assert "sutui list-suts" in message


def test_unknown_name_suggestion_ignores_case(user_dir):
    with pytest.raises(UnknownSUTError) as exc:
        Catalog.load().get("DEMO_ECHO")
    assert "'demo_echo'" in str(exc.value)


def test_unknown_name_with_nothing_close(user_dir):
    with pytest.raises(UnknownSUTError) as exc:
        Catalog.load().entry("zzzzzzzzzzzzzzzzzzzz")
    assert "Did you mean" not in str(exc.value)
    assert "sutui list-suts" in str(exc.value)


def test_lookup_is_case_sensitive(user_dir):
    catalog = Catalog.load()
    assert "Mistral-7B-Instruct-v0.2" in catalog
    assert "mistral-7b-instruct-v0.2" not in catalog


# ----- the wheel -------------------------------------------------------------------------------


def test_wheel_carries_the_shipped_catalog(tmp_path):
    pytest.importorskip("hatchling")
    # Build from a copy of what the wheel is made of, so files others edit (or a README not yet
    # written) do not decide the outcome: the packaging config is under test.
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy2(REPO / "pyproject.toml", src / "pyproject.toml")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("drivers", "sutui", "config"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=ignore)
        else:
            (src / name).mkdir()
    readme = REPO / "README.md"
    if readme.is_file():
        shutil.copy2(readme, src / "README.md")
    else:
        (src / "README.md").write_text("# sutui\n", encoding="utf-8")
    out = tmp_path / "dist"
    out.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from hatchling.build import build_wheel; print(build_wheel(sys.argv[1]))",
            str(out),
        ],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = out.glob("sutui-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "drivers/_shipped_config/suts.toml" in names
        packed = zf.read("drivers/_shipped_config/suts.toml")
        zf.extract("drivers/_shipped_config/suts.toml", tmp_path / "unpacked")
    assert packed == SHIPPED.read_bytes()
    assert "drivers/catalog.py" in names
    assert "drivers/locations.py" in names
    # The packed file loads as the shipped one does.
    packed_entries = load_file(tmp_path / "unpacked" / "drivers" / "_shipped_config" / "suts.toml")
    assert [e.uid for e in packed_entries] == [e["uid"] for e in raw_entries()]
