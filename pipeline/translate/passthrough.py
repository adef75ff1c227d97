"""Segments that need no model: blank ones, and ones with nothing to translate (numbers, punctuation)."""

from __future__ import annotations

import unicodedata

from pipeline.records import Translation
from pipeline.translate.flags import PASSTHROUGH

#: Unicode major categories with nothing to translate: numbers, punctuation, symbols, separators.
_UNTRANSLATABLE = frozenset("NPSZ")


def is_untranslatable(text: str) -> bool:
    """True when ``text`` holds only digits, punctuation, symbols and white space (``3.5%``, ``……``, ``（2）``)."""
    return all(ch.isspace() or unicodedata.category(ch)[0] in _UNTRANSLATABLE for ch in text)


def quick_translation(text: str) -> Translation | None:
    """The translation of ``text`` when it needs no model, else None.

    Blank text gives an empty translation; untranslatable text is copied, NFKC-normalised so that
    full-width digits and punctuation become their ASCII forms (``１２３`` -> ``123``, ``！`` -> ``!``).
    """
    if not text.strip():
        return Translation("")
    if is_untranslatable(text):
        return Translation(unicodedata.normalize("NFKC", text).strip(), (PASSTHROUGH,))
    return None
