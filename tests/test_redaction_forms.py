"""A key in any form, cut anywhere: what issue 12's probe found leaking, each a regression test.

A provider may echo a key back in an error body that sutui shortens, JSON-escaped inside text,
as Python's repr would write it, URL-encoded, in a Basic auth header (base64 of `user:key`),
with the whitespace a stored value had, or cut off at the end of a stream. None may show.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from drivers.errors import classify
from drivers.http_errors import _json, error_from_response, parse_error_body
from drivers.redaction import (
    StreamRedactor,
    forget_all,
    mask,
    redact,
    register_secret,
    shorten,
)

KEY = "sk-Ca\\n\"ry'x/+=9Q2zZ7"
"""Holds a backslash, both quotes and URL-special characters."""


@pytest.fixture(autouse=True)
def _registered() -> Iterator[None]:
    forget_all()
    register_secret(KEY + " \t")  # as stored, with the whitespace a shell left
    yield
    forget_all()


def _no_part_of_the_key(text: str) -> None:
    for size in (6, 8):  # no run of the key's characters this long survives
        for start in range(len(KEY) - size + 1):
            assert KEY[start : start + size] not in text, (KEY[start : start + size], text)


def test_a_key_straddling_the_cut_of_an_error_body() -> None:
    """Bodies are cut to 500 characters: redacted first, no prefix of the key is left."""
    body = ("x" * 490 + KEY + " more").encode()
    error = error_from_response(401, {}, body)
    assert error.provider_message is not None
    _no_part_of_the_key(error.one_line())
    json_body = json.dumps({"error": {"message": "y" * 495 + KEY}}).encode()
    _no_part_of_the_key(error_from_response(400, {}, json_body).one_line())
    _no_part_of_the_key(parse_error_body("z" * 497 + KEY).message or "")


def test_a_malformed_body_sample_is_redacted_then_cut_and_never_a_repr() -> None:
    with pytest.raises(Exception) as info:
        _json(("{" + "a" * 110 + KEY + "}").encode(), "http://127.0.0.1:1/v1")
    line = classify(info.value).one_line()
    _no_part_of_the_key(line)
    assert 'sent malformed JSON: "{aaa' in line  # quoted as JSON, not Python's repr


@pytest.mark.parametrize(
    "form",
    [
        KEY,
        json.dumps(KEY)[1:-1],  # inside JSON-in-text
        repr(KEY)[1:-1],  # as repr() writes it
        quote(KEY, safe=""),  # in a URL
        base64.b64encode(f"user:{KEY}".encode()).decode(),  # Basic auth, any user
        base64.b64encode(f":{KEY}".encode()).decode(),
        base64.b64encode(f"api:{KEY}".encode()).decode(),
    ],
    ids=["raw", "json", "repr", "url", "basic-user", "basic-empty", "basic-api"],
)
def test_every_form_of_the_key_is_masked(form: str) -> None:
    text = redact(f"the provider said: {form} (end)")
    assert "[REDACTED]" in text and form not in text
    if form.startswith(("dXNlcjp", "Ono", "YXBp")):
        # base64: the groups at each edge mix the key with what is around it, and stay: two
        # groups of 4 characters at most, each holding at most 2 of the key's bytes.
        # ("api:" or "user:" and one key byte: 8 characters; the last bytes and padding: 4).
        left, _, right = text.removeprefix("the provider said: ").partition("[REDACTED]")
        assert len(left) <= 8 and len(right.removesuffix(" (end)")) <= 4
    else:
        _no_part_of_the_key(text)


def test_whitespace_around_a_stored_key_is_masked_as_sent() -> None:
    """HTTP sends the key stripped: that is the form a provider echoes."""
    assert redact(f"Bearer {KEY}") == "Bearer [REDACTED]"


def test_a_stream_that_ends_inside_a_key_masks_the_held_back_start() -> None:
    """The real llama.cpp server echoed `sk-canary-XY` at a stream's end: never printed."""
    redactor = StreamRedactor()
    shown = redactor.feed("here is the key: ") + redactor.feed(KEY[:12])
    shown += redactor.flush()
    _no_part_of_the_key(shown)
    assert shown.endswith("[REDACTED]")
    plain = StreamRedactor()
    assert plain.feed("ends with s") + plain.flush() == "ends with s", "a lone letter is text"


def test_short_keys_and_masks() -> None:
    register_secret("abc123")  # 6 characters: the documented minimum
    assert redact("x abc123 y") == "x [REDACTED] y"
    register_secret("12345")  # 5: too short, left alone (it would mangle words)
    assert redact("12345") == "12345"
    for key in ("123456789", "sk-abcdefghijklmnopqrstuvwxyz0123456789", "abcdef", "ab"):
        shown = mask(key).replace("…", "").replace("•", "")
        assert 3 * len(shown) <= len(key), (key, mask(key))
    assert mask("sk-abcdefghijklmnopqrstuvwxyz0123456789") == "sk-…6789"


def test_shorten_redacts_before_it_cuts() -> None:
    text = "a" * 10 + KEY
    assert shorten(text, 14) == "a" * 10 + "[RED…"


