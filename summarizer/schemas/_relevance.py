"""Whether an article reports an incident at all, judged before any model call.

A small model fills templates for nearly every article it is given, so most of its
wrong answers are articles that report no incident (MUC-4 dev: 44 of 84 such articles
got templates even after the model's own doubt was asked). A linear classifier over the
article's words (TF-IDF, logistic regression) fitted on labelled articles tells them
apart better (MUC-4 dev: AUC 0.84 against 0.76 and 0.60 for the model's doubt on its two
halves) in under a millisecond, and the model is then not called at all.

The fitted classifier ships as JSON (``summarizer/data/<schema>.relevance.json``: per
word its idf and weight). Applying it is a dot product, done here with the fitting's
own definitions, so scikit-learn is needed only to fit (the ``test`` extra):

    summarizer eval fit-relevance --data ../shared/data/muc4/train.jsonl \\
        --out summarizer/data/muc4.relevance.json --replace
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from summarizer._errors import InputError, SetupError
from summarizer._text.chunking import split
from summarizer._text.jsonl import BadLine, read_objects

# scikit-learn's default tokens: runs of two or more word characters, lowercased.
TOKEN = re.compile(r"(?u)\b\w\w+\b")
# Fitted with these (TfidfVectorizer, LogisticRegression): a word must occur in two
# articles, counts are damped (1 + log n), C=4. C of 1 or 16, bigrams, stop words,
# binary counts or character n-grams did no better (MUC-4 dev AUC 0.805 to 0.854 against
# 0.839; cross-validated on train 0.831 to 0.870 against 0.867).
MIN_ARTICLES = 2
C = 4.0
DIGITS = 6  # significant digits stored: probabilities match scikit-learn's to about 1e-6
# Longer texts are judged by parts: 99% of MUC-4 train articles are shorter (4 of 1,300
# are longer, none of dev's), and it is the pipeline's own part size (Settings.chunk_chars).
WINDOW = 6_000


@dataclass(frozen=True)
class Relevance:
    """A fitted classifier: the probability that an article reports an incident."""

    path: Path

    @cached_property
    def _fitted(self) -> tuple[dict[str, tuple[float, float]], float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            words = {word: (idf, weight) for word, (idf, weight) in data["words"].items()}
            return words, float(data["intercept"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SetupError(
                f"relevance classifier {self.path} is missing or damaged ({exc}); "
                "reinstall summarizer or refit it with `summarizer eval fit-relevance`"
            ) from None

    def probability(self, text: str) -> float | None:
        """The probability that `text` reports an incident, or None when it holds no word
        the classifier knows (another language, say): then it cannot tell.

        A long text is judged by its most relevant window of `WINDOW` characters, as
        long as nearly all the articles it was fitted on: over a whole long article, one
        incident's words weigh too little against the rest.
        """
        scores = [self._window(chunk.text) for chunk in split(text, WINDOW, WINDOW // 10)]
        return max((s for s in scores if s is not None), default=None)

    def _window(self, text: str) -> float | None:
        """scikit-learn's ``predict_proba`` of the fitted pipeline, in plain Python."""
        words, intercept = self._fitted
        counts = Counter(t for t in TOKEN.findall(text.lower()) if t in words)
        if not counts:
            return None
        tfidf = {w: (1 + math.log(n)) * words[w][0] for w, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in tfidf.values()))
        logit = intercept + sum(v * words[w][1] for w, v in tfidf.items()) / norm
        return 1 / (1 + math.exp(-logit))


def fit(texts: list[str], labels: list[bool]) -> dict[str, Any]:
    """Fit the classifier on articles labelled as reporting an incident or not; the
    JSON-ready content of a ``.relevance.json`` file."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise SetupError("fitting needs scikit-learn: pip install scikit-learn") from None

    vectorizer = TfidfVectorizer(min_df=MIN_ARTICLES, sublinear_tf=True)
    features = vectorizer.fit_transform(texts)
    model = LogisticRegression(C=C, max_iter=5000).fit(features, labels)
    weights = model.coef_[0]
    return {
        "fitted": {
            "articles": len(texts),
            "reporting": sum(labels),
            "C": C,
            "min_articles": MIN_ARTICLES,
        },
        "intercept": float(f"{model.intercept_[0]:.{DIGITS}g}"),
        "words": {
            word: [float(f"{vectorizer.idf_[i]:.{DIGITS}g}"), float(f"{weights[i]:.{DIGITS}g}")]
            for word, i in sorted(vectorizer.vocabulary_.items())
        },
    }


def fit_gold(gold: Path) -> dict[str, Any]:
    """`fit` on a gold file as MUC-4's (JSONL, each line with ``text`` and ``templates``):
    an article reports an incident when it has a template. A bad line stops the fit
    (InputError naming it), as a fit on part of the data would pass unnoticed."""
    rows = []
    for item in read_objects(gold, ("text", "templates")):
        if isinstance(item, BadLine):
            raise InputError(str(item))
        rows.append(item)
    labels = [bool(r["templates"]) for r in rows]
    if len(set(labels)) < 2:
        raise InputError(f"{gold}: a fit needs articles both with and without templates")
    try:
        return fit([str(r["text"]) for r in rows], labels)
    except ValueError as exc:  # scikit-learn's, e.g. no word left in two articles
        raise InputError(f"{gold}: cannot fit: {exc}") from None
