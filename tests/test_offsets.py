"""The offset map is what provenance rests on: test it directly and with generated text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize import line_edits, split_word_edits
from pipeline.offsets import Edit, OffsetMap, merge_edits, rewrite


def test_copy_and_delete_map_exactly() -> None:
    text, m = rewrite("keep DROP keep", [Edit(5, 10, reason="ad")])
    assert text == "keep keep"
    assert (m.start(5), m.end(9)) == (10, 14)
    assert (m.start(0), m.end(4)) == (0, 4)


def test_replacement_maps_as_a_whole() -> None:
    raw = "hold 10 secs now"
    text, m = rewrite(raw, [Edit(8, 12, "seconds")])
    start, end = text.index("seconds"), text.index("seconds") + len("seconds")
    assert raw[m.start(start) : m.end(end)] == "secs"
    assert raw[m.start(start + 2) : m.end(start + 3)] == "secs"


def test_insertion_maps_to_its_neighbours() -> None:
    raw = "stretchThis"
    text, m = rewrite(raw, [Edit(7, 7, " ")])
    assert text == "stretch This"
    assert raw[m.start(0) : m.end(7)] == "stretch"
    assert raw[m.start(8) : m.end(12)] == "This"


def test_layers_compose() -> None:
    raw = "a secs b NOISE c"
    t1, m1 = rewrite(raw, [Edit(2, 6, "seconds")])
    noise = t1.index("NOISE")
    t2, m2 = rewrite(t1, [Edit(noise - 1, noise + 5)])
    m = m1.then(m2)
    assert t2 == "a seconds b c"
    assert raw[m.start(t2.rindex("c")) : m.end(len(t2))] == "c"
    assert raw[m.start(2) : m.end(9)] == "secs"


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        rewrite("abcdef", [Edit(0, 3), Edit(2, 4)])


def test_merge_edits_prefers_earlier_layers() -> None:
    merged = merge_edits([Edit(0, 10, reason="ad")], [Edit(2, 4, reason="url"), Edit(12, 14, reason="url")])
    assert [(e.start, e.end, e.reason) for e in merged] == [(0, 10, "ad"), (12, 14, "url")]


def test_offsets_outside_the_text_raise() -> None:
    with pytest.raises(IndexError):
        OffsetMap.identity(3).start(4)


_WORD = st.text(alphabet="abcdefghij", min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(_WORD, min_size=1, max_size=40),
    cuts=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 6), st.sampled_from(["", "X", "YYYY"])), max_size=8),
)
def test_every_kept_character_maps_to_itself(words: list[str], cuts: list[tuple[int, int, str]]) -> None:
    raw = " ".join(words)
    edits = merge_edits([Edit(min(a, len(raw)), min(a + n, len(raw)), r) for a, n, r in cuts])
    text, m = rewrite(raw, edits)
    replaced = [(e.start, e.end) for e in edits]
    for i, ch in enumerate(text):
        s = m.start(i)
        inside = any(a <= s < b or a == s == b for a, b in replaced)
        if not inside:
            assert raw[s] == ch
        assert m.start(i) <= m.end(i + 1)


_PIECES = st.sampled_from(["hold", " ", "\n", "\r\n", "\r", "\x00", "\x07", "\f", "c hest", "s tand", "10", ".",
                           "\u2028", "\r\r\n"])


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(_PIECES, min_size=1, max_size=40))
def test_line_endings_control_bytes_and_broken_words_map_back_exactly(pieces: list[str]) -> None:
    """After the first cleaning layers every character points at itself, a newline at a line break,
    and a joined word at its pieces."""
    raw = "".join(pieces)
    m = OffsetMap.identity(len(raw))
    text = raw
    for edits_of in (line_edits, split_word_edits):
        text, child = rewrite(text, edits_of(text))
        m = m.then(child)
    assert "\r" not in text and "\x00" not in text and "\x07" not in text
    for i, ch in enumerate(text):
        original = raw[m.start(i) : m.end(i + 1)]
        assert original == ch or (ch == "\n" and original in {"\r\n", "\r", "\f", "\u2028"}), (ch, original)
    for word in ("chest", "stand"):
        for found in re.finditer(word, text):
            assert raw[m.start(found.start()) : m.end(found.end())].replace(" ", "") == word
