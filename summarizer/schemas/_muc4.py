"""The built-in ``muc4`` schema: MUC-4 incident templates, each role filled with short spans.

Two shapes, as for ``incident``:

- `TemplateDraft` is what the model fills for one incident: the incident type (a closed
  enum) and five flat lists of short strings, with role names a model can read;
- `Template` is the MUC-4 template as the gold data holds it (``incident_type``,
  ``PerpInd``, ``PerpOrg``, ``Target``, ``Victim``, ``Weapon``, each role a list of
  entities, each entity a list of mentions), so predictions are written straight
  from records and scored with `summarizer._scoring.muc4`.

Gold fillers are short noun phrases copied from the text ("guerrillas", "urng",
"presidential farm"); a small model's spans are too long, misplaced or invented. So
`finalize` does what code can do (the program, not the model, computes: docs/design.md):

1. each filler is found in the article (whole word first, then `align`) and replaced
   by the article's own words; one the article does not contain is dropped;
2. the span is trimmed: leading determiners ("the", "several", "his"), prepositions and
   ages ("30-year-old") go, and so does everything from the first clause, parenthesis,
   place marker or reflexive on (", who", " (", " in ", " after ", " himself"), and "x
   and y" becomes two mentions: in the train split fewer than 1 in 100 gold entities
   need such a part (" and ": 14 of 2,917);
3. a span still longer than `MAX_WORDS` words, or a pronoun, is dropped; a perpetrator's
   or victim's name given in part becomes its longest form in the article ("pizarro" ->
   "carlos pizarro leongomez"), a victim's office gone first;
4. role checks: a perpetrator the article writes beside a parenthesis ("fmln (farabundo
   ...") is an organization; a filler that is both perpetrator and victim is dropped
   from both (one of the two is wrong and the program cannot tell which); a victim is
   no physical target, and a named official given as one is a victim; a target the
   article only uses as a place ("in san salvador", "the city of la ceiba") is dropped,
   since towns are not targets in MUC-4;
5. fillers are deduplicated within a role, as the scorer compares them (`normalise_mention`);
6. the incident type must have a word in the article ("kidnapping": kidnapped,
   abducted, hostage...), else it is the generic "attack".

`combine` then keeps a document's templates that the article can report, each
incident once (the scorer counts every predicted template), and makes each template's
type, roles and fillers agree as the train split's gold has them: a victim there is a
named person, a perpetrator's last word tells people from an organization and from what
is no perpetrator at all, and a target is a thing, not a bare name (an English word list,
GCIDE, tells names from words).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from summarizer._scoring.muc4 import ROLES, normalise_mention
from summarizer._text.dictionary import in_dictionary
from summarizer._text.grounding import align
from summarizer.schemas._base import Context, Schema, merge_repeats
from summarizer.schemas._relevance import Relevance
from summarizer.schemas._word_lists import DATA, load_word_lists

IncidentType = Literal[
    "attack", "bombing", "kidnapping", "arson", "robbery", "forced work stoppage"
]

MAX_WORDS = 8  # 99% of the train split's gold mentions have at most 8 words
# How near a word of violence a template's filler must stand, in characters each side: the
# best of the widths tried (docs/evaluation.md, "Why muc4's settings are what they are").
VIOLENCE_WINDOW = 250

Phrase = Annotated[str, Field(max_length=60)]

# Whether an article reports an incident at all, fitted on the train split (`_relevance`).
RELEVANCE = Relevance(DATA / "muc4.relevance.json")  # `summarizer eval fit-relevance`
# Under this, an article keeps one template (`combine`). Over all 200 dev documents on
# stored answers: 32.9 without the cap, 33.6 to 34.4 with it from 0.75 to 0.90, 32.9
# with one template for every article; train 0401-0460 gains too (39.2 -> 40.6).
SURE_OF_RELEVANCE = 0.80


# --- What the model fills ------------------------------------------------------------


class TemplateDraft(BaseModel):
    """One incident as the model reads it; every phrase is copied from the article."""

    incident_type: IncidentType = Field(
        description="attack, bombing, kidnapping, arson, robbery or forced work stoppage"
    )
    perpetrators: list[Phrase] = Field(
        max_length=3, description="people who did it, as written, e.g. 'guerrillas', 'two men'"
    )
    perpetrator_organizations: list[Phrase] = Field(
        max_length=2, description="the organization responsible, as written, e.g. 'fmln'"
    )
    targets: list[Phrase] = Field(
        max_length=4, description="buildings, vehicles or installations hit; never a town"
    )
    victims: list[Phrase] = Field(
        max_length=4, description="people killed, hurt or kidnapped, by name when given"
    )
    weapons: list[Phrase] = Field(
        max_length=3, description="weapons or means used, e.g. 'car bomb', 'dynamite'"
    )


# Which template role each draft field fills.
ROLE_OF_FIELD: dict[str, str] = dict(
    zip(
        ("perpetrators", "perpetrator_organizations", "targets", "victims", "weapons"),
        ROLES,
        strict=True,
    )
)


# --- What users get ----------------------------------------------------------------

Entity = Annotated[
    list[str],
    Field(min_length=1, description="coreferent mentions of one entity, copied from the article"),
]


class Template(BaseModel):
    """One MUC-4 incident template, in the gold data's shape (mentions without offsets)."""

    incident_type: IncidentType
    PerpInd: list[Entity] = Field(description="individual perpetrators")
    PerpOrg: list[Entity] = Field(description="perpetrator organizations")
    Target: list[Entity] = Field(description="physical targets")
    Victim: list[Entity] = Field(description="human victims")
    Weapon: list[Entity] = Field(description="weapons and instruments")

    def mentions(self, role: str) -> list[str]:
        """The role's mentions, as the article writes them."""
        return [mention for entity in getattr(self, role) for mention in entity]

    def fillers(self, role: str) -> set[str]:
        """The role's mentions as the scorer compares them."""
        return {normalise_mention(m) for m in self.mentions(role)}


