"""GTT template-filling metric for MUC-4, reimplemented exactly.

This is a pure, dependency-free reimplementation of ``eval.py`` from
github.com/xinyadu/gtt (commit d829ed82), the scorer behind the MUC-4 numbers of
Du, Rush & Cardie (NAACL 2021). It reproduces the reference's counts, per field,
on every check file of ``data/muc4/scorer_check`` (see that folder's README for
the metric itself). In short:

* Gold preparation (the reference's loader): mention offsets dropped, empty gold
  entities dropped, a gold template identical (on raw strings) to an earlier
  template of the same document removed. Predictions are not deduplicated.
* Every mention string (gold and predicted, not incident types) is normalised:
  lower-case, ASCII punctuation deleted, whole words ``a``/``an``/``the``
  replaced by a space, whitespace collapsed and stripped.
* Per document, predicted templates are aligned one-to-one (or left unaligned)
  with gold templates; the alignment with the highest document micro-F1 wins,
  ties going to the first candidate of
  ``itertools.product([0, ..., n_gold - 1, -1], repeat=n_pred)``.
* An aligned pair counts only when the predicted incident type is a substring of
  the gold one (case-sensitive; a non-string predicted type becomes
  ``"attack"``). A predicted entity is correct when all its normalised mentions
  are among the normalised mentions of some gold entity of the same role (so an
  empty predicted entity matches every gold entity); a gold entity is recalled
  when some predicted entity of that role matches it.

The reference enumerates all ``(n_gold + 1) ** n_pred`` candidates, which is
intractable for 9 x 9 (dev document TST2-MUC4-0036). Here the pairwise counts are
computed once and the alignment is found by a depth-first branch-and-bound
search that visits candidates in the reference's enumeration order and only
prunes branches that cannot *strictly* beat the best candidate found so far, so
the first optimum found is the reference's choice (see `_align`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["FIELDS", "ROLES", "normalise_mention", "score"]

ROLES: tuple[str, ...] = ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon")
"""The five role fields, in the reference's order."""

FIELDS: tuple[str, ...] = ("incident_type", *ROLES)
"""All scored fields: the incident type followed by the five roles."""

_PUNCT = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)

# One entity after normalisation: its mention strings.
_Entity = tuple[str, ...]


def normalise_mention(mention: str) -> str:
    """Normalise a mention string exactly as the reference scorer does.

    Steps, in this order: lower-case; delete every character of
    ``string.punctuation``; replace the whole words ``a``, ``an``, ``the`` with a
    space; collapse whitespace runs and strip. Hence ``"cease-fire"`` ->
    ``"ceasefire"``, ``"u.s."`` -> ``"us"``, ``"the-guerrillas"`` ->
    ``"theguerrillas"`` (punctuation goes first, so the article survives) and
    ``"The"`` -> ``""``.
    """
    text = "".join(ch for ch in mention.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _mention_string(mention: Any) -> str:
    """Return the string of a mention given as ``str`` or ``[string, offset]``."""
    if isinstance(mention, str):
        return mention
    return str(mention[0])


def _raw_entities(template: Mapping[str, Any], role: str) -> list[list[str]]:
    """Entities of ``role`` in ``template`` as lists of raw mention strings."""
    return [[_mention_string(m) for m in entity] for entity in (template.get(role) or [])]


def _prepare_gold(templates: Sequence[Mapping[str, Any]]) -> list[tuple[Any, list[list[_Entity]]]]:
    """Gold templates as the reference's loader prepares them, then normalised.

    Offsets are dropped, empty entities removed and a template equal (raw
    strings, before normalisation) to an earlier one of the document removed.
    A missing role key counts as an empty role.
    """
    seen: list[tuple[Any, tuple[tuple[tuple[str, ...], ...], ...]]] = []
    prepared: list[tuple[Any, list[list[_Entity]]]] = []
    for template in templates:
        roles = tuple(
            tuple(tuple(entity) for entity in _raw_entities(template, role) if entity)
            for role in ROLES
        )
        key = (template.get("incident_type"), roles)
        if key in seen:
            continue
        seen.append(key)
        prepared.append(
            (
                template.get("incident_type"),
                [
                    [tuple(normalise_mention(m) for m in entity) for entity in role]
                    for role in roles
                ],
            )
        )
    return prepared


def _prepare_pred(templates: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[list[_Entity]]]]:
    """Predicted templates, normalised; no deduplication, empty entities kept.

    A non-string (or missing) incident type becomes ``"attack"``; a missing role
    key counts as an empty role; keys other than the six fields are ignored.
    """
    prepared: list[tuple[str, list[list[_Entity]]]] = []
    for template in templates:
        itype = template.get("incident_type")
        if not isinstance(itype, str):
            itype = "attack"
        prepared.append(
            (
                itype,
                [
                    [
                        tuple(normalise_mention(m) for m in entity)
                        for entity in _raw_entities(template, role)
                    ]
                    for role in ROLES
                ],
            )
        )
    return prepared


