"""Text for people carries untrusted strings: no control characters, no unsafe links."""

from __future__ import annotations

import pytest

from summarizer._extract.pipeline import Document
from summarizer._extract.render import link, printable, to_markdown
from summarizer._llm.client import Usage

HOSTILE = "Blast\x1b[2J\x1b]0;owned\x07 in \u202eLima\r"


def test_control_characters_and_reordering_marks_are_shown_as_escapes() -> None:
    shown = printable(HOSTILE + "\nnext\tline")
    assert shown == "Blast\\x1b[2J\\x1b]0;owned\\x07 in \\u202eLima\\x0d\nnext\tline"


def test_the_markdown_summary_of_a_document_holds_no_control_character() -> None:
    document = Document(
        source=HOSTILE, article_id="a", schema="incident", model="m", prompt_version="p@1",
        published=None, records=[], usage=Usage(), seconds=0.0, warnings=[HOSTILE],
    )  # fmt: skip
    markdown = to_markdown(document)
    assert not any(ord(char) < 32 and char not in "\n\t" for char in markdown)
    assert "\\x1b]0;owned\\x07" in markdown


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://n.example/a", "[Bomb \\[1\\]](https://n.example/a)"),
        ("http://n.example/a b)(", "[Bomb \\[1\\]](http://n.example/a%20b%29%28)"),
        ("javascript:alert(1)", "Bomb \\[1\\]"),
        ("data:text/html,x", "Bomb \\[1\\]"),
        (None, "Bomb \\[1\\]"),
    ],
)
def test_links_go_to_web_addresses_only(url: str | None, expected: str) -> None:
    assert link("Bomb [1]", url) == expected
