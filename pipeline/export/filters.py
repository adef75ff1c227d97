"""Corpus filters: which pairs are good enough for a parallel corpus.

Each filter is a named test of one pair against ``export.filters``; a pair is dropped by the first
filter it fails, in the order of :data:`FILTERS`, so the counts in ``report.json`` add up. Lengths
count characters other than white space, because Chinese has no spaces to count words by; the
length ratio is English over Chinese, which is about 3 in news text (an English word is about
five letters and a space, a Chinese word about 1.5 characters).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.config import ExportFilters

_SPACE = re.compile(r"\s+")
#: Unicode letters: word characters that are neither digits nor the underscore (Han characters included).
_LETTER = re.compile(r"[^\W\d_]")
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
LATIN = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the filters look at: the two sides of a pair and the alignment link it came from."""

    zh: str
    en: str
    link_type: str
    align_score: float | None
    judged_by_aligner: bool  # False for source-MT pairs: the alignment says nothing about them


def length(text: str) -> int:
    """Characters other than white space."""
    return len(_SPACE.sub("", text))


def script_ratio(text: str, script: re.Pattern[str]) -> float:
    """Share of the letters in ``text`` that belong to ``script``; 0 for a text without letters."""
    letters = len(_LETTER.findall(text))
    return len(script.findall(text)) / letters if letters else 0.0


def _ratio(pair: Candidate) -> float:
    return length(pair.en) / max(length(pair.zh), 1)


def _checks(f: ExportFilters) -> list[tuple[str, bool, Callable[[Candidate], bool]]]:
    """(name, enabled, passes) for every filter, in the order they are applied."""
    return [
        (
            "min_align_score",
            f.min_align_score is not None,
            lambda p: not p.judged_by_aligner or (p.align_score or 0.0) >= (f.min_align_score or 0.0),
        ),
        (
            "link_types",
            f.link_types is not None,
            lambda p: not p.judged_by_aligner or p.link_type in (f.link_types or ()),
        ),
        ("min_length", f.min_length > 0, lambda p: min(length(p.zh), length(p.en)) >= f.min_length),
        (
            "max_length",
            f.max_length is not None,
            lambda p: max(length(p.zh), length(p.en)) <= (f.max_length or 0),
        ),
        ("min_length_ratio", f.min_length_ratio is not None, lambda p: _ratio(p) >= (f.min_length_ratio or 0.0)),
        ("max_length_ratio", f.max_length_ratio is not None, lambda p: _ratio(p) <= (f.max_length_ratio or 0.0)),
        (
            "min_script_ratio",
            f.min_script_ratio is not None,
            lambda p: min(script_ratio(p.zh, HAN), script_ratio(p.en, LATIN)) >= (f.min_script_ratio or 0.0),
        ),
    ]


#: Filter names in the order they are applied (``drop_duplicates`` comes last, after the others).
FILTERS = tuple(name for name, _, _ in _checks(ExportFilters()))


class PairFilter:
    """The enabled filters of one config, ready to test pairs."""

    def __init__(self, settings: ExportFilters) -> None:
        self._checks = [(name, passes) for name, enabled, passes in _checks(settings) if enabled]

    def first_failure(self, pair: Candidate) -> str | None:
        """Name of the first filter the pair fails, or None when it passes them all."""
        for name, passes in self._checks:
            if not passes(pair):
                return name
        return None