def _pair_counts(
    pred: tuple[str, list[list[_Entity]]], gold: tuple[Any, list[list[_Entity]]]
) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """Per-field (p_num, r_num) of a predicted/gold pair, or None if types mismatch.

    Denominators do not depend on the alignment and are not part of the result.
    """
    pred_type, pred_roles = pred
    gold_type, gold_roles = gold
    if not isinstance(gold_type, str) or pred_type not in gold_type:
        return None
    p_nums = [1]
    r_nums = [1]
    for pred_entities, gold_entities in zip(pred_roles, gold_roles, strict=True):
        gold_sets = [frozenset(entity) for entity in gold_entities]
        # matches[a][b]: predicted entity a matches gold entity b.
        matches = [[all(m in g for m in entity) for g in gold_sets] for entity in pred_entities]
        p_nums.append(sum(1 for row in matches if any(row)))
        r_nums.append(sum(1 for b in range(len(gold_sets)) if any(row[b] for row in matches)))
    return tuple(p_nums), tuple(r_nums)


def _reference_f1(p_num: int, p_den: int, r_num: int, r_den: int) -> float:
    """F1 computed with the reference's exact floating-point expression."""
    p = 0 if p_den == 0 else p_num / float(p_den)
    r = 0 if r_den == 0 else r_num / float(r_den)
    return 0 if p + r == 0 else 2 * p * r / (p + r)


def _exact_f1(p_num: int, p_den: int, r_num: int, r_den: int) -> tuple[int, int]:
    """Document F1 as an exact fraction ``(numerator, denominator)``."""
    if p_num == 0 or r_num == 0:
        return 0, 1
    return 2 * p_num * r_num, p_num * r_den + r_num * p_den


