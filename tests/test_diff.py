"""The word-level answer diff (pure function)."""

from __future__ import annotations

from sutui.word_diff import DELETED, INSERTED, tokens, word_diff


def spans(text: object, style: object) -> list[str]:
    plain = str(text)
    return [plain[s.start : s.end] for s in text.spans if s.style == style]  # type: ignore[attr-defined]


def test_tokens_keep_the_text_whole() -> None:
    text = "Hello,  world!\n\tIt's [bold]fine[/bold]."
    assert "".join(tokens(text)) == text
    assert tokens("  a, b\n") == ["  ", "a", ", ", "b\n"]


def test_changed_words_are_styled_on_their_side_only() -> None:
    diff = word_diff("The cat sat on the mat.", "The dog sat on a mat!")
    assert str(diff.left) == "The cat sat on the mat."
    assert str(diff.right) == "The dog sat on a mat!"
    assert spans(diff.left, DELETED) == ["cat", "the", "."]
    assert spans(diff.right, INSERTED) == ["dog", "a", "!"]
    assert (diff.removed, diff.added) == (2, 2)  # punctuation is no word
    assert "2 words only left" in diff.summary()


def test_provider_markup_is_plain_text() -> None:
    diff = word_diff("[bold]yes[/bold]", "[red]no[/red]")
    assert str(diff.left) == "[bold]yes[/bold]" and str(diff.right) == "[red]no[/red]"


def test_same_and_empty_answers() -> None:
    same = word_diff("same words\n", "same words\n")
    assert same.summary() == "the same words" and not same.left.spans
    empty = word_diff("", "")
    assert empty.same == 1.0
    one_sided = word_diff("", "new answer")
    assert spans(one_sided.right, INSERTED) == ["new", "answer"] and one_sided.added == 2


def test_reflowed_whitespace_is_no_change_and_each_side_keeps_its_own() -> None:
    diff = word_diff("one two", "one\n\ntwo")
    assert diff.summary() == "the same words"
    assert str(diff.left) == "one two" and str(diff.right) == "one\n\ntwo"
    changed = word_diff("one two\n", "one three\n")
    assert spans(changed.right, INSERTED) == ["three"]  # the line break is not styled
