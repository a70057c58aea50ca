"""What an evidence paragraph says happened: violence or not, and which sub-event type."""

from __future__ import annotations

import pytest

from summarizer._text.acts import NEEDS, checked_type, tells_of_violence
from summarizer.schemas._incident import EVENT_TYPE


@pytest.mark.parametrize(
    "evidence",
    [
        "A man was shot in the leg outside a bar on Main Street.",
        "Two people were killed early Sunday, police said.",
        "Gunmen kidnapped three aid workers near the border.",
        "Air defences shot down 13 drones over the region overnight.",
        "Hundreds marched through the city to protest the killings.",
        "A car bomb exploded outside the police station.",
    ],
)
def test_an_act_or_casualties_tell_of_violence(evidence: str) -> None:
    assert tells_of_violence(evidence)


@pytest.mark.parametrize(
    "evidence",
    [
        "Counsellors were at the school on Tuesday to help students.",
        "It has been very difficult for the family, she said.",
        "A vigil for the victim drew 200 people on Wednesday.",
        "The driver died after his car struck a tree, in a traffic accident on Route 9.",
        "The hearing was postponed until March 3.",
        "Robert Marchant, the mayor, thanked the firefighters.",
    ],
)
def test_vigils_statements_hearings_and_accidents_do_not(evidence: str) -> None:
    assert not tells_of_violence(evidence)


@pytest.mark.parametrize(
    ("given", "words", "expected"),
    [
        # A shooting by people on the ground is an attack, or a clash when both sides fire.
        ("air_or_drone_strike", "A gunman opened fire on a crowd outside a club.",
         "attack_on_civilians"),
        ("remote_explosive", "Police exchanged fire with the suspect, who was killed.",
         "armed_clash"),
        ("suicide_bombing", "He shot his neighbour with a handgun.", "attack_on_civilians"),
        ("arson", "The man opened fire on officers.", "attack_on_civilians"),
        ("interception", "A man was shot dead in his car.", "attack_on_civilians"),
        # Types the words bear are kept; those they do not are replaced by what they show.
        ("air_or_drone_strike", "A drone strike hit a convoy near the town.",
         "air_or_drone_strike"),
        ("remote_explosive", "Russian officials reported shooting down 32 drones.",
         "interception"),
        ("grenade", "A suicide bomber blew himself up at the checkpoint.", "suicide_bombing"),
        ("suicide_bombing", "Police called it a murder-suicide: he shot his wife, then himself.",
         "attack_on_civilians"),
        ("arson", "Rioters set fire to a bus.", "arson"),
        ("abduction", "Nothing happened that anyone could name.", "other"),
        # Types without required words are the model's to choose.
        ("attack_on_civilians", "A bomb went off in the market.", "attack_on_civilians"),
        ("other", "The man was found dead.", "other"),
    ],
)  # fmt: skip
def test_the_sub_event_type_agrees_with_the_words(given: str, words: str, expected: str) -> None:
    assert checked_type(given, words) == expected


def test_every_type_the_rule_table_names_is_one_of_the_schemas() -> None:
    assert set(NEEDS) < set(EVENT_TYPE)
