"""The word lists of the ``muc4`` schema's role rules, fitted on MUC-4's train split.

`fit_word_lists` computes them from gold templates; ``summarizer eval fit-words``
writes them to ``summarizer/data/muc4.words.json``, which `load_word_lists` reads. The
rules (`summarizer.schemas._muc4`, "How the train split's gold fills roles"):

- ``perpetrator_heads``: English last words (scorer form) of at least 2 gold PerpInd
  mentions; ``organization_heads``: of at least 10 (1% of 994) gold PerpOrg mentions;
- ``organization_words``: last words of at least 4 gold PerpOrg mentions and at least 3
  times as many PerpOrg as PerpInd ones; ``people_words``: the same the other way
  round; both without the words in `LEFT_OUT`, left out by hand (surnames, which tell
  nothing of a group, and a misspelling).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from summarizer._errors import InputError
from summarizer._scoring.muc4 import normalise_mention
from summarizer._text.dictionary import in_dictionary
from summarizer._text.jsonl import BadLine, read_objects

# The package's fitted data (`summarizer/data/`).
DATA = Path(__file__).resolve().parents[1] / "data"
WORDS_FILE = DATA / "muc4.words.json"
# Words the counts select that the lists leave out, each with its reason.
LEFT_OUT = {
    "lilberation": "a misspelling of 'liberation' in the gold",
    "benavides": "a surname",
    "cristiani": "a surname",
    "daubuisson": "a surname",
    "delgado": "a surname",
    "gaviria": "a surname",
}
HEAD_MIN = {"PerpInd": 2, "PerpOrg": 10}  # gold mentions a head word ends, at least
SIDE_MIN = 4  # gold mentions an organization or people word ends, at least
SIDE_RATIO = 3  # times as many on its side as on the other, at least


def _last_words(templates: list[dict], role: str) -> Iterator[str]:
    for template in templates:
        for entity in template[role]:
            for mention, _offset in entity:
                words = normalise_mention(mention).split()
                if words:
                    yield words[-1]


def fit_word_lists(train: Path) -> dict[str, list[str]]:
    """The four lists from the gold templates of `train` (MUC-4 JSONL), sorted."""
    ends = {"PerpInd": Counter[str](), "PerpOrg": Counter[str]()}
    for item in read_objects(train, ("text", "templates")):
        if isinstance(item, BadLine):
            raise InputError(str(item.error))
        for role, counter in ends.items():
            counter.update(_last_words(item["templates"], role))
    people, groups = ends["PerpInd"], ends["PerpOrg"]

    def heads(role: str) -> list[str]:
        counts = ends[role]
        return sorted(w for w, n in counts.items() if n >= HEAD_MIN[role] and in_dictionary(w))

    def side(mine: Counter[str], theirs: Counter[str]) -> list[str]:
        return sorted(
            w for w, n in mine.items()
            if n >= SIDE_MIN and n >= SIDE_RATIO * theirs[w] and w not in LEFT_OUT
        )  # fmt: skip

    return {
        "perpetrator_heads": heads("PerpInd"),
        "organization_heads": heads("PerpOrg"),
        "organization_words": side(groups, people),
        "people_words": side(people, groups),
    }


def load_word_lists(path: Path = WORDS_FILE) -> dict[str, frozenset[str]]:
    return {name: frozenset(words) for name, words in json.loads(path.read_text()).items()}