# --- From one to the other ------------------------------------------------------------

# A span starts after these: determiners, vague quantities ("at least six persons"), ages
# and prepositions ("to nearby structures"). None of the train split's 2,596 gold
# perpetrators, targets and victims has an age or starts with one of these prepositions.
_HEAD = re.compile(
    r"^(?:(?:a|an|the|some|several|other|another|many|various|all|both|each|any|this|these|"
    r"that|those|his|her|its|their|our|my|your|at least|more than|up to|about|around|"
    r"approximately|nearly|almost|over|[\w-]+-year-old|to|into|for|against|of|with|on|by|"
    r"from|in)\s+)+",
    re.IGNORECASE,
)
# A span ends before the first of these: clauses, places, times and circumstances, a
# parenthesis ("(fal)", "(not further identified)"), which 11 of train's 4,033 gold
# fillers hold, and a reflexive ("delgado himself"), which none holds.
_TAIL = re.compile(
    r"\s*(?:[,;:]|(?<=\S)\s*\(|\s--?\s|\s(?:who|whom|whose|which|that|when|while|where|after|"
    r"before|because|during|since|as|in|at|near|on|from|with|by)\s|"
    r"\s(?:himself|herself|itself|themselves)\b).*",
    re.DOTALL,
)
_PRONOUNS = "he she they them him it we us i you unknown none null n/a nobody someone"
_NOT_MENTIONS = frozenset(_PRONOUNS.split())
# A place as the article uses it: "in san salvador", "the heart of lima".
_PLACE_BEFORE = re.compile(
    r"\b(?:in|(?:city|town|village|department|province|municipality|district|capital|heart|"
    r"outskirts|center|centre|suburbs|streets) of)(?:\s+the)?\s+$"
)
_PUNCT = " \n\t.,;:!?-"
_MILITARY = re.compile(
    r"\b(?:soldier|troop|military|army|barrack|helicopter|aircraft|patrol|garrison|battalion"
    r"|brigade)",
    re.IGNORECASE,
)
# Words an article uses for an incident of each type (word starts).
_TYPE_WORDS: dict[str, re.Pattern[str]] = {
    kind: re.compile(rf"\b(?:{stems})", re.IGNORECASE)
    for kind, stems in {
        "attack": "kill|murder|shot|shoot|attack|assassin|wound|massacre|ambush|machinegun|dead"
        "|death|fire|injur|slain|bomb|explo|dynamite|assault|kidnap|burn",
        "bombing": "bomb|explo|dynamite|grenade|blast|device|mine|charge|detonat|rocket|mortar",
        "kidnapping": "kidnap|abduct|hostage|captiv|disappear",
        "arson": "fire|burn|arson|torch|incendiar|flame|blaze",
        "robbery": "rob|stol|steal|loot|theft|thie|assault",
        "forced work stoppage": "strike|stoppage|shutdown|paraly|halt|stop|closed",
    }.items()
}


