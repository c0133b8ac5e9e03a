"""Showing stored text literally: visible stand-ins, position maps, wrapping, words, sentences."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from coder.text import clean, ellipsize, visible_char
from coder.tui.display import DisplayText, sentence_spans, word_spans, wrap_ranges


def test_controls_and_bidi_marks_get_visible_stand_ins() -> None:
    assert visible_char("\x07") == "␇"
    assert visible_char("\x1b") == "␛"
    assert visible_char("\x7f") == "␡"
    assert visible_char("\x85") == "\ufffd"
    assert visible_char("\u202e") != "\u202e"
    assert visible_char("[") == "["
    assert clean("a\tb\nc\x00") == "a b c␀"


def test_tabs_expand_and_positions_map_both_ways() -> None:
    raw = "ab\tc\x07d"
    shown = DisplayText.build(raw)
    assert shown.text == "ab  c␇d"
    assert [shown.raw_of[shown.disp_of[j]] for j in range(len(raw))] == list(range(len(raw)))
    assert shown.raw_of[2] == shown.raw_of[3] == 2
    assert shown.disp_of[len(raw)] == len(shown.text)


def test_plain_text_is_its_own_display() -> None:
    shown = DisplayText.build("[bold]x[/] <v Bob>")
    assert shown.text == "[bold]x[/] <v Bob>"
    assert shown.raw_of == list(range(len(shown.text) + 1))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab cd\n漢é-.")), max_size=120),
       st.integers(min_value=1, max_value=30))
def test_wrapping_covers_every_character_once_within_the_width(text: str, width: int) -> None:
    ranges = wrap_ranges(text, width)
    covered = "".join(text[s:e] for s, e in ranges)
    assert covered == text.replace("\n", "")
    for (_, e), (s2, _) in pairwise(ranges):
        assert e <= s2
    for s, e in ranges:
        line = text[s:e].rstrip(" ")
        assert cell_len(line) <= max(width, 2)


def test_long_words_fold_and_words_break_at_spaces() -> None:
    assert wrap_ranges("aaaa bbbb", 6) == [(0, 5), (5, 9)]
    assert wrap_ranges("abcdefgh", 3) == [(0, 3), (3, 6), (6, 8)]
    assert wrap_ranges("one\ntwo", 20) == [(0, 3), (4, 7)]


def test_words_and_sentences() -> None:
    text = "People hear care. It follows you! Does it… “Yes.” end"
    assert [text[s:e] for s, e in word_spans(text)][:3] == ["People", "hear", "care."]
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "People hear care.", "It follows you!", "Does it…", "“Yes.”", "end"]


def test_ellipsize_keeps_short_text_and_marks_cut_text() -> None:
    assert ellipsize("short", 10) == "short"
    assert ellipsize("a much longer text", 8) == "a much…"
