"""The notes a translation can carry (``Translation.flags``), as they appear in the TSV ``flags`` column.

A plain model translation has none. Flags of a sentence's pieces are carried to the sentence.
"""

from __future__ import annotations

#: Not translated: the segment holds only digits, punctuation, symbols and white space; copied (NFKC).
PASSTHROUGH = "passthrough"
#: Longer than the model's input limit: cut at clause boundaries, translated in pieces and rejoined.
CLAUSE_SPLIT = "clause-split"
#: Longer than the limit with no clause boundary that helps: cut into windows of subword tokens.
WINDOWED = "windowed"
#: The first output looked like a loop (too long for its source, or an n-gram repeated back to back).
REPETITION = "repetition"
#: Translated again with anti-repetition decoding; the second output is the one kept.
RETRIED = "retried"
#: The retried output still looked like a loop.
UNRESOLVED = "unresolved"

ALL = (PASSTHROUGH, CLAUSE_SPLIT, WINDOWED, REPETITION, RETRIED, UNRESOLVED)
