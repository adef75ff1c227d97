"""Rule-based English sentence splitter for references.

A sentence ends at ``.``, ``!`` or ``?`` (and runs such as ``?!`` or ``...``) plus any closing
quotes or brackets, when white space and a plausible sentence start follow: an upper-case letter,
a digit, or an opening quote or bracket. A period does not end a sentence after a known
abbreviation (Mr., Jan., etc.), after a single capital (an initial: ``J. K. Rowling``; but ``I.``
is the pronoun unless another initial follows), or inside dotted abbreviations (``U.S.``, ``e.g.``).
Abbreviations that stand before numbers (``No.``, ``Vol.``, ``p.``) are abbreviations only before
one (``No. 5``; ``"No. Since you ask"`` is two sentences). A period that closes a quotation
(``at one A.M." "Wow``) ends the sentence whatever precedes it; a letter glued to a number
(``0.002K.``) is a unit, not an initial. Decimals never split, as no white space follows the point.

A quotation cut off by a dash ends the sentence when a new quotation follows (``let's see—'
'At you!'``). The same word on both sides of an ellipsis (``I... I can't``) is a stammer, not a
boundary. Line breaks are always boundaries.
"""

from __future__ import annotations

import re

from pipeline.config import EnglishRules
from pipeline.segment.base import Segmenter, Span, line_break_cuts, trimmed_spans

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

#: Abbreviations that only stand before a number (``No. 5``, ``Vol. II``); before a word they end
#: the sentence (``"No. Since you ask..."``).
NUMBER_ABBREVIATIONS = frozenset(["no", "nos", "vol", "vols", "p", "pp", "ch", "fig", "figs", "eq", "art", "sec"])

_CLOSERS = re.escape("\"'”’)]")
_CANDIDATE = re.compile(
    # sentence-final marks, or a dash that cuts off a quotation before a new one (``see—' 'At you!'``)
    rf"(?:(?P<marks>[.!?…]+)|(?:—+|–|--)(?=[{_CLOSERS}]+\s+[\"'“‘]))[{_CLOSERS}]*"
    r"(?=\s+[\"'“‘(\[A-Z0-9])"
)
_NUMBER_NEXT = re.compile(r"\s+(?:[0-9#]|[IVXLC]+\b)")
_INITIAL_NEXT = re.compile(r"\s+[A-Z]\.")
_LETTERS_NEXT = re.compile(r"\s+[\"'“‘]?([A-Za-z]+)")


def _word_before(text: str, end: int) -> tuple[str, int]:
    """The letters-and-dots word that ends at ``end`` and where it starts."""
    start = end
    while start > 0 and (text[start - 1] == "." or ("a" <= text[start - 1].lower() <= "z")):
        start -= 1
    return text[start:end].lstrip("."), start


class EnglishRuleSegmenter(Segmenter):
    lang = "en"

    def __init__(self, settings: EnglishRules | None = None) -> None:
        self.settings = settings or EnglishRules()
        self.extra = {a.lower().rstrip(".") for a in self.settings.extra_abbreviations}
        self.abbreviations = ABBREVIATIONS | self.extra

    def _is_abbreviation(self, text: str, period: int) -> bool:
        """Whether the period at ``period`` belongs to a word, not to the sentence."""
        word, start = _word_before(text, period)
        if not word or (start > 0 and text[start - 1].isdigit()):  # a unit glued to a number: 0.002K.
            return False
        if "." in word:  # dotted forms: U.S., e.g., a.m., Ph.D. (but not example.com)
            return all(len(part) <= 3 for part in word.split("."))
        if len(word) == 1 and word.isupper():  # an initial, but "I." is the pronoun unless "I. M. Pei"
            return word != "I" or _INITIAL_NEXT.match(text, period + 1) is not None
        lower = word.lower()
        if lower in NUMBER_ABBREVIATIONS and lower not in self.extra:
            return _NUMBER_NEXT.match(text, period + 1) is not None
        return lower in self.abbreviations

    def _is_stammer(self, text: str, start: int, end: int) -> bool:
        """``I... I can't``: the same word on both sides of an ellipsis is hesitation, not two sentences."""
        before, _ = _word_before(text, start)
        after = _LETTERS_NEXT.match(text, end)
        return bool(before) and after is not None and before.lower() == after.group(1).lower()

    def _is_cut(self, text: str, match: re.Match[str]) -> bool:
        marks = match.group("marks")
        if marks is None:  # a dash before a closing quote
            return True
        if marks == ".":
            if match.end() > match.end("marks"):  # it closes a quotation or bracket: 'at one A.M." "Wow'
                return True
            return not self._is_abbreviation(text, match.start())
        if "…" in marks or marks.startswith("..."):
            return not self._is_stammer(text, match.start(), match.end())
        return True

    def spans(self, text: str) -> list[Span]:
        cuts = {match.end() for match in _CANDIDATE.finditer(text) if self._is_cut(text, match)}
        return trimmed_spans(text, sorted(cuts.union(line_break_cuts(text))))

    def signature(self) -> str:
        extra = ",".join(sorted(self.settings.extra_abbreviations)) or "none"
        return f"en-rules|v2|extra-abbrev:{extra}"
