"""An article's text: decoded from bytes and checked, with clear errors for bad input."""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from typing import BinaryIO

from summarizer._errors import ArticleTooLongError, InputError

STDIN = "-"


@dataclass(frozen=True)
class Article:
    """The text to extract from, and where it came from."""

    text: str
    source: str

    @property
    def digest(self) -> str:
        """A short content hash: the article's stable id when it has no other."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]


def check_text(text: str, source: str, max_chars: int) -> Article:
    """Validate article text (not empty, within the length limit) and wrap it."""
    if not text.strip():
        raise InputError(f"{source}: the article is empty")
    if len(text) > max_chars:
        raise ArticleTooLongError(
            f"{source}: the article has {len(text):,} characters, more than the limit of "
            f"{max_chars:,} for one extraction (raise it with --max-chars if the model's "
            "context allows)"
        )
    return Article(text=text, source=source)


# The most bytes `max_chars` characters take in UTF-8 (four bytes each at most).
UTF8_MAX_BYTES = 4


def read_bounded(handle: BinaryIO, source: str, max_chars: int) -> bytes:
    """What `handle` holds, refused as too long past what `max_chars` characters can take:
    a device or a stream without end (``/dev/zero``, ``yes |``) is never read whole."""
    limit = UTF8_MAX_BYTES * max_chars
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise ArticleTooLongError(
            f"{source}: more than {limit:,} bytes, more than {max_chars:,} characters can "
            "take; not an article (raise --max-chars if it is one)"
        )
    return data


def decode(data: bytes, source: str) -> str:
    """Text from UTF-8 bytes (or UTF-16 ones that start with their byte-order mark, as
    some Windows tools save text), refusing binary data with a clear message."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{source}: starts as UTF-16 text but is not") from None
    if b"\x00" in data:
        raise InputError(f"{source}: looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from None
