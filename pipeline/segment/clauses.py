"""Clauses for the translator: cut a sentence that is too long for the model at clause boundaries.

This is not sentence segmentation. The translate stage calls :func:`fit_clauses` only for a
sentence whose subword length exceeds its limit, so that the model never has to truncate; the
pieces are translated one by one and their translations rejoined into one translation of the
sentence.

Boundaries, strongest first: ``；;``, then ``：:``, then ``，,``, then ``、``. A sentence is cut at
the strongest boundary that occurs in it; adjacent clauses are packed back together while they fit,
and a clause that still does not fit is cut at the next weaker boundary. A boundary keeps the
closing quotes and brackets that follow it (``“甲，”乙`` cuts after ``”``), and the white space
after them, so a piece never starts with a space. ASCII ``,`` and ``:``
between two digits (``3,000``, ``10:30``) are not boundaries.

Everything here is a pure function of the text and a cost function (the caller's subword count);
the pieces always concatenate to the input exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

#: Boundary marks by strength: a sentence is cut at the first level that occurs in it.
LEVELS: tuple[str, ...] = ("；;", "：:", "，,", "、")
#: Closing quotes and brackets that stay with the clause they end.
CLOSERS = "”’」』）》】\"')］〕〉"
#: ASCII marks that are no boundary between two digits.
_NUMERIC = ",:"

Cost = Callable[[str], int]


def clause_cuts(text: str, marks: str) -> list[int]:
    """Offsets just after each boundary mark in ``marks`` (and its closers), inside ``text``."""
    cuts: list[int] = []
    for i, ch in enumerate(text):
        if ch not in marks:
            continue
        if ch in _NUMERIC and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
            continue
        end = i + 1
        while end < len(text) and text[end] in CLOSERS:
            end += 1
        while end < len(text) and text[end].isspace():
            end += 1
        if 0 < end < len(text) and (not cuts or cuts[-1] != end):
            cuts.append(end)
    return cuts


def split_at(text: str, cuts: Sequence[int]) -> list[str]:
    """``text`` cut at the given offsets; the parts concatenate to ``text``."""
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in pairwise(bounds) if a < b]


def pack(parts: Sequence[str], cost: Cost, limit: int) -> list[str]:
    """Join adjacent parts, left to right, while the joined text costs at most ``limit``."""
    out: list[str] = []
    for part in parts:
        if out and cost(out[-1] + part) <= limit:
            out[-1] += part
        else:
            out.append(part)
    return out


def fit_clauses(text: str, cost: Cost, limit: int, levels: Sequence[str] = LEVELS) -> list[str]:
    """Cut ``text`` at clause boundaries into pieces that cost at most ``limit`` each, where the
    boundaries allow it.

    Returns ``[text]`` when it fits or has no boundary. A piece may still exceed ``limit`` when a
    single clause does; the caller decides what to do with it (the translator cuts it into windows).
    """
    if cost(text) <= limit:
        return [text]
    for depth, marks in enumerate(levels):
        parts = split_at(text, clause_cuts(text, marks))
        if len(parts) < 2:
            continue
        out: list[str] = []
        for piece in pack(parts, cost, limit):
            out.extend(fit_clauses(piece, cost, limit, levels[depth + 1 :]))
        return out
    return [text]
