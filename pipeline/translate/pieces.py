"""Sentences too long for the model: cut into pieces that fit, translated one by one, rejoined.

The model has no positions beyond its limit, so nothing is ever truncated: a sentence longer
than ``max_input_tokens`` is cut at clause boundaries (:mod:`pipeline.segment.clauses`) and,
where no boundary helps, into windows of at most the limit. Each piece is translated as a
sentence of its own; the translations are joined with a space. The flags say which happened.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipeline.config import LongSentences
from pipeline.records import Translation
from pipeline.segment.clauses import fit_clauses
from pipeline.translate.flags import CLAUSE_SPLIT, WINDOWED

Cost = Callable[[str], int]

#: Where a window prefers to end: after white space or punctuation, within its last quarter.
_BREAKS = " \t，,；;：:、。.！!？?）)”’"


@dataclass(frozen=True)
class Plan:
    """How one sentence is translated: as one segment, or as several whose translations are joined."""

    segments: tuple[str, ...]
    flags: tuple[str, ...] = ()

    def join(self, done: Mapping[str, Translation]) -> Translation:
        """The sentence's translation from the translations of its segments."""
        parts = [done[s] for s in self.segments]
        text = " ".join(p.text for p in parts if p.text)
        flags = dict.fromkeys([*self.flags, *(f for p in parts for f in p.flags)])
        return Translation(text, tuple(flags))


def _longest_fitting_prefix(text: str, cost: Cost, limit: int) -> int:
    """Largest ``end`` with ``cost(text[:end]) <= limit`` (at least 1, so windows always advance)."""
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if cost(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def windows(text: str, cost: Cost, limit: int) -> list[str]:
    """Cut ``text`` into consecutive windows of at most ``limit``; they concatenate to ``text``."""
    out: list[str] = []
    rest = text
    while rest:
        if cost(rest) <= limit:
            out.append(rest)
            break
        end = _longest_fitting_prefix(rest, cost, limit)
        soft = max((i + 1 for i in range(end * 3 // 4, end) if rest[i] in _BREAKS), default=end)
        out.append(rest[:soft])
        rest = rest[soft:]
    return out


def plan(text: str, cost: Cost, max_input_tokens: int, long_sentences: LongSentences = "clauses") -> Plan:
    """Segments for ``text`` so that each costs at most ``max_input_tokens``, cut as ``long_sentences`` says
    (the engine settings of those names)."""
    if cost(text) <= max_input_tokens:
        return Plan((text,))
    parts = fit_clauses(text, cost, max_input_tokens) if long_sentences == "clauses" else [text]
    flags = [CLAUSE_SPLIT] if len(parts) > 1 else []
    segments: list[str] = []
    for part in parts:
        if cost(part) <= max_input_tokens:
            segments.append(part)
        else:
            segments.extend(windows(part, cost, max_input_tokens))
            flags.append(WINDOWED)
    kept = tuple(s.strip() for s in segments if s.strip())
    return Plan(kept, tuple(dict.fromkeys(flags)))
