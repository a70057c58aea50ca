"""Screening (`_screening`): "does this article report any incident?" before filling."""

from __future__ import annotations

from summarizer import Settings
from summarizer._article import Article
from summarizer._muc4 import SCHEMA
from summarizer._pipeline import extract
from summarizer._prompting import load_prompt
from summarizer._schema import resolve_schema

from .test_eval_run import BOMBING, DENIAL, FakeModel


def test_the_question_shares_the_fill_prompts_instructions_and_article() -> None:
    fill = load_prompt("muc4")
    variables = {"article": "an article {{ with braces }}", "fields": SCHEMA.field_guide()}
    filling = fill.messages(**variables, focus=None)
    screening = fill.messages(**variables, focus=None, screen=True)
    assert screening[0] == filling[0]
    # Everything up to the article's end is the same, so a server's prompt cache reads
    # the article once for both calls; only the last instruction differs.
    head = filling[1]["content"].split(">>>")[0]
    assert screening[1]["content"].startswith(head + ">>>\nQuestion: does this article report")
    assert screening[1]["content"] != filling[1]["content"]


def test_nothing_is_filled_when_the_model_says_the_article_reports_no_incident() -> None:
    model = FakeModel()
    doc = extract(Article(DENIAL, "denial"), SCHEMA, model.client(), published=None,
                  settings=Settings())  # fmt: skip
    assert doc.records == []
    assert doc.usage.llm_calls == 1  # the screening call only
    assert "screening: the model answered that this article reports no incident" in doc.warnings


def test_an_article_with_an_incident_is_screened_then_filled() -> None:
    model = FakeModel()
    doc = extract(Article(BOMBING, "bombing"), SCHEMA, model.client(), published=None,
                  settings=Settings())  # fmt: skip
    assert doc.usage.llm_calls == 2
    assert [r.incident_type for r in doc.records] == ["bombing"]
    assert not any(w.startswith("screening") for w in doc.warnings)


def test_a_screening_answer_that_never_validates_leaves_the_article_to_the_fill() -> None:
    model = FakeModel(unscreened=True)  # its client makes no re-asks
    doc = extract(Article(BOMBING, "bombing"), SCHEMA, model.client(), published=None,
                  settings=Settings())  # fmt: skip
    assert [r.incident_type for r in doc.records] == ["bombing"]
    assert any(w.startswith("screening failed, the article is filled anyway") for w in doc.warnings)


def test_a_users_own_prompt_is_not_screened(tmp_path) -> None:
    # The screening question lives in the schema's own template; a user's may lack it.
    assert resolve_schema("muc4").screened
    assert not resolve_schema("muc4", prompt=str(tmp_path / "mine.j2")).screened
    assert not resolve_schema("incident").screened
