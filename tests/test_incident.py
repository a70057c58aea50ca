"""The built-in schema's finalize step: grounding, figures, sources and dates, no LLM."""

from __future__ import annotations

import datetime

import pytest

from summarizer._text.grounding import Span, paragraph
from summarizer.schemas._base import Context
from summarizer.schemas._incident import (
    FigureDraft,
    Incident,
    IncidentDraft,
    combine,
    combine_claims,
    finalize,
)

from .conftest import SEED

TEXT = SEED.read_text(encoding="utf-8")


def draft(**fields) -> IncidentDraft:
    base = {
        "quote": "Moscow had launched 122 missiles and dozens of drones against Ukraine on Friday "
        "killing over 35 people and injuring around 160.",
        "sub_event_type": "missile_or_artillery_attack",
        "summary": "Russia launched 122 missiles against Ukraine.",
        "date_text": None, "place": None, "region": None, "country": "Ukraine",
        "perpetrators": ["Moscow"], "targets": ["maternity hospital"], "victims": [],
        "weapons": ["missiles"], "killed": [], "injured": [], "modality": "asserted",
    }  # fmt: skip
    return IncidentDraft(**{**base, **fields})


ZELENSKIY = "39 of them have been killed so far"


def passages_of(*quotes: str) -> tuple[tuple[int, int], ...]:
    """The paragraphs of the seed holding `quotes`, as the listing's quotes give them."""
    return tuple(paragraph(TEXT, TEXT.index(quote)) for quote in quotes)


def run(
    d: IncidentDraft, published=datetime.date(2023, 12, 30), quotes: tuple[str, ...] = ()
) -> tuple[Incident, list[str]]:
    context = Context(text=TEXT, published=published, record_id="r-1",
                      passages=passages_of(*quotes))  # fmt: skip
    return finalize(d, context), context.warnings


def test_two_sources_make_two_claims_on_one_incident() -> None:
    incident, _ = run(draft(killed=[
        FigureDraft(phrase="over 35 people", said_by=None),
        FigureDraft(phrase=ZELENSKIY, said_by="Volodymyr Zelenskiy"),
    ]), quotes=(ZELENSKIY,))  # fmt: skip
    killed = incident.killed
    assert killed is not None
    assert [(c.best, c.qualifier, c.claimant) for c in killed.claims] == [
        (35, "more_than", None),
        (39, "exact", "Volodymyr Zelenskiy"),
    ]
    assert (killed.low, killed.best, killed.high) == (35, 39, None)
    for claim in killed.claims:
        assert TEXT[claim.start : claim.end] == claim.text


def test_figure_is_taken_from_the_article_words_not_the_model_phrase() -> None:
    incident, _ = run(draft(injured=[FigureDraft(phrase="around 160 people", said_by=None)]))
    claim = incident.injured.claims[0]
    assert claim.text == "around 160"
    assert (claim.best, claim.qualifier) == (160, "about")


def test_a_number_the_article_does_not_state_is_refused() -> None:
    incident, warnings = run(draft(killed=[FigureDraft(phrase="at least 12 people", said_by=None)]))
    assert incident.killed is None  # "over 12" is in the article, "at least 12" is not
    assert any("'at least 12 people' is not in the article" in w for w in warnings)


def test_objects_are_not_casualties() -> None:
    drones = FigureDraft(phrase="32 Ukrainian drones", said_by=None)
    incident, warnings = run(draft(killed=[drones]))
    assert incident.killed is None
    assert any("counts objects, not people" in w for w in warnings)


def test_a_source_must_be_named_beside_its_figure() -> None:
    incident, warnings = run(draft(killed=[FigureDraft(phrase="over 35 people", said_by="Poland")]))
    assert incident.killed.claims[0].claimant is None
    assert any("source 'Poland'" in w for w in warnings)


@pytest.mark.parametrize("voice", ["the article", "Article", "unknown", ""])
def test_the_article_voice_is_no_source(voice: str) -> None:
    incident, _ = run(draft(killed=[FigureDraft(phrase="over 35 people", said_by=voice)]))
    assert incident.killed.claims[0].claimant is None


def test_a_summary_with_an_invented_number_is_replaced_by_the_evidence() -> None:
    incident, warnings = run(draft(summary="Russia launched 150 missiles, killing 40."))
    assert incident.summary == incident.evidence.text
    assert any("states a number" in w for w in warnings)


