"""English words, to tell names from words: "Hernandez" is a name, "police" is not.

The list is GCIDE's (the `english-words` package), letters only and lower case: it holds
no proper names, which a larger list would.
"""

from __future__ import annotations

import re
from functools import cache

from english_words import get_english_words_set


@cache
def _english() -> frozenset[str]:
    """English words (GCIDE, letters only, as the MUC-4 scorer writes them: "darkskinned")."""
    return frozenset(get_english_words_set(["gcide"], alpha=True, lower=True))


def in_dictionary(word: str) -> bool:
    """Whether `word` (lower case) is a number or an English word, also as a plural
    ("bodyguards", "witnesses", "families"). An empty word, left by punctuation or an
    article, is no name either."""
    forms = {word, word.removesuffix("s")}
    if re.search(r"(?:s|x|z|ch|sh)es$", word):
        forms.add(word.removesuffix("es"))
    if word.endswith("ies"):
        forms.add(word.removesuffix("ies") + "y")
    return not word or word.isdigit() or not forms.isdisjoint(_english())