def _words_span(text: str, start: int, end: int) -> tuple[int, int]:
    """`start:end` widened to whole words: a span cut mid-word is never a mention."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def _as_words(phrase: str) -> re.Pattern[str]:
    """`phrase` as whole words, in any case."""
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE)


def locate(value: str, context: Context) -> tuple[int, int] | None:
    """Where `value` stands in the article as whole words (as written, then trimmed, since
    models add words such as "the"), else where `align` finds it."""
    for candidate in dict.fromkeys((value, trim(value))):
        whole = candidate and _as_words(candidate).search(context.text)
        if whole:
            return whole.span()
    near = context.anchor.start if context.anchor else None
    span = align(value, context.text, near=near)
    if span.start is None or span.end is None:
        return None
    return _words_span(context.text, span.start, span.end)


def trim(span: str) -> str:
    """The short noun phrase at the head of `span`: no leading determiner, no tail clause.

    The result is a part of `span`, so a span copied from the article stays verbatim.
    """
    span = _HEAD.sub("", _TAIL.sub("", span.strip(_PUNCT))).strip(_PUNCT)
    # A quotation mark whose partner was cut off goes too.
    return span.strip('"') if span.count('"') % 2 else span


def _mention(value: str, context: Context, role: str) -> list[str]:
    """The article's short spans for `value` (two for "x and y"), or none (with a warning)."""
    found = locate(value.strip(_PUNCT), context)
    context.tally(found is not None, value)
    if found is None:
        context.warnings.append(f"{context.record_id}: {role} {value!r} is not in the article")
        return []
    span = trim(context.text[found[0] : found[1]])
    parts = [trim(part) for part in re.split(r"\s+and\s+", span)]
    return [part for part in parts if _acceptable(part, context, role)]


def _acceptable(mention: str, context: Context, role: str) -> bool:
    """False (with a warning) for a pronoun, a long span, or a town given as a target."""
    problem = None
    if not normalise_mention(mention) or mention.lower() in _NOT_MENTIONS:
        problem = "names no one"
    elif len(mention.split()) > MAX_WORDS:
        problem = f"is longer than {MAX_WORDS} words"
    elif role == "Target" and _only_a_place(mention, context.text):
        problem = "is a place, not a target"
    if problem:
        context.warnings.append(f"{context.record_id}: {role} {mention!r} {problem}")
    return problem is None


def _only_a_place(mention: str, text: str) -> bool:
    """True when every occurrence of `mention` in the article follows 'in' or 'town of'."""
    starts = [m.start() for m in _as_words(mention).finditer(text)]
    return bool(starts) and all(_PLACE_BEFORE.search(text[max(0, s - 30) : s]) for s in starts)


def _unique(mentions: list[str]) -> list[str]:
    """Each mention once, as the scorer compares them; the first spelling wins."""
    kept: dict[str, str] = {}
    for mention in mentions:
        kept.setdefault(normalise_mention(mention), mention)
    return list(kept.values())


def _mentions(values: list[str], context: Context, role: str) -> list[str]:
    """The role's grounded, trimmed mentions, each once."""
    return _unique([m for value in values for m in _mention(value, context, role)])


def _organizations(mentions: list[str], text: str) -> list[str]:
    """The mentions the article writes beside a parenthesis, as it does for organizations:
    "fmln (farabundo marti national liberation front)", "... front (fmln)". In the train
    split 396 of 412 perpetrator mentions written so are organizations."""
    return [
        m
        for m in mentions
        if re.search(rf"(?<!\w){re.escape(m)}\s?\(|\({re.escape(m)}\)", text, re.IGNORECASE)
    ]


def _drop(
    roles: dict[str, list[str]], role: str, keys: set[str], why: str, context: Context
) -> None:
    """Remove from `role` the mentions whose scorer form is in `keys`, with a warning."""
    dropped = [m for m in roles[role] if normalise_mention(m) in keys]
    if dropped:
        context.warnings.append(
            f"{context.record_id}: {', '.join(map(repr, dropped))} dropped from {role}: {why}"
        )
        roles[role] = [m for m in roles[role] if m not in dropped]


def _keys(mentions: list[str]) -> set[str]:
    return {normalise_mention(m) for m in mentions}


