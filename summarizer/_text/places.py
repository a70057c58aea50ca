"""Places as articles write them: the US states, and the state a place is given with.

American news names a town's state after a comma, in full or abbreviated: a dateline
("STARKVILLE, Miss. (AP) —"), or "in Franklin, Indiana". The abbreviations are the
postal codes and the Associated Press's (its stylebook spells eight states out). The
program reads the state from the article's own words, never from what the town is.
"""

from __future__ import annotations

import re

from summarizer._text.grounding import normalise

# state -> (postal code, AP abbreviation or None where AP spells the name out)
_STATES: dict[str, tuple[str, str | None]] = {
    "Alabama": ("AL", "Ala."), "Alaska": ("AK", None), "Arizona": ("AZ", "Ariz."),
    "Arkansas": ("AR", "Ark."), "California": ("CA", "Calif."), "Colorado": ("CO", "Colo."),
    "Connecticut": ("CT", "Conn."), "Delaware": ("DE", "Del."), "Florida": ("FL", "Fla."),
    "Georgia": ("GA", "Ga."), "Hawaii": ("HI", None), "Idaho": ("ID", None),
    "Illinois": ("IL", "Ill."), "Indiana": ("IN", "Ind."), "Iowa": ("IA", None),
    "Kansas": ("KS", "Kan."), "Kentucky": ("KY", "Ky."), "Louisiana": ("LA", "La."),
    "Maine": ("ME", None), "Maryland": ("MD", "Md."), "Massachusetts": ("MA", "Mass."),
    "Michigan": ("MI", "Mich."), "Minnesota": ("MN", "Minn."), "Mississippi": ("MS", "Miss."),
    "Missouri": ("MO", "Mo."), "Montana": ("MT", "Mont."), "Nebraska": ("NE", "Neb."),
    "Nevada": ("NV", "Nev."), "New Hampshire": ("NH", "N.H."), "New Jersey": ("NJ", "N.J."),
    "New Mexico": ("NM", "N.M."), "New York": ("NY", "N.Y."), "North Carolina": ("NC", "N.C."),
    "North Dakota": ("ND", "N.D."), "Ohio": ("OH", None), "Oklahoma": ("OK", "Okla."),
    "Oregon": ("OR", "Ore."), "Pennsylvania": ("PA", "Pa."), "Rhode Island": ("RI", "R.I."),
    "South Carolina": ("SC", "S.C."), "South Dakota": ("SD", "S.D."),
    "Tennessee": ("TN", "Tenn."), "Texas": ("TX", None), "Utah": ("UT", None),
    "Vermont": ("VT", "Vt."), "Virginia": ("VA", "Va."), "Washington": ("WA", "Wash."),
    "West Virginia": ("WV", "W.Va."), "Wisconsin": ("WI", "Wis."), "Wyoming": ("WY", "Wyo."),
    "District of Columbia": ("DC", "D.C."),
}  # fmt: skip
UNITED_STATES = "United States"

# Every way of writing a state -> its name, as written (postal codes in capitals only:
# "IN", "OR", "ME" are words too); and by a key without case or dots, for forms to read.
_BY_FORM = {form: name for name, forms in _STATES.items() for form in (name, *forms) if form}
_FORMS = "|".join(sorted(map(re.escape, _BY_FORM), key=len, reverse=True))
# The full names, and the AP abbreviations without their dot ("Ark", "Calif").
_NAMES = "|".join(sorted(map(re.escape, _STATES), key=len, reverse=True))
_DOTLESS = "|".join(
    sorted((re.escape(ap[:-1]) for _, ap in _STATES.values() if ap and "." not in ap[:-1]),
           key=len, reverse=True)
)  # fmt: skip


def _key(written: str) -> str:
    return normalise(written.replace(".", ""))


_BY_KEY = {_key(form): name for form, name in _BY_FORM.items() if not form.isupper()}


def state_name(written: str) -> str | None:
    """The state that `written` names ("Miss.", "MS", "mississippi"), or None."""
    value = written.strip()
    return _BY_FORM.get(value) or _BY_KEY.get(_key(value))


def state_after(place: str, text: str) -> str | None:
    """The state the article writes right after `place` and a comma ("STARKVILLE, Miss.",
    "in Franklin, Indiana"), or None. The place is matched in any case, the state as
    one of its written forms."""
    pattern = rf"(?i:\b{re.escape(place)}),\s+({_FORMS})(?![A-Za-z])"
    match = re.search(pattern, text)
    return _BY_FORM[match.group(1)] if match else None


def state_within(place: str) -> tuple[str, str] | None:
    """A place written with its state ("Bokoshe, Ark", "JONESBORO, AR", "Montgomery
    Alabama"): the town's words and the state, else None. After a comma any form counts
    (an AP abbreviation without its dot too); after a space only a state's full name. A
    place that is itself a state ("West Virginia", "New York") is not split."""
    text = place.strip()
    if state_name(text):
        return None
    after_comma = re.match(rf"^(.+?),\s*({_FORMS}|{_DOTLESS})\.?$", text)
    if after_comma:
        written = after_comma.group(2)
        return after_comma.group(1), _BY_FORM.get(written) or _BY_FORM[f"{written}."]
    after_space = re.match(rf"^(.+?)\s+({_NAMES})\.?$", text)
    return (after_space.group(1), after_space.group(2)) if after_space else None


def writes_state(state: str, text: str) -> bool:
    """True when `text` writes `state`: its full name, or an abbreviation after a comma
    ("Starkville, Miss.", "JONESBORO, AR"). What a record may take from the article."""
    if state not in _STATES:
        return False
    forms = [form for form in _STATES[state] if form]
    after_comma = any(re.search(rf",\s+{re.escape(form)}(?![A-Za-z])", text) for form in forms)
    return after_comma or re.search(rf"(?<!West )\b{re.escape(state)}\b", text) is not None


# A dateline: a town in capitals, its state, maybe the agency, then a dash, at the start
# of a line near the top ("STARKVILLE, Miss. (AP) —", "BUFFALO, N.Y. -").
_DATELINE = re.compile(
    rf"(?m)^\W{{0,3}}[A-Z][A-Z.'\- ]{{2,}}[A-Z.],\s+({_FORMS})\s*(?:\([^)\n]*\)\s*)?[\u2014\u2013-]"
)
# Where a dateline stands: after the headline and a photo caption or two.
_DATELINE_WITHIN = 600


def dateline_state(text: str) -> str | None:
    """The state of the article's dateline, or None. On GVA dev, 55 of 300 articles
    have one, and its state is the incident's in all 55 (its town in 44: a story filed
    from Indianapolis tells of Kokomo), so a record takes the state, never the town. A
    story filed from another state's city would mislead it: none of the 55 was."""
    match = _DATELINE.search(text[:_DATELINE_WITHIN])
    return _BY_FORM[match.group(1)] if match else None
