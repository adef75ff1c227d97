"""Rule-based English sentence splitter for references.

A sentence ends at ``.``, ``!`` or ``?`` (and runs such as ``?!`` or ``...``) plus any closing
quotes or brackets, when white space and a plausible sentence start follow: an upper-case letter,
a digit, or an opening quote or bracket. A period does not end a sentence after a known
abbreviation (Mr., Jan., etc.), after a single capital (an initial: ``J. K. Rowling``), or inside
dotted abbreviations (``U.S.``, ``e.g.``). Decimals never split, as no white space follows the point.
"""

from __future__ import annotations

import re

from pipeline.config import EnglishRules
from pipeline.segment.base import Segmenter, Span, trimmed_spans

ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "rev",
        "hon",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "gov",
        "sen",
        "rep",
        "pres",
        "supt",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "no",
        "nos",
        "vol",
        "vols",
        "p",
        "pp",
        "ch",
        "fig",
        "figs",
        "eq",
        "art",
        "sec",
        "dept",
        "univ",
        "assn",
        "bros",
        "inc",
        "ltd",
        "co",
        "corp",
        "plc",
        "vs",
        "etc",
        "al",
        "approx",
        "est",
        "cf",
        "viz",
        "ca",
    ]
)

_CANDIDATE = re.compile(r"(?:[.!?]+|…)[\"'”’)\]]*(?=\s+[\"'“‘(\[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


class EnglishRuleSegmenter(Segmenter):
    lang = "en"

    def __init__(self, settings: EnglishRules | None = None) -> None:
        self.settings = settings or EnglishRules()
        self.abbreviations = ABBREVIATIONS | {a.lower().rstrip(".") for a in self.settings.extra_abbreviations}

    def _is_abbreviation(self, text: str, end: int) -> bool:
        """Whether the period ending at ``end`` belongs to a word, not to the sentence."""
        match = _WORD_BEFORE.search(text, 0, end)
        if match is None:
            return False
        word = match.group(1)
        if "." in word:  # dotted forms: U.S., e.g., a.m.
            return True
        if len(word) == 1 and word.isupper():  # an initial
            return True
        return word.lower() in self.abbreviations

    def spans(self, text: str) -> list[Span]:
        cuts = []
        for match in _CANDIDATE.finditer(text):
            punctuation = match.group(0).rstrip("\"'”’)]")
            if punctuation == "." and self._is_abbreviation(text, match.start() + 1):
                continue
            cuts.append(match.end())
        return trimmed_spans(text, cuts)

    def signature(self) -> str:
        extra = ",".join(sorted(self.settings.extra_abbreviations)) or "none"
        return f"en-rules|v1|extra-abbrev:{extra}"