def _supported_type(claimed: IncidentType, text: str) -> IncidentType:
    """The claimed type if the article has a word for it, else the generic ``attack``.

    Small models answer "kidnapping" for shootings; a gold template's type is backed by
    such a word in 94-100% of train articles (robbery: 13 of 17), "attack" in 99%.
    """
    return claimed if _TYPE_WORDS[claimed].search(text) else "attack"


def finalize(draft: TemplateDraft, context: Context) -> Template:
    """Turn the model's `TemplateDraft` into a `Template` of short, grounded, checked spans."""
    roles = {
        role: _mentions(getattr(draft, name), context, role) for name, role in ROLE_OF_FIELD.items()
    }
    # A victim's office goes first: "attorney general garcia alvarado" is written once, his
    # full name elsewhere.
    roles["Victim"] = [_without_office(m) for m in roles["Victim"]]
    for role in ("PerpInd", "Victim"):
        roles[role] = _unique([_full_name(m, context.text) for m in roles[role]])
    named = _organizations(roles["PerpInd"], context.text)
    _drop(roles, "PerpInd", _keys(named), "an organization's name", context)
    roles["PerpOrg"] = _unique(named + roles["PerpOrg"])
    both = _keys(roles["PerpInd"] + roles["PerpOrg"]) & _keys(roles["Victim"])
    for role in ("PerpInd", "PerpOrg", "Victim"):
        _drop(roles, role, both, "named both perpetrator and victim", context)
    officials = [m for m in roles["Target"] if _an_official(m)]
    roles["Victim"] = _unique(roles["Victim"] + officials)
    _drop(roles, "Target", _keys(roles["Victim"]), "a victim, not a physical target", context)
    return Template(
        incident_type=_supported_type(draft.incident_type, context.text),
        **{role: [[m] for m in mentions] for role, mentions in roles.items()},
    )


def _same_incident(one: Template, other: Template) -> bool:
    """A victim or target in common, or the same type and no filler of one missing in the
    other. In the train split, 54 of 829 pairs of gold templates of one article share a
    victim or target; a small model lists one incident several times, often typed apart."""
    if any(one.fillers(role) & other.fillers(role) for role in ("Victim", "Target")):
        return True
    return one.incident_type == other.incident_type and (
        all(one.fillers(r) <= other.fillers(r) for r in ROLES)
        or all(other.fillers(r) <= one.fillers(r) for r in ROLES)
    )


def _merged(one: Template, other: Template) -> Template:
    """One template holding the fillers of both, each once, of `one`'s type unless that is
    the generic "attack" and `other`'s is not (the roles a type lacks are emptied later,
    so the specific type must not be lost to the order of the answer); no victim is left
    among the targets."""
    roles = {role: _unique(one.mentions(role) + other.mentions(role)) for role in ROLES}
    roles["Target"] = [
        m for m in roles["Target"] if normalise_mention(m) not in _keys(roles["Victim"])
    ]
    kind = other.incident_type if one.incident_type == "attack" else one.incident_type
    return Template(incident_type=kind, **{role: [[m] for m in ms] for role, ms in roles.items()})


def _combat(template: Template) -> bool:
    """True when every victim and target is military: MUC-4 counts no combat as an
    incident (in the train split, 5 of 1,114 gold templates are so)."""
    mentions = template.mentions("Victim") + template.mentions("Target")
    return bool(mentions) and all(_MILITARY.search(m) for m in mentions)


def _told_as_violence(template: Template, text: str) -> bool:
    """True when one of the template's fillers stands within `VIOLENCE_WINDOW` characters
    of a word of violence ("killed", "bomb", "attack"...): a small model fills templates
    from talks, summits and speeches, whose fillers never do."""
    return any(
        _TYPE_WORDS["attack"].search(
            text[max(0, found.start() - VIOLENCE_WINDOW) : found.end() + VIOLENCE_WINDOW]
        )
        for role in ROLES
        for mention in template.mentions(role)
        for found in _as_words(mention).finditer(text)
    )


# Roles a template of the type (nearly) never holds in the train split's gold: a
# kidnapping has no physical target or weapon (0 of 114 templates), an arson no weapon
# (0 of 43); an attack with a victim (a murder) has a physical target in 21 of 285.
_ROLES_TYPE_LACKS: dict[str, tuple[str, ...]] = {
    "kidnapping": ("Target", "Weapon"),
    "arson": ("Weapon",),
}
# A weapon that makes the incident a bombing: in the train split's gold, 232 templates
# with such a weapon are bombings, 7 attacks (rockets, mortars and grenades are not
# here: 22 attacks, 12 bombings).
_EXPLOSIVE = re.compile(r"\b(?:bomb|dynamite|explosi|charge|(?<!incendiary )device)", re.IGNORECASE)