def _align(gain_p: list[list[int]], gain_r: list[list[int]], p_den: int, r_den: int) -> list[int]:
    """Reproduce the reference's alignment choice for one document.

    ``gain_p[i][j]`` / ``gain_r[i][j]`` are the total p_num / r_num that aligning
    predicted template ``i`` with gold template ``j`` contributes (0 when the
    types do not match; such a pair still occupies gold ``j``, exactly as in the
    reference). ``p_den`` / ``r_den`` are the document's fixed denominators.
    Returns, per predicted template, its gold index or -1.

    The reference keeps the first valid candidate, in ``itertools.product``
    order, whose document F1 (a float) is strictly greater than that of every
    earlier one, i.e. the first candidate reaching the maximum. Candidates are
    visited here depth-first in that same order (predicted template 0
    outermost; free gold indices ascending, then -1), the incumbent is replaced
    only on a strictly greater float F1, and a subtree is skipped only when none
    of its candidates can strictly beat the incumbent, so the result is the
    reference's. Skipping rests on:

    * Bound: the denominators are fixed, so a subtree's F1 is at most the F1 at
      ``(ub_p, ub_r)``, upper bounds on its p_num and r_num (each remaining
      predicted template takes its best free gold, and each free gold its best
      remaining predicted template; the smaller sum is kept). F1 is
      non-decreasing in both numerators, strictly once both are positive.
    * Floats: distinct exact F1 values of a document differ by at least
      ``1 / (2 * p_den * r_den) ** 2``, more than twice the float rounding
      error of an F1 (under 6e-16) while ``p_den * r_den`` stays below 10 ** 7,
      i.e. for any document that could be enumerated at all. So float order
      agrees with exact order except between exactly equal fractions; and a
      candidate whose exact F1 equals that of the bound is the bound point
      itself. Hence a subtree is hopeless when ``F1(ub) < F1(best)`` exactly,
      or when they are equal and the float F1 at ``ub`` does not exceed the
      incumbent's float F1.
    * Dominance: all nodes at the same depth with the same set of used gold
      templates have the same completions. Once a node with partial sums
      ``(p, r)`` is finished (explored or found hopeless), no completion of it
      beats the incumbent, which only ever improves, so a later node at that
      depth and set whose partial sums are both <= ``(p, r)`` is skipped.
    """
    n_pred = len(gain_p)
    n_gold = len(gain_p[0]) if n_pred else 0
    assignment = [-1] * n_pred
    best_assignment: list[int] | None = None
    best_float = 0.0
    best_exact = (0, 1)
    # (depth, used-gold bit mask) -> Pareto set of finished partial sums (p, r).
    finished: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def remaining(gain: list[list[int]], depth: int, free: list[int]) -> int:
        rest = range(depth, n_pred)
        by_pred = sum(max(gain[i][j] for j in free) for i in rest)
        by_gold = sum(max(gain[i][j] for i in rest) for j in free)
        return min(by_pred, by_gold)

    def hopeless(depth: int, cur_p: int, cur_r: int, mask: int) -> bool:
        if best_assignment is None:
            return False
        free = [j for j in range(n_gold) if not mask >> j & 1]
        ub_p, ub_r = cur_p, cur_r
        if free:
            ub_p += remaining(gain_p, depth, free)
            ub_r += remaining(gain_r, depth, free)
        num, den = _exact_f1(ub_p, p_den, ub_r, r_den)
        best_num, best_den = best_exact
        if num * best_den != best_num * den:
            return num * best_den < best_num * den
        return _reference_f1(ub_p, p_den, ub_r, r_den) <= best_float

    def visit(depth: int, cur_p: int, cur_r: int, mask: int) -> None:
        nonlocal best_assignment, best_float, best_exact
        if depth == n_pred:
            value = _reference_f1(cur_p, p_den, cur_r, r_den)
            if best_assignment is None or value > best_float:
                best_assignment = list(assignment)
                best_float = value
                best_exact = _exact_f1(cur_p, p_den, cur_r, r_den)
            return
        key = (depth, mask)
        pareto = finished.get(key)
        if pareto is not None and any(p >= cur_p and r >= cur_r for p, r in pareto):
            return
        if not hopeless(depth, cur_p, cur_r, mask):
            row_p, row_r = gain_p[depth], gain_r[depth]
            for j in range(n_gold):
                if mask >> j & 1:
                    continue
                assignment[depth] = j
                visit(depth + 1, cur_p + row_p[j], cur_r + row_r[j], mask | 1 << j)
            assignment[depth] = -1
            visit(depth + 1, cur_p, cur_r, mask)
        if pareto is None:
            finished[key] = [(cur_p, cur_r)]
        else:
            pareto[:] = [(p, r) for p, r in pareto if p > cur_p or r > cur_r]
            pareto.append((cur_p, cur_r))

    visit(0, 0, 0, 0)
    assert best_assignment is not None
    return best_assignment


