"""Which legacy encoding a file that is not UTF-8 is in, given the language it is meant to hold.

charset-normalizer guesses from the bytes alone, and on a short Chinese file it often guesses a Korean or
Japanese code page: the 21 bytes of ``你好。今天天气很好。`` in GB18030 came out as cp949 Hangul. A run knows
more than the bytes: its sources are Chinese and its references English. So a Chinese file is decoded
with each Chinese encoding (GB18030, then Big5) and the decoding that looks most like Chinese wins; an
English file tries cp1252 (Windows' Western code page, which holds every printable Latin-1 character)
and keeps it when its text looks like English. The detector is asked only when no candidate fits.

"Looks like Chinese" is measured, not guessed: the share of the decoded non-ASCII characters that are
common Chinese characters or Chinese punctuation. The common characters come from the encodings'
own frequency tiers (GB2312 level 1 and Big5's frequently used characters), read from Python's codecs.
A text in one encoding decoded with the other gives rare characters, kana, bopomofo, symbols and
private-use characters. A text of one or two characters without punctuation can fit both: GB18030 wins
a tie (it is the national standard and holds every character of GBK and GB2312). How often each way
is right, by text length: docs/benchmarks.md ("Reading files that are not UTF-8",
``python benchmarks/decoding.py``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

#: What a file is meant to hold: a run's sources are Chinese, its references English.
Language = Literal["zh", "en"]

#: Tried in this order; on equal scores the first wins.
CHINESE_ENCODINGS = ("gb18030", "big5")
#: A Chinese decoding whose score is below this is taken for a wrong guess and the detector is asked.
#: Below the scores of right decodings of two characters or more (benchmarks/decoding.py).
MIN_CHINESE_SCORE = 0.7
#: Characters scored: enough to tell encodings apart, without scanning a large file character by character.
SAMPLE_CHARACTERS = 65_536
#: A rare Han character (GB2312 level 2, Big5's less used characters, GBK's extensions): real Chinese
#: has some (names, classical words), a wrong decoding has many.
RARE_HAN_WEIGHT = 0.5

_PUNCTUATION = ((0x3000, 0x303F), (0xFF01, 0xFF5E), (0x2010, 0x205E), (0xB7, 0xB7))
_HAN = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))

#: Non-ASCII characters other than letters that English in cp1252 commonly holds.
_ENGLISH_SIGNS = frozenset("‘’‚“”„–—…•·«»‹›\u00a0°£€¥©®™§¶±×÷½¼¾¹²³µ¿¡†‡‰")
#: The longest run of non-ASCII characters English is taken to hold (``…”`` or ``”—“``).
_ENGLISH_RUN = 3


@dataclass(frozen=True)
class Fit:
    """A decoding of a file and how well it fits the language (1.0: every telling character is common)."""

    encoding: str
    text: str
    score: float


@dataclass(frozen=True)
class Guess:
    """The decoding chosen, and every candidate that decoded (for the note that says why)."""

    chosen: Fit
    candidates: tuple[Fit, ...]

    def reason(self) -> str:
        """``as Chinese: 100% common characters; big5: 52%``, for the note a run and ``pipeline segment`` print."""
        if self.chosen.encoding == "cp1252":
            return "as English text"
        others = "; ".join(f"{f.encoding}: {f.score:.0%}" for f in self.candidates if f is not self.chosen)
        tie = any(f.score == self.chosen.score for f in self.candidates if f is not self.chosen)
        told = f"as Chinese: {self.chosen.score:.0%} common characters"
        return told + (f"; {others}" if others else "") + (" (a tie: a short text)" if tie else "")


def _from_codec(codec: str, leads: Iterable[int], trails: Iterable[int]) -> set[str]:
    found: set[str] = set()
    trail_bytes = list(trails)
    for lead in leads:
        for trail in trail_bytes:
            try:
                found.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                continue
    return found


@cache
def common_hanzi() -> frozenset[str]:
    """GB2312's level-1 characters (the 3,755 most used simplified ones, lead bytes B0-D7) and Big5's
    frequently used characters (5,401 traditional ones, A440-C67E), Han characters only."""
    simplified = _from_codec("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF))
    traditional = _from_codec("big5", range(0xA4, 0xC6), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
    traditional |= _from_codec("big5", [0xC6], range(0x40, 0x7F))  # C6A1 on holds kana, not Hanzi
    return frozenset(ch for ch in simplified | traditional if _within(ord(ch), _HAN))


def _within(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in ranges)


def _chinese_weight(ch: str) -> float:
    if ch in common_hanzi() or _within(ord(ch), _PUNCTUATION):
        return 1.0
    return RARE_HAN_WEIGHT if _within(ord(ch), _HAN) else 0.0


def _telling(ch: str) -> bool:
    """Characters that tell a right decoding from a wrong one: every non-ASCII character, and ASCII
    controls other than tab and line ends (a NUL in "Chinese" is UTF-16 read with the wrong codec)."""
    return ch >= "\x7f" or (ch < " " and ch not in "\t\n\r")


def chinese_score(text: str) -> float:
    """Mean weight of the telling characters of ``text``: 1 for a common Han character or Chinese
    punctuation, :data:`RARE_HAN_WEIGHT` for another Han character, 0 for anything else."""
    telling = [ch for ch in text[:SAMPLE_CHARACTERS] if _telling(ch)]
    return sum(map(_chinese_weight, telling)) / len(telling) if telling else 1.0


def _decodes(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _chinese(data: bytes) -> Guess | None:
    fits = []
    for encoding in CHINESE_ENCODINGS:
        text = _decodes(data, encoding)
        # GB18030 and Big5 text holds no NUL; UTF-16 without a byte order mark has one in every ASCII
        # character (a line end), and its Chinese would otherwise often decode too.
        if text is not None and "\x00" not in text:
            fits.append(Fit(encoding, text, chinese_score(text)))
    best = max(fits, key=lambda fit: fit.score, default=None)  # max keeps the first of equal scores
    if best is None or best.score < MIN_CHINESE_SCORE:
        return None
    return Guess(best, tuple(fits))


def english_plausible(text: str) -> bool:
    """Whether ``text`` reads as English: its non-ASCII characters are Latin letters and common signs,
    in runs of at most three with at most one letter (``café``, ``naïve``, ``…”``). A multi-byte encoding
    read as cp1252 gives longer runs of letters and odd signs (``ÄãºÃ`` for 你好 in GB18030, ``¤¤`` in Big5)."""
    run = letters = 0
    for ch in text[:SAMPLE_CHARACTERS]:
        if ch < "\x80":
            run = letters = 0
            continue
        letter = unicodedata.category(ch).startswith("L") and unicodedata.name(ch, "").startswith("LATIN")
        if not letter and ch not in _ENGLISH_SIGNS:
            return False
        run, letters = run + 1, letters + letter
        if run > _ENGLISH_RUN or letters > 1:
            return False
    return True


def _english(data: bytes) -> Guess | None:
    text = _decodes(data, "cp1252")
    if text is None or not english_plausible(text):
        return None
    fit = Fit("cp1252", text, 1.0)
    return Guess(fit, (fit,))


def guess(data: bytes, language: Language | None) -> Guess | None:
    """The decoding of ``data`` (not UTF-8, no byte order mark) that fits ``language``; None when none
    fits or the language is not known (the detector decides then)."""
    if language == "zh":
        return _chinese(data)
    if language == "en":
        return _english(data)
    return None