def _type_and_roles_agreed(template: Template) -> Template:
    """`template` typed by its weapon and without the fillers of roles its type lacks.

    A small model types a car bomb attack "attack", and gives the place of a murder or
    kidnapping ("court of appeals") as its target.
    """
    kind = template.incident_type
    if kind == "attack" and any(_EXPLOSIVE.search(m) for m in template.fillers("Weapon")):
        kind = "bombing"
    lacking = set(_ROLES_TYPE_LACKS.get(kind, ()))
    if kind == "attack" and template.Victim:
        lacking.add("Target")
    return template.model_copy(update={"incident_type": kind, **{role: [] for role in lacking}})


# How the train split's gold fills roles, which a small model does otherwise:
# - a perpetrator's last word tells an organization from people. An organization word
#   ends at least 4 gold PerpOrg mentions and 3 times as many as PerpInd ones ("medellin
#   cartel", "national police"); a people word, at least 4 PerpInd mentions and 3 times
#   as many as PerpOrg ones ("urban commandos"); surnames are left out. These lists, and
#   the heads below, are fitted on train by `summarizer eval fit-words` into
#   summarizer/data/muc4.words.json (`_word_lists`): a perpetrator the model gives that
#   ends in an English word no train gold PerpInd ends twice is none ("witness",
#   "italian engineers", "homemade bomb"); one that ends in a name ("pablo escobar
#   gaviria") is kept (173 of dev's 182 gold PerpInd entities end so; the same check on
#   weapons lost more right fillers than wrong ones on dev); an organization must end in
#   an English word that ends 1% of train's gold PerpOrg mentions, or in a name ("fmln"):
#   "police" ends 4 of them, as the police are these articles' source, not their
#   perpetrator (any threshold from 5 to 15 mentions scores the same on dev,
#   docs/evaluation.md);
# - a victim is a person the article names: 620 of 627 gold victims have a mention with a
#   word no English dictionary holds ("hector oqueli"), none "six peasants" or "the driver";
#   the office right before a name goes ("minister antonio rodriguez porth");
# - a target is a thing: 28 of 658 gold targets are bare names ("san salvador", "temuco").
_WORDS = load_word_lists()
_ORGANIZATION_WORDS = _WORDS["organization_words"]
_PEOPLE_WORDS = _WORDS["people_words"]
_PERPETRATOR_HEADS = _WORDS["perpetrator_heads"]
_ORGANIZATION_HEADS = _WORDS["organization_heads"]
# Offices, chosen by hand: 32 of the 35 stand right before gold victims' names in train at
# least twice, among words no rule tells from offices ("and", "the", "killed", "carlos").
# fmt: off
_OFFICES = frozenset({
    "agent", "attorney", "businessman", "candidate", "citizen", "colonel", "comrade",
    "corporal", "deputy", "father", "general", "guard", "hopeful", "interior", "journalist",
    "judge", "justice", "leader", "magistrate", "major", "mayor", "minister", "newsman",
    "officer", "official", "policeman", "president", "priest", "professor", "rector",
    "reporter", "secretary", "senator", "sergeant", "sister"
})
# fmt: on
# "delgado's driver" names the driver's employer, not the driver: 1 of the train split's
# 652 gold victim mentions holds a possessive.
_POSSESSIVE = re.compile(r"\w['\u2019]s\s")
# "guerrillas of the eln": the first word before an "of" (`_the_organization`).
_PEOPLE_OF = re.compile(r"(?:.*?\s)??(\S+)\s+of\s+(?:the\s+)?(?=\S)", re.IGNORECASE)
# A weapon's last word that names what happened (`_without_event`).
_EVENT_AT_END = re.compile(
    r"(?:^|\s+)(?:explosions?|attacks?|fire|murders?|bombings?|shootings?|shots|gunfire)$",
    re.IGNORECASE,
)
# Word endings of English forms GCIDE lists only under their stem.
_INFLECTED = re.compile(r"(?:ed|ing|man|men|ist|ly|ans)$")
MAX_NAME_WORDS = 3
# Words after an office that start no name: "mayor of santa rosa".
_NOT_NAME_STARTS = frozenset({"of", "the", "for", "in", "at", "to", "and"})