def test_date_falls_back_to_the_evidence_sentence_and_resolves() -> None:
    incident, _ = run(draft())
    assert incident.date.text == "on Friday"
    assert incident.date.start == datetime.date(2023, 12, 29)
    assert incident.date.precision == "day"


def test_without_publication_date_nothing_is_resolved() -> None:
    incident, _ = run(draft(date_text="on Friday"), published=None)
    assert (incident.date.text, incident.date.start, incident.date.precision) == (
        "on Friday", None, "unknown")  # fmt: skip


def test_values_not_in_the_article_are_kept_unaligned_with_a_warning() -> None:
    incident, warnings = run(draft(perpetrators=["Moscow", "the Wagner group"]))
    assert [(p.text, p.alignment, p.start) for p in incident.perpetrators] == [
        ("Moscow", "exact", TEXT.index("Moscow had launched")),  # the one nearest the quote
        ("the Wagner group", "none", None),
    ]
    assert "r-1: perpetrator 'the Wagner group' is not in the article (kept unaligned)" in warnings


def test_a_strict_context_removes_them_and_names_them() -> None:
    context = Context(text=TEXT, published=None, record_id="r-1", strict=True)
    incident = finalize(draft(perpetrators=["Moscow", "the Wagner group"], place="Lviv"), context)
    assert [p.text for p in incident.perpetrators] == ["Moscow"]
    assert incident.location.text is None
    assert "r-1: perpetrator 'the Wagner group' is not in the article (removed)" in context.warnings
    assert sorted(context.missing) == ["Lviv", "the Wagner group"]


def test_a_record_whose_evidence_is_not_in_the_article_is_no_record() -> None:
    context = Context(text=TEXT, published=None, record_id="r-1")
    assert finalize(draft(quote="Kyiv was quiet all week."), context) is None
    assert context.warnings == [
        "r-1: dropped: its evidence 'Kyiv was quiet all week.' is not the article"
    ]
    assert context.missing == ["Kyiv was quiet all week."]  # --require-grounding re-asks it


def test_a_record_from_a_prompts_example_is_no_record_and_says_so() -> None:
    context = Context(text=TEXT, published=None, record_id="r-1")
    quote = "Rebels set fire to a bus in Lima on Monday."
    assert finalize(draft(quote=quote), context) is None
    assert "is a prompt's example, not the article" in context.warnings[0]


def test_a_value_from_a_prompts_example_is_removed_and_a_made_up_one_kept_unaligned() -> None:
    incident, warnings = run(draft(place="San Marcos", perpetrators=["Rebels", "the Wagner group"]))
    assert incident.location.place is None
    assert [p.text for p in incident.perpetrators] == ["the Wagner group"]
    assert "r-1: place 'San Marcos' is not in the article but in a prompt's example (removed)" in (
        warnings
    )  # fmt: skip


def test_a_figure_outside_the_paragraphs_of_its_incident_is_refused() -> None:
    figure = FigureDraft(phrase=ZELENSKIY, said_by="Volodymyr Zelenskiy")
    incident, warnings = run(draft(killed=[figure]))  # the listing quoted no such paragraph
    assert incident.killed is None
    assert (
        f"r-1: killed {ZELENSKIY!r} stands outside the paragraphs that tell of this "
        "incident" in warnings
    )


def test_event_type_is_derived_from_the_sub_type() -> None:
    quote = "Earlier, Russian officials had reported shooting down 32 Ukrainian drones"
    incident, _ = run(draft(quote=quote, sub_event_type="interception"))
    assert incident.event_type == "strategic_developments"


def test_a_sub_event_type_the_evidence_does_not_bear_is_replaced_by_what_it_shows() -> None:
    quote = "Ukraine strikes back, missile hits Russia\u2019s Belgorod killing at least 14"
    incident, warnings = run(draft(quote=quote, sub_event_type="suicide_bombing"))
    assert incident.sub_event_type == "missile_or_artillery_attack"
    assert (
        "r-1: sub-event type suicide_bombing needs words its evidence does not have; "
        "missile_or_artillery_attack, as its words show" in warnings
    )


def test_combine_claims_of_nothing_is_unknown_not_zero() -> None:
    assert combine_claims([]) is None


def test_every_lookup_is_tallied_for_the_grounding_rate() -> None:
    context = Context(text=TEXT, published=None, record_id="r-1")
    finalize(draft(perpetrators=["Moscow", "the Wagner group"]), context)
    # quote, 2 perpetrators, 1 target, 1 weapon: one of the five is not in the article
    assert (context.looked_up, context.found) == (5, 4)