def test_a_stored_key_with_a_newline_is_sent_stripped_and_said(
    provider_server: object, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`echo KEY | secret-tool store …` leaves a newline: the call works (it gave "internal:
    ValueError: Forbidden control character"), and `secrets list` says it was trimmed."""
    from drivers.secret_store import SecretStore
    from sutui.cli.main import run

    found = SecretStore(environ={"OPENAI_API_KEY": "sk-test-openai-0001\n"}).lookup(
        "openai", "api_key"
    )
    assert found is not None and found.value == "sk-test-openai-0001" and found.trimmed
    assert SecretStore(environ={"OPENAI_API_KEY": " \n"}).lookup("openai", "api_key") is None
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    monkeypatch.setenv("SUTUI_OPENAI__API_KEY", "sk-test-openai-0001\n")
    uid = f"gpt-4o:openai;url={provider_server.url}/openai/v1"  # type: ignore[attr-defined]
    assert run(["run-sut", "--sut", uid, "--prompt", "hi", "--json", "--no-history"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "done"
    assert run(["secrets", "list"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("openai/api_key"))
    assert "spaces around it removed" in line and "sk-test" not in line


# ----- issue 12, smaller items ------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["inf", "1e400", "99999999999", "nan"])
def test_a_huge_or_infinite_retry_after_is_capped_and_said(raw: str) -> None:
    from drivers.http_errors import MAX_RETRY_AFTER

    error = error_from_response(429, {"retry-after": raw}, b'{"error": {"message": "slow"}}')
    if raw == "nan":
        assert error.retry_after is None
        return
    assert error.retry_after == MAX_RETRY_AFTER
    assert "retry after 86400s" in error.one_line() and "inf" not in error.one_line()


def test_a_csv_prompt_longer_than_128_kib_is_read(
    tmp_path: object, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSONL took it; CSV called it malformed (the csv module's 131,072 field limit)."""
    from pathlib import Path

    from sutui.cli.main import run

    folder = Path(str(tmp_path))
    monkeypatch.setenv("SUTUI_DEMO_DELAY", "0")
    monkeypatch.setenv("SUTUI_KEYRING", "off")
    monkeypatch.chdir(folder)
    long = "word " * 40_000  # 200,000 characters
    (folder / "p.csv").write_text(f'id,prompt\nq1,"{long}"\n')
    code = run(["batch", "--sut", "demo_yes_no", "--prompts", "p.csv", "--out", "out"])
    assert code == 0, capsys.readouterr().err
    record = json.loads((folder / "out" / "results.jsonl").read_text())
    assert record["status"] == "done" and record["prompt"] == long


# ----- what the wire-format canary found (tests/test_secret_canary.py) --------------------------


def _no_run_of(form: str, text: str, size: int = 8) -> None:
    for start in range(len(form) - size + 1):
        assert form[start : start + size] not in text, (form[start : start + size], text)


def test_an_answer_cut_inside_a_key_is_masked_streamed_or_not() -> None:
    """max_tokens cut a plain answer inside the key: `redact` masks the start it ends in, as a
    stream's end does (batch results showed `Your key is sk-mistral-G79Sa6m54`)."""
    for cut in (4, 9, 15, len(KEY) - 1):
        text = redact("Your key is " + KEY[:cut])
        assert text == "Your key is [REDACTED]", text
    assert redact("ends with s") == "ends with s"  # a lone letter is text


def test_a_key_in_json_inside_json_is_masked() -> None:
    """A raw body shows text that held a JSON-escaped key escaped once more (a malformed
    event's sample; an upstream error relayed as a JSON string)."""
    inner = json.dumps({"key": KEY})
    assert redact(json.dumps({"error": inner})).count("[REDACTED]") == 1
    body = '{"text": "' + json.dumps(inner)[1:-1]  # not JSON: cut before its end
    with pytest.raises(Exception) as info:
        _json(body.encode(), "http://127.0.0.1:1/v1")
    line = classify(info.value).one_line()
    for form in (KEY, json.dumps(KEY)[1:-1], json.dumps(json.dumps(KEY)[1:-1])[1:-1]):
        _no_run_of(form, line)


def test_a_body_cut_inside_a_json_escaped_key_is_masked() -> None:
    """A provider's body cut inside the key (`{"text": "sk-go\\"72`): the sample never shows
    its start, whichever form it was in."""
    for form in (json.dumps(KEY)[1:-1], json.dumps(repr(KEY)[1:-1])[1:-1]):
        for cut in range(6, len(form)):
            with pytest.raises(Exception) as info:
                _json(('{"text": "Your key is ' + form[:cut]).encode(), "http://h:1/v1")
            assert "[REDACTED]" in classify(info.value).one_line()


def test_more_than_a_third_of_a_key_cut_short_inside_a_text_is_masked() -> None:
    size = len(KEY) // 3 + 1
    text = redact(f"invalid key {KEY[:size]}... (truncated)")
    assert text == "invalid key [REDACTED]... (truncated)"
    assert redact(f"prefix {KEY[: size - 2]} then") == f"prefix {KEY[: size - 2]} then"


def test_a_key_streamed_in_small_pieces_is_masked_whole() -> None:
    """The raw key and its JSON form share a start: while the key comes in, the start is held
    back, never masked alone with the rest shown (the first fix did that)."""
    redactor = StreamRedactor()
    text = f"raw={KEY} json={json.dumps(KEY)[1:-1]} ok"
    shown = "".join(redactor.feed(text[i : i + 3]) for i in range(0, len(text), 3))
    shown += redactor.flush()
    assert shown == "raw=[REDACTED] json=[REDACTED] ok"


@pytest.mark.parametrize(
    "escape",
    [str, lambda k: json.dumps(k)[1:-1], lambda k: quote(k, safe="")],
    ids=["raw", "json", "url"],
)
def test_the_500_character_cut_at_every_offset_of_every_form(escape: object) -> None:
    form = escape(KEY)  # type: ignore[operator]
    for at in range(len(form) + 1):
        body = json.dumps({"error": {"message": "x" * (500 - at) + form + " end"}}).encode()
        line = error_from_response(401, {}, body).one_line()
        _no_run_of(form, line, 6)
