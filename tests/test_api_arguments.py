"""The Python API refuses wrong arguments at once, naming what it expected."""

from __future__ import annotations

import datetime

import pytest

from summarizer import summarize, summarize_many


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda: summarize(None), TypeError, "text must be a str, not NoneType"),
        (lambda: summarize(42), TypeError, "text must be a str, not int"),
        (lambda: summarize(b"A bomb."), TypeError, "decode bytes first"),
        (lambda: summarize({"text": "A bomb."}), TypeError, "text must be a str, not dict"),
        (lambda: summarize("A bomb.", published=20231230), TypeError,
         "published must be a date, a 'YYYY-MM-DD' string or None, not int"),
        (lambda: summarize("A bomb.", schema=None), TypeError, "schema must be a name"),
        (lambda: summarize_many("one text"), TypeError, "for one article, use summarize"),
        (lambda: summarize_many({"text": "A bomb."}), TypeError, "not dict"),
        (lambda: summarize_many(["A bomb."], workers=-1), ValueError, "workers must be 1 or more"),
        (lambda: summarize_many(["A bomb."], workers=1.5), TypeError, "whole number"),
        (lambda: summarize_many(["A bomb."], published=datetime.time()), TypeError, "published"),
    ],
)  # fmt: skip
def test_wrong_arguments_are_refused_before_any_work(call, error, fragment) -> None:
    with pytest.raises(error, match=fragment):
        call()