# --- Merging the records of one incident (combine) ----------------------------------

HEADLINE = draft(
    quote="Ukraine strikes back, missile hits Russia\u2019s Belgorod killing at least 14",
    place="Belgorod", country="Russia", perpetrators=["Ukraine"], targets=[],
    weapons=["missile"], killed=[FigureDraft(phrase="at least 14", said_by=None)],
)  # fmt: skip
PARAGRAPH = draft(
    quote="After the massive airstrike by Russia, Ukraine's missile hits border city of "
    "Belgorod, that killed over 12 people on Saturday.",
    place="Belgorod", country="Russia", perpetrators=["Ukraine"], targets=[],
    weapons=["missile"], date_text="on Saturday",
    killed=[FigureDraft(phrase="over 12 people", said_by=None),
            FigureDraft(phrase="at least 14", said_by=None)],
    injured=[FigureDraft(phrase="more than 100 people",
                         said_by="Russia\u2019s emergencies ministry")],
)  # fmt: skip
CAPTION = (
    "In this photo taken from video released by Russia Emergency Situations Ministry "
    "telegram channel on Saturday, firefighters extinguish burning cars after shelling in "
    "Belgorod, Russia | AP"
)
FRIDAY = draft(place="Ukraine", killed=[FigureDraft(phrase="over 35 people", said_by=None)])


def finalized(*drafts: IncidentDraft, published=datetime.date(2023, 12, 30)) -> list[Incident]:
    return [
        finalize(d, Context(text=TEXT, published=published, record_id=f"r-{i}"))
        for i, d in enumerate(drafts, start=1)
    ]


def test_one_incident_told_twice_becomes_one_record() -> None:
    [merged] = combine(finalized(HEADLINE, PARAGRAPH), TEXT)
    assert merged.id == "r-1" and merged.evidence.text.startswith("Ukraine strikes back")
    # The second record's evidence is kept, where its figure "over 12 people" stands.
    [also] = merged.more_evidence
    assert also == finalized(PARAGRAPH)[0].evidence
    assert paragraph(TEXT, also.start) == paragraph(TEXT, merged.killed.claims[1].start)
    assert merged.date.start == datetime.date(2023, 12, 30)  # taken from the second
    assert [(c.text, c.best) for c in merged.killed.claims] == [
        ("at least 14", 14),
        ("over 12 people", 12),
    ]
    assert (merged.killed.low, merged.killed.best) == (12, 14)
    assert merged.injured.claims[0].claimant == "Russia\u2019s emergencies ministry"
    assert [w.text for w in merged.weapons] == ["missile"]  # each once


def test_one_sentence_given_twice_is_one_record_with_no_more_evidence() -> None:
    [merged] = combine(finalized(HEADLINE, HEADLINE), TEXT)
    assert merged.more_evidence == []


def test_distinct_incidents_stay_distinct() -> None:
    records = finalized(HEADLINE, FRIDAY, PARAGRAPH)
    assert [r.id for r in combine(records, TEXT)] == ["r-1", "r-2"]  # PARAGRAPH joins r-1
    # In the body, at one place on days not resolved, without a shared figure: two
    # incidents, as far as the program can tell.
    caption = draft(quote=CAPTION, place="Belgorod", killed=[])
    body = [PARAGRAPH, caption]
    assert len(combine(finalized(*body, published=None), TEXT)) == 2
    # ... and one when both days resolve to the same one.
    assert len(combine(finalized(*body), TEXT)) == 1


def test_one_sentence_with_two_places_is_two_incidents() -> None:
    quote = "Earlier, Russian officials had reported shooting down 32 Ukrainian drones"
    one, two = finalized(draft(quote=quote, place="Moscow"), draft(quote=quote, place="Kursk"))
    assert len(combine([one, two], TEXT)) == 2
    assert len(combine([one, finalized(draft(quote=quote, place=None))[0]], TEXT)) == 1


def test_a_figure_given_twice_in_other_words_is_one_claim() -> None:
    incident, _ = run(draft(killed=[
        FigureDraft(phrase="over 35 people", said_by=None),
        FigureDraft(phrase="over 35", said_by="Moscow"),
    ]))  # fmt: skip
    assert incident.killed is not None
    assert [(c.text, c.claimant) for c in incident.killed.claims] == [("over 35 people", None)]