def _english(mention: str) -> list[bool]:
    """For each word of `mention` (as the scorer writes it), whether it is English."""
    return [in_dictionary(word) for word in normalise_mention(mention).split()]


def _names_someone(mention: str) -> bool:
    """Whether `mention` holds a name: a word no English dictionary holds."""
    return not all(_english(mention))


def _a_bare_name(mention: str) -> bool:
    """Whether no word of `mention` is an English word: "san salvador", "temuco"."""
    return not any(_english(mention))


def _without_office(victim: str) -> str:
    """`victim` from its name on when an office stands right before a name of two words or
    more: "liberal leader luis carlos galan" -> "luis carlos galan", "salvadoran leftist
    leader hector oqueli colindres" -> "hector oqueli colindres" ("hector" is an English
    word too), but "mayor of santa rosa" and "general prats" stay."""
    words = [normalise_mention(word) for word in victim.split()]
    starts = [
        k
        for k in range(1, len(words) - 1)
        if words[k - 1] in _OFFICES
        and words[k] not in _NOT_NAME_STARTS
        and not all(map(in_dictionary, words[k:]))
    ]
    return " ".join(victim.split()[starts[-1] :]) if starts else victim


def _a_name_word(word: str) -> bool:
    """Whether `word`, as the article writes it, can be part of a name: letters only, no
    English word, no form GCIDE lists under its stem ("killed", "including", "cattleman",
    "unfortunately", "ecuadoreans") and no office. Titles no list holds still pass: of
    the 16 train gold victims lengthened wrongly, 10 took "msgr" or "monsignor"."""
    lower = word.lower()
    return (
        lower.isalpha()
        and not in_dictionary(lower)
        and not _INFLECTED.search(lower)
        and lower not in _OFFICES
    )


def _name_around(text: str, start: int, end: int) -> tuple[int, int]:
    """`start:end` widened over the name words next to it, at most `MAX_NAME_WORDS` each
    side. A word of more than 30 letters is no name, so 40 characters around will do."""
    for _ in range(MAX_NAME_WORDS):
        window = max(0, start - 40)
        before = re.search(r"(\S+)\s+$", text[window:start])
        if not before or not _a_name_word(before.group(1)):
            break
        start = window + before.start(1)
    for _ in range(MAX_NAME_WORDS):
        after = re.match(r"\s+(\S+)", text[end : end + 40])
        if not after or not _a_name_word(after.group(1)):
            break
        end += after.end(1)
    return start, end


def _full_name(mention: str, text: str) -> str:
    """`mention`, when it ends in a name, as its longest form in the article: the name
    words written right before and after it somewhere ("pizarro" -> "carlos pizarro
    leongomez"). In the train split a gold victim's surname alone is itself a mention of
    its entity 8 times in 576, its longest form so found 419 times; a gold victim's name
    without its last word 3 times in 292, its longest form 77 times; and a full gold name
    so lengthened stays gold 589 times in 605."""
    if in_dictionary(_last_word(mention)):
        return mention
    longest = mention
    for found in _as_words(mention).finditer(text):
        start, end = _name_around(text, *found.span())
        if end - start > len(longest):
            longest = text[start:end]
    return longest


def _an_official(mention: str) -> bool:
    """Whether `mention` is an office and a name ("leftist leader hector oqueli colindres"),
    not a thing of theirs ("president alfredo cristiani's mansion")."""
    return _without_office(mention) != mention and _names_someone(_last_word(mention))


def _last_word(mention: str) -> str:
    words = normalise_mention(mention).split()
    return words[-1] if words else ""


def _ends_in(mention: str, heads: frozenset[str]) -> bool:
    """Whether `mention` ends in one of `heads` (the words gold fillers of a role end in)
    or in a name."""
    last = _last_word(mention)
    return last in heads or not in_dictionary(last)


def _without_event(weapon: str) -> str:
    """`weapon` without a last word that names what happened rather than what was used:
    "machinegun fire" -> "machinegun", "explosion" -> "" (none of the train split's 443
    gold weapon mentions ends in one)."""
    return _EVENT_AT_END.sub("", weapon)


def _the_organization(mention: str) -> str:
    """The organization `mention` names when it names people of it: "guerrillas of the
    eln" -> "eln" (none of the train split's 994 gold PerpOrg mentions starts with people
    of an organization)."""
    found = _PEOPLE_OF.match(mention)
    if found and normalise_mention(found.group(1)) in _PEOPLE_WORDS:
        return mention[found.end() :]
    return mention


