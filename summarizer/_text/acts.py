"""What an evidence sentence says happened: an act of violence or not, and of what kind.

Two checks the program makes on the model's answer, from the article's own words:

- `tells_of_violence`: a record reports an act of violence (or a protest, a riot, an
  interception...), not a vigil, a statement, a court hearing or an accident. Its
  evidence must name an act ("shot", "bomb", "attack", "kidnapped"...), or casualties
  without an accident ("two people were killed Sunday", not "died in a crash").
- `checked_type`: the sub-event type agrees with what the words name. Each type in
  `NEEDS` requires one of its words; a type whose words are absent is replaced by the
  one the words show (`_SHOWN`, most specific first), and an attack by people on the
  ground with guns or knives is an `attack_on_civilians`, or an `armed_clash` when both
  sides fire. The table is in docs/design.md.
"""

from __future__ import annotations

import re

from summarizer._text.counts import casualty_kinds

# "fired" at something, not from a job: shots fired, fired at, fired into a crowd.
_FIRED = r"fired (?:\w+ )?(?:shots?|rounds?|at|on|into|upon|from|back)"


def _words(*stems: str) -> re.Pattern[str]:
    """A pattern matching any of `stems` at the start of a word, in any case."""
    return re.compile(r"\b(?:" + "|".join(stems) + ")", re.IGNORECASE)


_AIR = _words("air ?strike", "air raid", "drone", "aircraft", "warplane", "jets?\\b", "plane",
              "helicopter", "bomber", "uav", "aerial")  # fmt: skip
_ARTILLERY = _words("missile", "rocket", "shell", "artillery", "mortar", "howitzer", "barrage",
                    "mlrs", "himars", "iskander", "cluster munition")  # fmt: skip
_EXPLOSIVE = _words("bomb", "ied\\b", "explosi", "blast", "land ?mine", "mines?\\b", "detonat",
                    "explod", "car bomb")  # fmt: skip
# A suicide bombing, not a murder-suicide: the word with its bomb, or a bomber blowing up.
_SUICIDE = _words("suicide (?:bomb|attack|car|truck|vest|belt)", "self-detonat",
                  "blew (?:himself|herself|themselves) up")  # fmt: skip
_GRENADE = _words("grenade")
_INTERCEPTION = _words("sho(?:t|ot|oting|ots) down", "intercept", "downed", "air defen",
                       "neutrali[sz]ed", "destroyed .{0,40}(?:drone|missile|rocket)")  # fmt: skip
_ARSON = _words("arson", "set fire", "set .{0,30}on fire", "set ablaze", "ablaze", "burn",
                "blaze", "torch", "flames", "incendiar", "molotov", "firebomb")  # fmt: skip
_ABDUCTION = _words("kidnap", "abduct", "hostage", "captive", "taken captive", "disappear")
_AIRSPACE = _words("airspace", "incursion")
_ROBBERY = _words("robb", "robs?\\b", "stole", "theft", "heist", "hold-?up", "carjack")
_PROTEST = _words("protest", "demonstrat", "rally", "rallies", "march(?:ed|ers?|ing|es)\\b",
                  "sit-in", "picket")  # fmt: skip
_RIOT = _words("riot", "mob\\b", "unrest", "loot")
_GUNS_AND_BLADES = _words("shot", "shoot", "gun", _FIRED, "firing", "opened fire", "rifle",
                          "pistol", "stab", "knife", "machete", "beat", "assault", "attack",
                          "murder", "homicide", "massacre", "slain", "execut", "ambush",
                          "raid", "hijack")  # fmt: skip
_BOTH_SIDES = _words("exchange of fire", "exchanged fire", "shootout", "shoot-out", "gun ?battle",
                     "firefight(?!er)", "clash", "fighting", "battle", "returned fire")  # fmt: skip
_ACCIDENT = _words("crash", "collision", "accident", "drown", "overdose", "fell\\b", "traffic")

# Sub-event type -> the words it requires in the evidence or the weapons.
NEEDS: dict[str, re.Pattern[str]] = {
    "air_or_drone_strike": _AIR,
    "missile_or_artillery_attack": _ARTILLERY,
    "remote_explosive": _EXPLOSIVE,
    "suicide_bombing": _SUICIDE,
    "grenade": _GRENADE,
    "interception": _INTERCEPTION,
    "arson": _ARSON,
    "abduction": _ABDUCTION,
    "airspace_violation": _AIRSPACE,
    "robbery": _ROBBERY,
    "protest": _PROTEST,
    "riot": _RIOT,
}
# The type the words show, most specific first (a suicide bomber's blast is a suicide
# bombing before it is an explosive; a drone shot down an interception, not a strike).
_SHOWN = (
    ("suicide_bombing", _SUICIDE), ("interception", _INTERCEPTION), ("grenade", _GRENADE),
    ("air_or_drone_strike", _AIR), ("missile_or_artillery_attack", _ARTILLERY),
    ("remote_explosive", _EXPLOSIVE), ("abduction", _ABDUCTION), ("arson", _ARSON),
    ("armed_clash", _BOTH_SIDES), ("attack_on_civilians", _GUNS_AND_BLADES),
    ("robbery", _ROBBERY), ("riot", _RIOT), ("protest", _PROTEST),
    ("airspace_violation", _AIRSPACE),
)  # fmt: skip
_ACTS = tuple(pattern for _, pattern in _SHOWN)


def tells_of_violence(evidence: str) -> bool:
    """True when `evidence` names an act (`_SHOWN`'s words), or casualties and no accident."""
    if any(pattern.search(evidence) for pattern in _ACTS):
        return True
    return bool(casualty_kinds(evidence)) and not _ACCIDENT.search(evidence)


def checked_type(sub_event_type: str, words: str) -> str:
    """`sub_event_type` when `words` (the evidence and weapons) allow it, else the type
    they show (``other`` when they show none)."""
    needed = NEEDS.get(sub_event_type)
    if needed is None or needed.search(words):
        return sub_event_type
    return next((kind for kind, pattern in _SHOWN if pattern.search(words)), "other")