def test_a_figure_filed_under_the_other_kind_counts_as_its_sentence_tells() -> None:
    incident, warnings = run(draft(
        killed=[FigureDraft(phrase="159 people", said_by=None)],
        injured=[FigureDraft(phrase="around 160", said_by=None)],
    ), quotes=("159 people were injured",))  # fmt: skip
    # "In total, 159 people were injured": a figure of injured whatever the model said.
    assert incident.killed is None
    assert incident.injured is not None
    assert [claim.best for claim in incident.injured.claims] == [159, 160]
    assert "r-1: killed '159 people' counted as injured, as its sentence tells" in warnings


@pytest.mark.parametrize(
    ("text", "filed", "counted"),
    [
        ("Police seek the man who shot six people at an Easter party.", "killed", "injured"),
        ("Four men were wounded in the attack on Monday.", "killed", "injured"),
        ("Two people died in the attack on Monday.", "injured", "killed"),
        ("Two people were shot dead in the attack on Monday.", "injured", "killed"),
        ("Gunfire killed two and wounded three people on Monday.", "killed", "killed"),
        (  # the victims of an incident that killed: not injured
            "Two people were killed on Monday. Police named the two victims as Jo and Al.",
            "killed",
            "killed",
        ),
    ],
)
def test_people_shot_and_not_said_to_have_died_are_injured_and_the_dead_killed(
    text: str, filed: str, counted: str
) -> None:
    phrase = next(
        words
        for words in ("the two victims", "six people", "Four men", "Two people", "two")
        if words in text
    )
    shot = houston(text, place=None, **{filed: [FigureDraft(phrase=phrase, said_by=None)]})
    (record,) = finalized_in(text, shot)
    assert getattr(record, counted) is not None
    other = "injured" if counted == "killed" else "killed"
    assert getattr(record, other) is None


# --- Where: the region and country as the article writes them ---------------------------

DATELINE = (
    "STARKVILLE, Miss. (AP) \u2014 A man was shot dead on Main Street on Monday, police said."
)


def test_the_state_is_read_after_the_place_and_the_country_follows_it() -> None:
    shot = draft(quote="A man was shot dead on Main Street on Monday, police said.",
                 sub_event_type="attack_on_civilians", place="Starkville", country="USA",
                 perpetrators=[], targets=[], weapons=[])  # fmt: skip
    context = Context(text=DATELINE, published=None, record_id="r-1")
    location = finalize(shot, context).location
    assert (location.place, location.admin1, location.country) == (
        "STARKVILLE", "Mississippi", "United States"
    )  # fmt: skip


def test_a_place_without_a_state_of_its_own_takes_the_datelines() -> None:
    text = "Bar shooting\n\nINDIANAPOLIS, Ind. \u2014 Four people were shot at a bar in Kokomo."
    shot = draft(quote="Four people were shot at a bar in Kokomo.", place="Kokomo",
                 sub_event_type="attack_on_civilians", country=None,
                 perpetrators=[], targets=[], weapons=[])  # fmt: skip
    location = finalize(shot, Context(text=text, published=None, record_id="r-1")).location
    assert (location.place, location.admin1, location.country) == (
        "Kokomo", "Indiana", "United States"
    )  # fmt: skip


def test_the_dateline_gives_no_state_to_an_incident_in_another_country() -> None:
    text = "WASHINGTON, D.C. (AP) \u2014 A Russian drone struck Kharkiv, Ukraine, on Monday."
    struck = draft(quote=text.split("\u2014 ")[1], place="Kharkiv", country="Ukraine",
                   sub_event_type="air_or_drone_strike", perpetrators=[], targets=[],
                   weapons=["drone"])  # fmt: skip
    location = finalize(struck, Context(text=text, published=None, record_id="r-1")).location
    assert (location.admin1, location.country) == (None, "Ukraine")


def test_a_region_as_written_is_kept_and_a_country_the_article_lacks_is_not() -> None:
    incident, warnings = run(draft(place="Belgorod", region="Belgorod", country="France"))
    assert (incident.location.admin1, incident.location.country) == ("Belgorod", None)
    assert "r-1: country 'France' is not in the article (removed)" in warnings