def _score_document(
    gold_templates: Sequence[Mapping[str, Any]],
    pred_templates: Sequence[Mapping[str, Any]],
) -> dict[str, list[int]]:
    """Per-field ``[p_num, p_den, r_num, r_den]`` of one document's chosen alignment."""
    gold = _prepare_gold(gold_templates)
    pred = _prepare_pred(pred_templates)
    counts = {field: [0, 0, 0, 0] for field in FIELDS}
    for _, roles in pred:
        counts["incident_type"][1] += 1
        for role, entities in zip(ROLES, roles, strict=True):
            counts[role][1] += len(entities)
    for _, roles in gold:
        counts["incident_type"][3] += 1
        for role, entities in zip(ROLES, roles, strict=True):
            counts[role][3] += len(entities)
    if not pred or not gold:
        return counts

    pairs = [[_pair_counts(p, g) for g in gold] for p in pred]
    gain_p = [[sum(pair[0]) if pair else 0 for pair in row] for row in pairs]
    gain_r = [[sum(pair[1]) if pair else 0 for pair in row] for row in pairs]
    p_den = sum(c[1] for c in counts.values())
    r_den = sum(c[3] for c in counts.values())
    for i, j in enumerate(_align(gain_p, gain_r, p_den, r_den)):
        pair = pairs[i][j] if j >= 0 else None
        if pair is None:
            continue
        for k, field in enumerate(FIELDS):
            counts[field][0] += pair[0][k]
            counts[field][2] += pair[1][k]
    return counts


def _ratios(p_num: int, p_den: int, r_num: int, r_den: int) -> tuple[float, float, float]:
    """Precision, recall and F1 as the reference reports them (0 when undefined)."""
    precision = 0.0 if p_num == 0 else p_num / float(p_den)
    recall = 0.0 if r_num == 0 else r_num / float(r_den)
    return precision, recall, float(_reference_f1(p_num, p_den, r_num, r_den))


def score(
    gold: Mapping[str, Sequence[Mapping[str, Any]]],
    predictions: Mapping[str, Sequence[Mapping[str, Any]]],
) -> dict[str, Any]:
    """Score predicted templates against gold with the GTT metric.

    Args:
        gold: document id -> gold templates as in ``dev.jsonl``: each template has
            ``incident_type`` and the five roles; a role is a list of entities, an
            entity a list of coreferent mentions given as ``[string, offset]``
            pairs (plain strings are accepted too; offsets are ignored).
        predictions: document id -> predicted templates, same shape with plain
            mention strings (``[string, offset]`` pairs are accepted too).

    Returns:
        ``{"precision", "recall", "f1", "counts": {"p_num", "p_den", "r_num",
        "r_den"}, "per_role": {field: {"precision", "recall", "f1", "p_num",
        "p_den", "r_num", "r_den"}}}`` with ``field`` in `FIELDS`; the
        top-level figures are the micro average over the six fields. Ratios are
        fractions in [0, 1]; a ratio with a zero numerator is 0.

    Departures from the reference, which only concern inputs it rejects:

    * A gold document absent from ``predictions`` is scored as an empty
      prediction (the reference raises ``KeyError``); callers should warn.
    * Ids in ``predictions`` that are not in ``gold`` are ignored (callers may
      warn).
    * A predicted template lacking a role key has an empty list for that role,
      one lacking ``incident_type`` is treated like a null type (``"attack"``),
      and keys other than the six fields are ignored (the reference raises).
    * A gold template with a non-string incident type matches no prediction.

    Gold documents without templates still count predicted templates as
    spurious; a document with neither gold nor predicted templates adds nothing.
    """
    totals = {field: [0, 0, 0, 0] for field in FIELDS}
    for doc_id, gold_templates in gold.items():
        doc_counts = _score_document(gold_templates, predictions.get(doc_id) or [])
        for field in FIELDS:
            for k in range(4):
                totals[field][k] += doc_counts[field][k]

    per_role: dict[str, dict[str, Any]] = {}
    for field in FIELDS:
        p_num, p_den, r_num, r_den = totals[field]
        precision, recall, f1 = _ratios(p_num, p_den, r_num, r_den)
        per_role[field] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "p_num": p_num,
            "p_den": p_den,
            "r_num": r_num,
            "r_den": r_den,
        }
    micro = [sum(totals[field][k] for field in FIELDS) for k in range(4)]
    precision, recall, f1 = _ratios(*micro)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "counts": dict(zip(("p_num", "p_den", "r_num", "r_den"), micro, strict=True)),
        "per_role": per_role,
    }
