"""Chinese words as the aligner's evidence keys: dictionary words, numbers, Latin tokens, names.

A Chinese sentence is cut into the dictionary's words by forward maximum matching (the longest
headword at each position; a character the dictionary lacks is a word of its own). On MAC-Dev this
aligns as well as jieba's segmentation, and needs no second dictionary to load
(docs/benchmarks.md). Each word gets the keys of its glosses (:mod:`pipeline.align.lexicon`); a
word the dictionary lacks gets its characters' keys.

Numbers are normalised as English ones are: ``二十三``, ``1.5万`` and ``两千`` become ``#23``,
``#15000`` and ``#2000``. Latin-script tokens (``WHO``, ``COVID-19``) take the English keys of
:func:`pipeline.align.english.word_keys`. Names: the readings of every one to three consecutive
characters, joined (``陈清扬`` -> ``chen``, ``qingyang``, ``chenqing`` ...), are name keys, kept
only where the other side has a capitalised word spelt so (``Qingyang``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pipeline.align.english import Keys, number_key, word_keys
from pipeline.align.lexicon import Lexicon

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_SCALES = {"万": 10**4, "亿": 10**8}
NUMERALS = frozenset(_DIGITS) | frozenset(_UNITS) | frozenset(_SCALES)
#: Runs of Han characters, of Latin letters (with digits and hyphens after the first), and of digits
#: (a decimal point and a following 万 or 亿 included).
_RUN = re.compile(
    r"(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
    r"|(?P<latin>[A-Za-z][A-Za-z0-9'’-]*)"
    r"|(?P<number>\d+(?:[.,]\d+)*[万亿]?)"
)
#: Name keys from at most this many consecutive characters, and this many spellings of each.
NAME_CHARACTERS = 3
NAME_SPELLINGS = 4


def numeral_value(text: str) -> float | None:
    """The value of Chinese numerals (``二十三``, ``三千五百万``, ``二〇二〇``) or digits with a scale (``1.5万``)."""
    if text and text[0].isdigit():
        digits, scale = (text[:-1], _SCALES[text[-1]]) if text[-1] in _SCALES else (text, 1)
        try:
            return float(digits.replace(",", "")) * scale
        except ValueError:
            return None
    if not text or any(ch not in NUMERALS for ch in text):
        return None
    if not any(ch in _UNITS or ch in _SCALES for ch in text):
        return float("".join(str(_DIGITS[ch]) for ch in text))  # 二〇二〇: digit by digit
    total = section = 0.0
    digit: float | None = None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            total += ((section + (digit or 0)) or 1) * _SCALES[ch]
            section, digit = 0.0, None
    return total + section + (digit or 0)


def segment(text: str, lexicon: Lexicon) -> list[str]:
    """Forward maximum matching over the dictionary's headwords; a run of numerals is one word."""
    headwords, longest = lexicon.words, lexicon.longest
    words = []
    i = 0
    while i < len(text):
        numerals = i
        while numerals < len(text) and text[numerals] in NUMERALS:
            numerals += 1
        length = 1
        for size in range(min(longest.get(text[i], 1), len(text) - i), 1, -1):
            if text[i : i + size] in headwords:
                length = size
                break
        if numerals - i >= 2 and numerals - i >= length:
            length = numerals - i
        words.append(text[i : i + length])
        i += length
    return words


def _han_keys(word: str, lexicon: Lexicon) -> list[str]:
    value = numeral_value(word) if word[0] in NUMERALS else None
    if value is not None and (len(word) > 1 or word not in lexicon):
        return [number_key(value)]
    keys = list(lexicon.keys(word))
    if not keys and len(word) > 1:
        keys = list(dict.fromkeys(key for ch in word for key in lexicon.keys(ch)))
    return keys


class Names:
    """The name keys the other side offers (``py:qingyang``), and their prefixes to prune the search with."""

    def __init__(self, keys: Iterable[str], lexicon: Lexicon, characters: Iterable[str] = ()) -> None:
        self.keys = frozenset(keys)
        self.prefixes = frozenset(key[:end] for key in self.keys for end in range(4, len(key) + 1))
        #: The characters (of ``characters``) a name key can start with: one of their readings begins one.
        readings = lexicon.readings
        self.starts = frozenset(
            ch for ch in set(characters) if any("py:" + r in self.prefixes for r in readings.get(ch, ()))
        )

    def __bool__(self) -> bool:
        return bool(self.keys)

    def at(self, run: str, start: int, lexicon: Lexicon) -> list[str]:
        """Keys of the spans of one to three characters starting at ``run[start]`` that the other side offers."""
        found = []
        spellings = ["py:"]
        for ch in run[start : start + NAME_CHARACTERS]:
            readings = lexicon.readings.get(ch, ())
            spellings = [s + r for s in spellings for r in readings if s + r in self.prefixes][:NAME_SPELLINGS]
            if not spellings:
                break
            found.extend(s for s in spellings if s in self.keys)
        return found


def token_keys(text: str, lexicon: Lexicon, names: Names | None = None) -> list[Keys]:
    """The keys of every word of a Chinese text that has any, in order (see the module docstring).

    ``names`` holds the name keys the other side offers; other name keys are left out.
    """
    out: list[Keys] = []
    for match in _RUN.finditer(unicodedata.normalize("NFKC", text)):
        kind, run = match.lastgroup, match.group()
        if kind == "latin":
            keys = word_keys(run)
            if keys:
                out.append(keys)
        elif kind == "number":
            value = numeral_value(run)
            if value is not None:
                out.append((number_key(value),))
        else:
            starts = names.starts if names else frozenset()
            position = 0
            for word in segment(run, lexicon):
                keys = _han_keys(word, lexicon)
                if starts:
                    keys += [
                        k
                        for i, ch in enumerate(word, position)
                        if ch in starts
                        for k in names.at(run, i, lexicon)  # type: ignore[union-attr]
                    ]
                position += len(word)
                if keys:
                    out.append(tuple(dict.fromkeys(keys)))
    return out
