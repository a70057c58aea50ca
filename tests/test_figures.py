"""The figures-only second reading (`_extract.figures`), without a model: which passages it
reads, when it is skipped, and how its figures join the fill's."""

from __future__ import annotations

import datetime
import json

import httpx2

from summarizer import LLMClient, Settings
from summarizer._extract.figures import passages, recount
from summarizer._extract.pipeline import Document, extract
from summarizer._llm.client import Usage
from summarizer._settings import Strategy
from summarizer._text.article import check_text
from summarizer._text.grounding import paragraph
from summarizer.schemas._base import Context
from summarizer.schemas._incident import FigureDraft, finalize
from summarizer.schemas._registry import resolve_schema

from .test_incident import TEXT, draft
from .test_llm import completion

FRIDAY = "Moscow had launched 122 missiles and dozens of drones against Ukraine on Friday"
ZELENSKIY = "Unfortunately, 39 of them have been killed so far."
PRESIDENT = "Ukraine\u2019s president, Volodymyr Zelenskiy"  # the article's curly apostrophe


def test_passages_are_the_quoted_paragraphs_in_article_order_each_once() -> None:
    text = "Headline\nFirst paragraph. It goes on.\nSecond paragraph here.\nThird one."
    read = passages(text, ["Third one.", "It goes on", "First paragraph.", "not in it"])
    assert read == "First paragraph. It goes on.\n\nThird one.\n\nnot in it"


def test_passages_of_the_seed_friday_barrage_hold_both_tolls() -> None:
    read = passages(TEXT, [FRIDAY, ZELENSKIY])
    assert read.split("\n\n")[0].startswith(FRIDAY)
    assert read.split("\n\n")[1].startswith(PRESIDENT)


class FiguresEndpoint:
    """Answers with `answer`, or by response model from `by_model` (a string: sent as is);
    counts the calls and keeps the last messages."""

    def __init__(self, answer: dict | None = None, by_model: dict | None = None) -> None:
        self.answer = answer
        self.by_model = by_model or {}
        self.calls = 0
        self.messages: list[dict] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.calls += 1
        body = json.loads(request.content)
        self.messages = body["messages"]
        answer = self.by_model.get(body["response_format"]["json_schema"]["name"], self.answer)
        content = answer if isinstance(answer, str) else json.dumps(answer)
        return httpx2.Response(200, json=completion(content, 300, 60))

    def client(self) -> LLMClient:
        settings = Settings(base_url="http://model.test/v1", model="m", reasks=0)
        return LLMClient(
            base_url=settings.base_url, model="m", api_key="k", settings=settings,
            transport=httpx2.MockTransport(self),
        )  # fmt: skip


ZELENSKIY_ANSWER = {
    "killed": [
        {"phrase": "over 35 people", "said_by": None},
        {"phrase": "39", "said_by": PRESIDENT},
    ],
    "injured": [
        {"phrase": "159", "said_by": PRESIDENT},
        {"phrase": "39", "said_by": "Ukraine's president, Volodymyr Zelenskiy"},
    ],
}


def test_recounted_figures_join_the_fills_and_make_two_claims_on_the_friday_toll() -> None:
    endpoint = FiguresEndpoint(ZELENSKIY_ANSWER)
    before = draft(killed=[FigureDraft(phrase="over 35 people", said_by="Ukraine's president")])
    usage = Usage()
    read = passages(TEXT, [FRIDAY, ZELENSKIY])
    after = recount(before, "missile strike in Ukraine", read, "figures", endpoint.client(), usage)

    assert endpoint.calls == 1 and usage.llm_calls == 1
    assert "39 of them have been killed so far" in endpoint.messages[-1]["content"]
    # The phrase the fill already had is not added twice.
    assert [f.phrase for f in after.killed] == ["over 35 people", "39"]  # type: ignore[attr-defined]

    # The paragraphs the listing quoted for the incident, as the pipeline passes them.
    quoted = tuple(paragraph(TEXT, TEXT.index(quote)) for quote in (FRIDAY, ZELENSKIY))
    context = Context(text=TEXT, published=None, record_id="r-1", passages=quoted)
    incident = finalize(after, context)
    assert incident.killed is not None
    assert [(c.best, c.claimant) for c in incident.killed.claims] == [
        (35, None),  # "Ukraine's president" is not named in the figure's paragraph
        (39, PRESIDENT),
    ]
    assert incident.injured is not None
    # "39 of them have been killed" is no figure of injured: filed as killed, where
    # the same words are claimed already.
    assert [(c.best, c.text) for c in incident.injured.claims] == [(159, "159")]
    assert any(
        "injured '39' counted as killed, as its sentence tells" in w for w in context.warnings
    )


def test_passages_without_a_word_for_casualties_cost_no_call() -> None:
    endpoint = FiguresEndpoint(ZELENSKIY_ANSWER)
    before = draft()
    read = "Air defences shot down 32 Ukrainian drones over four regions."
    after = recount(before, "drones shot down", read, "figures", endpoint.client(), Usage())
    assert endpoint.calls == 0
    assert after is before


