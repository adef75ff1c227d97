"""The repetition guard: does an output look like the looping failure of opus-mt models?

Two signs, both cheap and language-independent on the English side: the output is far longer
than its source, or a word n-gram repeats back to back (``February, February, February, ...``).
Runs of punctuation (``!!!!``, ``......``) are no sign: real translations have them.
"""

from __future__ import annotations

import re

from pipeline.config import RepetitionGuard

#: Characters an output may have beyond ``max_length_ratio`` per source character: short sources
#: have naturally high ratios (``没试过`` -> ``I have never tried this before``).
LENGTH_ALLOWANCE = 50
#: Longest n-gram (in words and punctuation marks) whose back-to-back repeats are counted.
MAX_NGRAM = 8

_TOKEN = re.compile(r"\w+|[^\w\s]")


def longest_repeat(tokens: list[str], max_n: int = MAX_NGRAM) -> int:
    """Most back-to-back repeats of any n-gram (n <= ``max_n``) holding at least one word."""
    best = 1
    for n in range(1, max_n + 1):
        for start in range(len(tokens) - 2 * n + 1):
            gram = tokens[start : start + n]
            if not any(t[0].isalnum() or t[0] == "_" for t in gram):
                continue
            k = 1
            while tokens[start + k * n : start + (k + 1) * n] == gram:
                k += 1
            best = max(best, k)
    return best


def repetition_problem(source: str, output: str, guard: RepetitionGuard) -> str | None:
    """Why ``output`` looks like a loop (``"length"`` or ``"repeats"``), or None when it looks plausible."""
    if len(output) > guard.max_length_ratio * len(source) + LENGTH_ALLOWANCE:
        return "length"
    if longest_repeat(_TOKEN.findall(output.lower())) > guard.max_repeats:
        return "repeats"
    return None