def _fillers_as_gold_has_them(template: Template) -> Template:
    """`template` with its perpetrators sorted by their last word (which decides, also for
    a perpetrator `finalize` made an organization for its parenthesis), its people and
    its organizations only those a gold one's last word or a name ends (people of an
    organization naming it), its victims only named people without their office and not
    written as someone's, its targets things, not bare names, and its weapons things
    used, not events. Each mention is its own entity, as `finalize` makes them."""
    individuals = template.mentions("PerpInd")
    organizations = template.mentions("PerpOrg")
    people = [m for m in individuals if _last_word(m) not in _ORGANIZATION_WORDS] + [
        m for m in organizations if _last_word(m) in _PEOPLE_WORDS
    ]
    groups = [m for m in organizations if _last_word(m) not in _PEOPLE_WORDS] + [
        m for m in individuals if _last_word(m) in _ORGANIZATION_WORDS
    ]
    roles = {
        "PerpInd": [m for m in people if _ends_in(m, _PERPETRATOR_HEADS)],
        "PerpOrg": [m for m in map(_the_organization, groups) if _ends_in(m, _ORGANIZATION_HEADS)],
        "Victim": [
            _without_office(m)
            for m in template.mentions("Victim")
            if _names_someone(m) and not _POSSESSIVE.search(m)
        ],
        "Target": [m for m in template.mentions("Target") if not _a_bare_name(m)],
        "Weapon": [w for m in template.mentions("Weapon") if (w := _without_event(m))],
    }
    return template.model_copy(
        update={role: [[m] for m in _unique(mentions)] for role, mentions in roles.items()}
    )


def combine(templates: list[Template], text: str) -> list[Template]:
    """A document's templates, each incident once, and only those the article can report.

    - none when the article has no word of violence at all (the train split: 87 of 600
      articles without an incident, 11 of 700 with one);
    - a template without any filler is dropped: it is the listing's guess that the fill
      found nothing to back (5% of gold templates are empty); so is combat (`_combat`),
      and so is a template none of whose fillers stands near a word of violence
      (`_told_as_violence`);
    - two templates of one incident (`_same_incident`) become one: the scorer counts
      every predicted template, and a small model lists one incident several times;
    - each template's type and roles are then made to agree (`_type_and_roles_agreed`),
      and its fillers to be what the gold puts in each role (`_fillers_as_gold_has_them`:
      perpetrators sorted by their last word and ending as gold ones do, victims only named
      people, targets not bare names, weapons no events); one left without a filler is
      dropped. Combat is judged before: a murder that loses its civilian target here was
      no combat;
    - an article the relevance classifier is not sure of (`SURE_OF_RELEVANCE`) keeps its
      first template only: such articles seldom report two incidents (train: 24% of
      those with a template, against 38% above it; dev: 19% against 45%), and the
      model's later templates there are mostly spurious.
    """
    if not _TYPE_WORDS["attack"].search(text):
        return []
    reportable = [t for t in templates if not _combat(t) and _told_as_violence(t, text)]
    merged = merge_repeats(reportable, _same_incident, _merged)
    # The agreement first: a murder's target goes even when its victim, unnamed, goes
    # next (the other order scored lower on stored answers: docs/evaluation.md).
    agreed = [_fillers_as_gold_has_them(_type_and_roles_agreed(t)) for t in merged]
    # An empty template is dropped here; one empty from the start never got this far, as
    # no filler of it stands near a word of violence.
    kept = [t for t in agreed if any(t.fillers(role) for role in ROLES)]
    relevance = RELEVANCE.probability(text)
    return kept if relevance is None or relevance >= SURE_OF_RELEVANCE else kept[:1]


SCHEMA: Schema[TemplateDraft, Template] = Schema(
    name="muc4",
    item_model=TemplateDraft,
    record_model=Template,
    fill_prompt="muc4",
    list_prompt="muc4_list",
    # One call scored as well as two stages at a fraction of the calls and time.
    strategy="single",
    # Articles the train-fitted word classifier finds unlikely to report an incident are
    # not read: it tells them apart better than the model's own doubt does. Figures for
    # both settings: docs/evaluation.md, "Why muc4's settings are what they are".
    relevance=RELEVANCE,
    min_relevance=0.40,
    finalize=finalize,
    combine=combine,
)
