"""The `incident` schema's records read as MUC-4 templates, so that both schemas are
scored on the same articles with the same metric (``eval run --schema incident`` on
MUC-4 data; the rules are tabled in docs/evaluation.md).

- The incident type: from the sub-event type (`MUC4_TYPE`); a record of a kind MUC-4 does
  not template (protests, riots, interceptions, airspace violations) gives no template.
- ``Target``, ``Victim``, ``Weapon``: the record's targets, victims and weapons, each
  value one entity of one mention, as the article writes it.
- ``PerpInd`` or ``PerpOrg``: each perpetrator, an organization when its last word is one
  of the organization words fitted on MUC-4 train (``summarizer eval fit-words``:
  "fmln", "army", "front", ...), else people.
"""

from __future__ import annotations

from typing import Any

from summarizer.schemas._word_lists import load_word_lists

# MUC-4's incident type of each sub-event type that it templates. Grenades are bombings
# as MUC-4 train has them (8 of 11 templates whose weapon is a grenade); `other` is an
# attack, MUC-4's type for violence of no narrower kind.
MUC4_TYPE: dict[str, str] = {
    "air_or_drone_strike": "attack",
    "missile_or_artillery_attack": "attack",
    "armed_clash": "attack",
    "attack_on_civilians": "attack",
    "property_destruction": "attack",
    "other": "attack",
    "remote_explosive": "bombing",
    "suicide_bombing": "bombing",
    "grenade": "bombing",
    "abduction": "kidnapping",
    "arson": "arson",
    "robbery": "robbery",
}
_ORGANIZATION_WORDS = load_word_lists()["organization_words"]


def muc4_templates(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The MUC-4 templates of a document's `incident` records (as their JSON)."""
    return [
        _template(record, MUC4_TYPE[record["sub_event_type"]])
        for record in records
        if record["sub_event_type"] in MUC4_TYPE
    ]


def _template(record: dict[str, Any], incident_type: str) -> dict[str, Any]:
    perpetrators = _texts(record["perpetrators"])
    organizations = [p for p in perpetrators if _an_organization(p)]
    return {
        "incident_type": incident_type,
        "PerpInd": _entities([p for p in perpetrators if p not in organizations]),
        "PerpOrg": _entities(organizations),
        "Target": _entities(_texts(record["targets"])),
        "Victim": _entities(_texts(record["victims"])),
        "Weapon": _entities(_texts(record["weapons"])),
    }


def _texts(values: list[dict[str, Any]]) -> list[str]:
    return [value["text"] for value in values]


def _entities(mentions: list[str]) -> list[list[str]]:
    return [[mention] for mention in dict.fromkeys(mentions)]


def _an_organization(mention: str) -> bool:
    words = mention.lower().split()
    return bool(words) and words[-1].strip(".,;:()\"'") in _ORGANIZATION_WORDS
