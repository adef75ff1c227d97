"""A set of texts that keeps 16 bytes per text: "have I seen this one before?" over a whole run.

Removing duplicate pairs and counting repeated sentences must remember every distinct text of the run,
which a set of the texts themselves would hold in memory. This set keeps a 128-bit BLAKE2b digest of each
text instead: the chance that two different texts of a run share a digest is about n²/2¹²⁹ (10⁻²⁴ for
ten million texts). Digests go first into a small Python set; every :data:`BUFFER` of them are merged
into two sorted NumPy arrays (the digests' high and low 64 bits), 16 bytes per text, searched by bisection.
"""

from __future__ import annotations

import hashlib
from typing import Any

#: Digests held in the Python set before they are merged into the arrays (about 150 bytes each there, so
#: at most 2.5 MB; a merge copies the arrays once).
BUFFER = 1 << 14


def _halves(text: str) -> tuple[int, int]:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little")


class DigestSet:
    """Remembers texts by digest; ``add`` says whether the text was new."""

    def __init__(self) -> None:
        import numpy as np

        self._np: Any = np
        self._high = np.empty(0, dtype=np.uint64)  # sorted
        self._low = np.empty(0, dtype=np.uint64)  # in the order of _high
        self._recent: set[tuple[int, int]] = set()

    def __len__(self) -> int:
        return len(self._high) + len(self._recent)

    @property
    def merged_bytes(self) -> int:
        """Memory held by the merged digests (16 bytes each; the recent ones wait in a small set)."""
        return int(self._high.nbytes + self._low.nbytes)

    def __contains__(self, text: str) -> bool:
        return self._has(_halves(text))

    def add(self, text: str) -> bool:
        """Remember ``text``; True when it was not seen before."""
        key = _halves(text)
        if self._has(key):
            return False
        self._recent.add(key)
        if len(self._recent) >= BUFFER:
            self._merge()
        return True

    def _has(self, key: tuple[int, int]) -> bool:
        if key in self._recent:
            return True
        high, low = key
        np = self._np
        at = int(np.searchsorted(self._high, np.uint64(high)))
        while at < len(self._high) and int(self._high[at]) == high:
            if int(self._low[at]) == low:
                return True
            at += 1
        return False

    def _merge(self) -> None:
        np = self._np
        keys = sorted(self._recent)
        high = np.fromiter((k[0] for k in keys), dtype=np.uint64, count=len(keys))
        low = np.fromiter((k[1] for k in keys), dtype=np.uint64, count=len(keys))
        at = np.searchsorted(self._high, high)
        self._high = np.insert(self._high, at, high)
        self._low = np.insert(self._low, at, low)
        self._recent = set()