def test_a_death_given_as_the_person_who_died_counts_one() -> None:
    text = "Police said the victim died at the scene after he was shot on Elm Street."
    shot = draft(quote=text, sub_event_type="attack_on_civilians", place=None, country=None,
                 perpetrators=[], targets=[], weapons=[],
                 killed=[FigureDraft(phrase="the victim", said_by=None)])  # fmt: skip
    incident = finalize(shot, Context(text=text, published=None, record_id="r-1"))
    assert incident.killed is not None
    assert (incident.killed.best, incident.killed.text) == (1, "the victim")


def test_a_place_written_with_its_state_gives_the_state() -> None:
    text = "JONESBORO, AR (KAIT) - Four people were shot dead on Main Street, police said."
    shot = draft(quote="Four people were shot dead on Main Street, police said.",
                 sub_event_type="attack_on_civilians", place="JONESBORO, AR", country=None,
                 perpetrators=[], targets=[], weapons=[])  # fmt: skip
    location = finalize(shot, Context(text=text, published=None, record_id="r-1")).location
    assert (location.place, location.admin1, location.country) == (
        "JONESBORO", "Arkansas", "United States"
    )  # fmt: skip
    assert (
        location.text is not None and text[location.text.start : location.text.end] == "JONESBORO"
    )


# --- Records of one shooting, told from several places and sentences ------------------

HOUSTON = (
    "Charges have been filed in the shooting death of a Houston man on Saturday afternoon.\n\n"
    "Jeremiah James Pipkins, 17, has been charged with manslaughter in the shooting.\n\n"
    "Brayam Davila, age 10, was released from the hospital on Tuesday and is at home."
)


def finalized_in(text: str, *drafts: IncidentDraft) -> list[Incident | None]:
    published = datetime.date(2014, 3, 3)
    return [finalize(d, Context(text=text, published=published, record_id=f"r-{i}"))
            for i, d in enumerate(drafts, start=1)]  # fmt: skip


def houston(quote: str, **fields) -> IncidentDraft:
    base = {"quote": quote, "sub_event_type": "attack_on_civilians", "country": None,
            "perpetrators": [], "targets": [], "weapons": [], "victims": []}  # fmt: skip
    return draft(**{**base, **fields})


def test_records_that_name_the_same_person_are_one_incident_whatever_their_places() -> None:
    first, second = finalized_in(
        HOUSTON,
        houston(HOUSTON.split("\n")[0], place="Houston", perpetrators=["Jeremiah James Pipkins"]),
        houston("Jeremiah James Pipkins, 17, has been charged with manslaughter in the shooting.",
                place="Harris County", perpetrators=["Pipkins"]),
    )  # fmt: skip
    assert len(combine([first, second], HOUSTON)) == 1


def test_a_sentence_telling_of_no_violence_is_no_record() -> None:
    (record,) = finalized_in(HOUSTON, houston(HOUSTON.split("\n")[-1], place="Houston"))
    assert record is None


def test_a_date_given_once_in_the_paragraph_dates_the_incident() -> None:
    text = "A man was shot Saturday night on Elm Street. Police said he died at the hospital."
    quiet = houston("Police said he died at the hospital.", place=None, date_text=None)
    (record,) = finalized_in(text, quiet)
    assert record is not None
    assert (record.date.text, record.date.start) == ("Saturday night", datetime.date(2014, 3, 1))


@pytest.mark.parametrize(
    ("phrase", "best"),
    [("Sarah Davidson", 1), ("Leanne Smith and Dustin Grey", 2), ("Police Chief", None)],
)
def test_people_named_in_full_are_counted_one_each(phrase: str, best: int | None) -> None:
    text = (
        "Parish fired multiple shots, killing Sarah Davidson, and wounding Leanne Smith and "
        "Dustin Grey, the Police Chief said."
    )
    kind = "killed" if best == 1 else "injured"
    shot = houston(text, place=None, **{kind: [FigureDraft(phrase=phrase, said_by=None)]})
    (record,) = finalized_in(text, shot)
    count = getattr(record, kind)
    assert (count.best if count else None) == best


EASTER = (
    "6 shot at Easter party in Montgomery\n\n"
    "Police in suburban Montgomery are looking for the person who shot six people early "
    "Sunday.\n\n"
    "The victims were shot in a garage and taken to the hospital.\n\n"
    "Last year, three people were shot at a party on the same street."
)


