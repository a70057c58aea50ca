"""``--require-grounding``: ask the model once more for values the article does not contain.

Small models paraphrase ("Russian forces" for the article's "Moscow's troops") or round
("14 people" for "at least 14"). After `Schema.finalize` has named the values it could
not find, one call shows the model those values and asks for the article's own words
for each, or null. The draft gets those words in place of the values, and is finalized
again strictly: whatever is still not in the article is removed, with a warning.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from summarizer._llm.client import LLMClient, Usage
from summarizer._llm.prompting import load_prompt

REGROUND_PROMPT = "reground"


class ArticleWords(BaseModel):
    value: str = Field(description="the value as given")
    article_words: str | None = Field(
        max_length=200, description="the article's exact words for it; null if it does not say"
    )


class Regrounding(BaseModel):
    answers: list[ArticleWords]


def reground(
    item: BaseModel, missing: list[str], article: str, llm: LLMClient, usage: Usage
) -> BaseModel:
    """`item` with each `missing` value replaced by the words the model finds for it."""
    answer = llm.extract(
        Regrounding, load_prompt(REGROUND_PROMPT).messages(article=article, values=missing), usage
    )
    words = {
        a.value: a.article_words.strip()
        for a in answer.answers
        if a.value in missing and a.article_words and a.article_words.strip()
    }
    return replace_values(item, words)


def replace_values(item: BaseModel, words: dict[str, str]) -> BaseModel:
    """`item` with every string equal to a key of `words` replaced by its value; `item`
    itself when the replacements would not validate (e.g. longer than a field allows)."""

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return words.get(value, value)
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    try:
        return type(item).model_validate(swap(item.model_dump()))
    except ValidationError:
        return item