FRIDAY_DRAFT = draft(killed=[FigureDraft(phrase="over 35 people", said_by=None)]).model_dump()
STAGED_ANSWERS = {
    "IncidentList": {"incidents": [
        {"quote": FRIDAY, "what": "missile strike in Ukraine"},
        {"quote": ZELENSKIY, "what": "missile strike in Ukraine"},
    ]},
    "IncidentDraft": FRIDAY_DRAFT,
}  # fmt: skip


def extracted(endpoint: FiguresEndpoint, strategy: Strategy = "staged") -> Document:
    """The seed through the incident schema's `strategy`, on `endpoint`."""
    settings = Settings(base_url="http://model.test/v1", model="m", reasks=0, strategy=strategy)
    article = check_text(TEXT, "seed", settings.max_article_chars)
    schema = resolve_schema("incident")
    published = datetime.date(2023, 12, 30)
    return extract(article, schema, endpoint.client(), published=published, settings=settings)


def test_the_staged_path_reads_figures_again_and_keeps_both_tolls() -> None:
    doc = extracted(FiguresEndpoint(by_model={**STAGED_ANSWERS, "Figures": ZELENSKIY_ANSWER}))
    assert doc.usage.llm_calls == 3  # listing, one fill for the two sentences, figures
    assert doc.prompt_version == "list_incidents@2+incident@3+figures@1"
    [record] = doc.records
    assert record.killed is not None
    assert [c.best for c in record.killed.claims] == [35, 39]


def test_an_incident_quoted_once_gets_no_figures_call() -> None:
    once = {**STAGED_ANSWERS, "IncidentList": {"incidents": [
        {"quote": FRIDAY, "what": "missile strike in Ukraine"},
    ]}}  # fmt: skip
    endpoint = FiguresEndpoint(by_model={**once, "Figures": ZELENSKIY_ANSWER})
    doc = extracted(endpoint)
    assert doc.usage.llm_calls == 2  # listing, fill
    [record] = doc.records
    assert [c.best for c in record.killed.claims] == [35]


def test_a_figures_call_that_never_validates_leaves_the_fill_standing() -> None:
    doc = extracted(FiguresEndpoint(by_model={**STAGED_ANSWERS, "Figures": "not json"}))
    [record] = doc.records
    assert record.killed is not None
    assert [c.best for c in record.killed.claims] == [35]
    assert any(
        w.startswith("figures of 'missile strike in Ukraine' not read again") for w in doc.warnings
    )


BELGOROD = "Ukraine's missile hits border city of Belgorod, that killed over 12 people on Saturday."
BELGOROD_DRAFT = draft(
    quote=BELGOROD, place="Belgorod", country="Russia", date_text="on Saturday",
    killed=[FigureDraft(phrase="over 12 people", said_by=None)],
).model_dump()  # fmt: skip


def test_the_adaptive_path_stops_after_one_call_when_it_finds_one_incident() -> None:
    endpoint = FiguresEndpoint(by_model={"IncidentDraftList": {"incidents": [FRIDAY_DRAFT]}})
    doc = extracted(endpoint, strategy="adaptive")
    assert doc.usage.llm_calls == endpoint.calls == 1
    assert doc.prompt_version == "incidents@2+list_incidents@2+incident@3+figures@1"
    one_call_prompt = endpoint.messages[0]["content"]  # `prompts/incidents.j2`
    assert "All the people shot in one attack belong to one incident" in one_call_prompt
    [record] = doc.records
    assert [c.best for c in record.killed.claims] == [35]


def test_the_adaptive_path_reads_an_article_of_several_incidents_again_in_stages() -> None:
    several = {"incidents": [FRIDAY_DRAFT, BELGOROD_DRAFT]}
    answers = {**STAGED_ANSWERS, "IncidentDraftList": several, "Figures": ZELENSKIY_ANSWER}
    doc = extracted(FiguresEndpoint(by_model=answers), strategy="adaptive")
    # One call, then the stages: listing, one fill for the two sentences, figures.
    assert doc.usage.llm_calls == 1 + 3
    note = "one call found 2 incidents; the article was read again in stages, one call per"
    assert doc.warnings[0] == note + " incident"
    # The stages' reading stands: one incident, with both tolls of the figures call.
    [record] = doc.records
    assert [c.best for c in record.killed.claims] == [35, 39]


def test_the_adaptive_path_counts_incidents_after_merging_the_first_reading() -> None:
    # The same strike given twice, told in other words, is one incident.
    twice = {"incidents": [FRIDAY_DRAFT, {**FRIDAY_DRAFT, "summary": "Russia struck Ukraine."}]}
    endpoint = FiguresEndpoint(by_model={"IncidentDraftList": twice})
    doc = extracted(endpoint, strategy="adaptive")
    assert doc.usage.llm_calls == 1
    assert len(doc.records) == 1