@pytest.mark.parametrize(
    ("quote", "phrase", "best"),
    [
        ("6 shot at Easter party in Montgomery", "six people", 6),  # the lede's figure
        ("The victims were shot in a garage and taken to the hospital.", "six people", None),
        ("6 shot at Easter party in Montgomery", "three people", None),  # last year's
    ],
)
def test_a_record_told_in_the_opening_takes_its_figures_from_headline_and_lede(
    quote: str, phrase: str, best: int | None
) -> None:
    shot = houston(quote, place=None, injured=[FigureDraft(phrase=phrase, said_by=None)])
    (record,) = finalized_in(EASTER, shot)
    assert (record.injured.best if record.injured else None) == best


def test_a_person_counted_is_found_without_the_models_article() -> None:
    text = "9-year-old dead after shooting\n\nA 9-year old was found dead after being shot."
    shot = houston(text.split("\n")[0], place=None,
                   killed=[FigureDraft(phrase="the 9-year-old boy", said_by=None)])  # fmt: skip
    (record,) = finalized_in(text, shot)
    assert record.killed is not None
    assert (record.killed.best, record.killed.claims[0].text) == (1, "9-year-old")


def test_a_figure_whose_sentence_tells_of_no_harm_is_refused() -> None:
    text = "A boy was shot dead on Monday. Morgan said the two children were home that day."
    shot = houston(text, place=None, killed=[FigureDraft(phrase="two children", said_by=None)])
    (record,) = finalized_in(text, shot)
    assert record is not None and record.killed is None


def test_a_figure_given_twice_is_taken_in_its_incidents_paragraph() -> None:
    text = "Four kids wounded in a shooting.\n\nLater, four kids were seen at a park."
    shot = houston("Four kids wounded in a shooting.", place=None,
                   injured=[FigureDraft(phrase="four kids", said_by=None)])  # fmt: skip
    context = Context(text=text, published=None, record_id="r-1",
                      anchor=Span(len(text) - 10, len(text), "exact"))  # fmt: skip
    injured = finalize(shot, context).injured
    assert injured is not None and injured.claims[0].start == 0


FRANKLIN = (
    "Franklin murder-suicide suspect argued with his ex\n\n"
    "Police say Andy Parish opened fire at the house on Bridlewood Drive on Monday "
    "night, where Sarah Davidson lived with Leanne Smith.\n\n"
    "Chief Tim Sullivan said Parish fired multiple shots, killing Sarah Davidson and "
    "injuring Leanne Smith."
)
KILLING = "Parish fired multiple shots, killing Sarah Davidson and injuring Leanne Smith."


def test_a_person_counted_is_taken_where_the_incidents_paragraphs_tell_of_the_harm() -> None:
    shot = draft(
        quote="Police say Andy Parish opened fire at the house on Bridlewood Drive on "
        "Monday night, where Sarah Davidson lived with Leanne Smith.",
        sub_event_type="attack_on_civilians", place="Franklin", country=None,
        perpetrators=["Andy Parish"], targets=[], weapons=[], victims=["Sarah Davidson"],
        killed=[FigureDraft(phrase="Sarah Davidson", said_by=None)],
    )  # fmt: skip
    # The listing quoted both sentences: Sarah Davidson is named in both paragraphs.
    told = tuple(paragraph(FRANKLIN, FRANKLIN.index(q)) for q in (shot.quote, KILLING))
    incident = finalize(shot, Context(FRANKLIN, None, "r-1", passages=told))
    assert incident.killed is not None
    killing = FRANKLIN.index("killing Sarah Davidson") + len("killing ")
    assert (incident.killed.best, incident.killed.claims[0].start) == (1, killing)


def test_a_record_without_a_day_takes_the_only_day_its_article_names() -> None:
    text = (
        "Franklin murder-suicide leaves two dead\n\n"
        "Police say Parish opened fire at a house on Bridlewood Drive Monday night."
    )
    headline = draft(quote="Franklin murder-suicide leaves two dead", date_text=None,
                     sub_event_type="attack_on_civilians", place="Franklin", country=None,
                     perpetrators=[], targets=[], weapons=[])  # fmt: skip
    published = datetime.date(2014, 2, 4)
    incident = finalize(headline, Context(text, published, "r-1"))
    assert (incident.date.text, incident.date.start) == ("Monday night", datetime.date(2014, 2, 3))
    # With a second day in the article, the day is not the program's to choose.
    twice = text + " He was charged on Tuesday."
    assert finalize(headline, Context(twice, published, "r-1")).date.precision == "unknown"
