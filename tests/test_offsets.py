"""Offsets between the store's code points and a browser's UTF-16 units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarizer._text.offsets import to_code_points, to_utf16

# An emoji (two UTF-16 units) and a non-Latin script (one unit each) before "Kharkiv".
TEXT = "Взрыв 💥 в 北京, then a strike on Kharkiv."


def test_a_span_after_an_emoji_and_a_non_latin_script_maps_both_ways() -> None:
    start = TEXT.index("Kharkiv")
    in_browser = to_utf16(TEXT, start)
    assert in_browser == start + 1  # the emoji counts twice in UTF-16
    assert (
        TEXT.encode("utf-16-le")[2 * in_browser : 2 * (in_browser + 7)].decode("utf-16-le")
        == "Kharkiv"
    )
    assert to_code_points(TEXT, in_browser) == start


def test_an_offset_inside_an_emoji_is_refused() -> None:
    inside = to_utf16(TEXT, TEXT.index("💥")) + 1
    with pytest.raises(ValueError, match="inside a character"):
        to_code_points(TEXT, inside)


def test_an_offset_past_the_end_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        to_code_points(TEXT, 10_000)


@given(st.text(), st.data())
def test_every_code_point_offset_comes_back_from_utf16(text: str, data: st.DataObject) -> None:
    offset = data.draw(st.integers(0, len(text)))
    assert to_code_points(text, to_utf16(text, offset)) == offset
