"""Offsets between Python's code points and a browser's UTF-16 code units, in one place.

The store's offsets index Python strings: one per code point. JavaScript strings, and
so a browser's selections, count UTF-16 code units: a character outside the Basic
Multilingual Plane (an emoji, some CJK) is two of them. Every offset that crosses
between the two goes through these functions.
"""

from __future__ import annotations

from itertools import accumulate


def _units(text: str) -> list[int]:
    """For each code point boundary 0..len(text), the UTF-16 units before it."""
    return [0, *accumulate(2 if ord(char) > 0xFFFF else 1 for char in text)]


def to_utf16(text: str, offset: int) -> int:
    """The UTF-16 offset of the code point offset `offset` in `text`."""
    if not 0 <= offset <= len(text):
        raise ValueError(f"offset {offset} is outside the text (0 to {len(text)})")
    return len(text[:offset].encode("utf-16-le")) // 2


def to_code_points(text: str, offset: int) -> int:
    """The code point offset of the UTF-16 offset `offset` in `text`; an offset inside a
    surrogate pair (half an emoji) is refused."""
    units = _units(text)
    if not 0 <= offset <= units[-1]:
        raise ValueError(f"offset {offset} is outside the text (0 to {units[-1]} UTF-16 units)")
    low, high = 0, len(units) - 1
    while low < high:  # the first boundary at or after `offset`
        middle = (low + high) // 2
        if units[middle] < offset:
            low = middle + 1
        else:
            high = middle
    if units[low] != offset:
        raise ValueError(f"offset {offset} falls inside a character")
    return low


def as_browsers_show(text: str) -> tuple[str, list[int]]:
    """`text` as a page's DOM holds it, and for each of its code point offsets (and its
    end) the offset in `text`: HTML parsing turns "\r\n" and a lone "\r" into "\n", so a
    selection's offsets in an article with Windows line endings fall short without this."""
    shown: list[str] = []
    origin: list[int] = []
    index = 0
    while index < len(text):
        origin.append(index)
        if text.startswith("\r\n", index):
            shown.append("\n")
            index += 2
            continue
        shown.append("\n" if text[index] == "\r" else text[index])
        index += 1
    origin.append(len(text))
    return "".join(shown), origin
