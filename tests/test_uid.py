"""The UID grammar: examples from DESIGN.md and upstream's bugs, plus property tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.uid import PredefinedSUT, SUTDefinition, UIDError, parse_uid


def dyn(uid: str) -> SUTDefinition:
    ref = parse_uid(uid)
    assert isinstance(ref, SUTDefinition)
    return ref


def test_issue_example_with_provider_and_date() -> None:
    d = dyn("google/gemma-3-27b-it:nebius:hfrelay:20250507")
    assert (d.maker, d.model, d.provider, d.driver, d.date) == (
        "google",
        "gemma-3-27b-it",
        "nebius",
        "hfrelay",
        "20250507",
    )
    assert d.format() == "google/gemma-3-27b-it:nebius:hfrelay:20250507"


@pytest.mark.parametrize(
    ("uid", "expected"),
    [
        ("phi-3.5-moe-instruct:azure", (None, "phi-3.5-moe-instruct", None, "azure", None)),
        ("m:d:2025-05-07", (None, "m", None, "d", "2025-05-07")),
        ("a/b/c/d:together", ("a", "b/c/d", None, "together", None)),
        ("llama3%3A8b:ollama", (None, "llama3:8b", None, "ollama", None)),
        (
            "Meta-Llama/Llama-3.1-8B:Together",
            ("Meta-Llama", "Llama-3.1-8B", None, "together", None),
        ),
    ],
)
def test_parts(uid: str, expected: tuple[str | None, ...]) -> None:
    d = dyn(uid)
    assert (d.maker, d.model, d.provider, d.driver, d.date) == expected


def test_model_case_is_kept_for_the_provider() -> None:
    d = dyn("Google/Gemma-3:hf")
    assert d.external_model_name() == "Google/Gemma-3"
    assert d.format() == "Google/Gemma-3:hf"


def test_options_split_on_first_equals_and_keep_underscores() -> None:
    d = dyn("maker/model:mysut:openai;url=http://my_host:8080/v1/?a=b&c=d")
    assert d.base_url == "http://my_host:8080/v1/?a=b&c=d"
    assert d.provider == "mysut"
    assert parse_uid(d.format()) == d


@pytest.mark.parametrize("word", ["y", "Y", "yes", "YES", "true", "1"])
def test_true_booleans(word: str) -> None:
    assert dyn(f"m:google;reas={word}").reasoning is True


@pytest.mark.parametrize("word", ["n", "No", "false", "0"])
def test_false_booleans(word: str) -> None:
    d = dyn(f"m:google;reas={word}")
    assert d.reasoning is False
    assert d.format() == "m:google;reas=n"


def test_metadata_options_override_the_dynamic_part() -> None:
    assert dyn("m:d;mk=foo").format() == "foo/m:d"
    assert dyn("m:d;pr=nebius;dt=20250101").format() == "m:nebius:d:20250101"


def test_vllm_options_are_kept_and_written_back() -> None:
    d = dyn("org/m:modelship;vllm-dtype=half;url=http://h/v1")
    assert d.get_matching("vllm-") == {"vllm-dtype": "half"}
    assert d.format() == "org/m:modelship;url=http://h/v1;vllm-dtype=half"
    assert d.get("base_url") == "http://h/v1"


def test_percent_encoded_values_and_names_round_trip() -> None:
    d = SUTDefinition(model="a:b;c%d e", driver="x", options=(("note", "1;2%3"),))
    assert d.format() == "a%3Ab%3Bc%25d%20e:x;note=1%3B2%253"
    assert parse_uid(d.format()) == d


def test_model_with_slash_and_no_maker_round_trips() -> None:
    d = SUTDefinition(model="a/b", driver="x")
    assert d.format() == "a%2Fb:x"
    assert parse_uid(d.format()) == d


def test_predefined_names() -> None:
    assert parse_uid("demo_yes_no") == PredefinedSUT("demo_yes_no")
    assert parse_uid("  olmo-7b-0724-instruct-hf ") == PredefinedSUT("olmo-7b-0724-instruct-hf")
    assert parse_uid("moonshotai/Kimi-K2.5-together-thinking-excluded-hf") == PredefinedSUT(
        "moonshotai/Kimi-K2.5-together-thinking-excluded-hf"
    )


@pytest.mark.parametrize(
    ("uid", "problem", "fix"),
    [
        ("a:b:c:d:e", "5 ':'-separated parts", "%3A"),
        ("a:b:c:notadate", "is not a date", "20250507"),
        ("model:", "driver is missing", "list-drivers"),
        (":driver", "model is missing", "model"),
        ("/m:d", "nothing before the '/'", "maker/model"),
        ("m::d", "provider between the two ':' is empty", "extra ':'"),
        ("m:d;url", "has no '='", "key=value"),
        ("m:d;url=", "has no value", "url=VALUE"),
        ("m:d;reas=maybe", "must be yes or no", "reas=y"),
        ("m:d;url=ftp://x", "not an http(s) URL", "http://127.0.0.1"),
        ("m:d;a=1;a=2", "given twice", "Keep one"),
        ("m%zz:d", "'%' not followed by two hex digits", "%25"),
        ("m:d;dt=yesterday", "is not a date", "YYYYMMDD"),
        ("m:D!:x", "is not a provider name", "letters"),
        ("demo_yes_no;url=http://x", "need a dynamic UID", "Predefined SUTs take no options"),
        ("", "empty", "predefined"),
        ("m:d;9x=1", "is not an option name", "letters"),
    ],
)
def test_errors_name_uid_problem_and_fix(uid: str, problem: str, fix: str) -> None:
    with pytest.raises(UIDError) as info:
        parse_uid(uid)
    message = str(info.value)
    assert message.startswith(f"SUT UID '{uid.strip()}'") or uid == ""
    assert problem in message
    assert fix in message


# ----- properties ---------------------------------------------------------------------------

names = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,12}", fullmatch=True)
dates = st.one_of(
    st.none(),
    st.from_regex(r"\d{8}", fullmatch=True),
    st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True),
)
option_keys = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True).filter(
    lambda k: k not in {"m", "d", "mk", "pr", "dt", "reas", "mod", "url"}
)


@st.composite
def definitions(draw: st.DrawFn) -> SUTDefinition:
    options = draw(st.dictionaries(option_keys, st.text(min_size=1, max_size=12), max_size=3))
    if draw(st.booleans()):
        options["reas"] = draw(st.sampled_from(["y", "n"]))
    if draw(st.booleans()):
        options["url"] = "http://" + draw(names) + "/v1?q=" + draw(st.text(max_size=5))
    return SUTDefinition(
        model=draw(st.text(min_size=1, max_size=20)),
        driver=draw(names),
        maker=draw(st.one_of(st.none(), st.text(min_size=1, max_size=10))),
        provider=draw(st.one_of(st.none(), names)),
        date=draw(dates),
        options=tuple(sorted(options.items())),
    )


@settings(max_examples=400, deadline=None)
@given(definitions())
def test_format_then_parse_round_trips(d: SUTDefinition) -> None:
    parsed = parse_uid(d.format())
    assert parsed == d
    assert isinstance(parsed, SUTDefinition)
    assert parsed.format() == d.format()


@settings(max_examples=1500, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab/:;=%3Aé 1-_.\t\x00y2025")), max_size=30)
    | st.text(max_size=40)
)
def test_any_string_gives_a_definition_or_a_uid_error(raw: str) -> None:
    try:
        ref = parse_uid(raw)
    except UIDError as exc:
        assert str(exc).startswith("SUT UID '")
        return
    if isinstance(ref, SUTDefinition):
        # Whatever parses has a stable canonical form.
        assert parse_uid(ref.format()) == ref
        assert parse_uid(ref.format()).format() == ref.format()  # type: ignore[union-attr]
