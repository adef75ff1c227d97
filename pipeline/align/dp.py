"""A dynamic-programming aligner scored by sentence length and by translation-reference similarity.

Each candidate bead (1-1, 1-2, 2-1, 2-2, 1-3, 3-1; 1-0 and 0-1 as skips) costs

    type cost + length_weight * length cost + similarity_weight * similarity cost

* the **length cost** is Gale and Church's: how improbable the reference length is given the
  source length, with the zh-characters-to-en-characters ratio estimated from the document;
* the **similarity cost** compares the machine translation of the source side (merged sentences
  concatenated) with the reference side by character n-gram overlap, divided by the overlap of
  random pairs from the same document, so that it means the same for good and poor translations
  (as Vecalign normalises by random-pair costs). A translation no better than chance costs 0;
  a good match is rewarded.

The search runs only in a band around the diagonal of cumulative lengths, so time and memory
grow with document length times band width, not with the product of the document lengths.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from functools import cache

from pipeline.align.base import Aligner, Bead
from pipeline.config import DPAlignerSettings
from pipeline.errors import StageError

#: Prior cost of each bead shape (rarer shapes cost more); skips use the configured skip_penalty.
TYPE_COST: dict[str, float] = {"1-1": 0.0, "1-2": 1.0, "2-1": 1.0, "1-3": 2.0, "3-1": 2.0, "2-2": 2.5}
#: Variance of the reference length per expected character (Gale-Church's s^2, for zh->en).
LENGTH_VARIANCE = 8.0
NGRAM_ORDERS = (2, 3, 4)
RANDOM_PAIRS = 200
#: Typical n-gram overlap of unrelated English sentences (0.07-0.13 on MAC-Dev), weighted as this many pairs.
CHANCE_PRIOR = 0.1
CHANCE_PRIOR_WEIGHT = 10
MIN_BAND = 12
FORBIDDEN = 1000.0


def ngrams(text: str) -> Counter[str]:
    """Character n-grams of the lower-cased text with white space removed, as chrF counts them."""
    chars = "".join(text.lower().split())
    grams: Counter[str] = Counter()
    for n in NGRAM_ORDERS:
        grams.update(chars[i : i + n] for i in range(len(chars) - n + 1))
    return grams


def dice(a: Counter[str], b: Counter[str]) -> float:
    """Multiset overlap in [0, 1]: 2|a & b| / (|a| + |b|)."""
    total = a.total() + b.total()
    if total == 0:
        return 0.0
    small, large = (a, b) if len(a) < len(b) else (b, a)
    overlap = sum(min(count, large[g]) for g, count in small.items())
    return 2.0 * overlap / total


def length_cost(expected: float, actual: float) -> float:
    """Gale-Church: -log P(|delta| at least this large), delta normalised by the expected spread."""
    spread = math.sqrt(LENGTH_VARIANCE * max((expected + actual) / 2.0, 1.0))
    delta = abs(actual - expected) / spread
    return -math.log(max(math.erfc(delta / math.sqrt(2.0)), 1e-12))


def zh_length(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


class _Document:
    """Per-document quantities the DP looks up many times: lengths, n-gram profiles, calibration."""

    def __init__(self, sources: Sequence[str], translations: Sequence[str], references: Sequence[str]) -> None:
        self.src_len = [zh_length(s) for s in sources]
        self.ref_len = [len(r) for r in references]
        total_src, total_ref = sum(self.src_len), sum(self.ref_len)
        self.ratio = total_ref / total_src if total_src and total_ref else 3.0
        self.mt = [ngrams(t) for t in translations]
        self.ref = [ngrams(r) for r in references]
        self.random_similarity = self._random_similarity()

    def _random_similarity(self) -> float:
        """Mean similarity of random (translation, reference) pairs: what chance looks like here.

        Pairs near the diagonal may be true translations, so they are not sampled; the estimate
        is blended with a prior, so that a document of a few sentences still gets a sane value.
        """
        n, m = len(self.mt), len(self.ref)
        rng = random.Random(n * 7919 + m)  # deterministic per document shape
        total, count = 0.0, 0
        for _ in range(RANDOM_PAIRS if n and m else 0):
            i, j = rng.randrange(n), rng.randrange(m)
            if abs(i / n - j / m) * max(n, m) > 2:
                total += dice(self.mt[i], self.ref[j])
                count += 1
        return (total + CHANCE_PRIOR * CHANCE_PRIOR_WEIGHT) / (count + CHANCE_PRIOR_WEIGHT)

    @cache  # noqa: B019 - one _Document per align() call, freed with it
    def merged(self, side: str, start: int, count: int) -> Counter[str]:
        profiles = self.mt if side == "mt" else self.ref
        if count == 1:
            return profiles[start]
        total: Counter[str] = Counter()
        for k in range(start, start + count):
            total.update(profiles[k])
        return total


class DPAligner(Aligner):
    def __init__(self, settings: DPAlignerSettings | None = None) -> None:
        self.settings = settings or DPAlignerSettings()
        self.shapes = [(int(t[0]), int(t[2]), t) for t in self.settings.link_types if t not in ("1-0", "0-1")]
        # Skips not in link_types stay possible at a prohibitive cost, so that every sentence
        # is always covered, even when, say, only 1-1 links are allowed and the counts differ.
        allowed = self.settings.link_types
        self.skip_src = self.settings.skip_penalty if "1-0" in allowed else FORBIDDEN
        self.skip_ref = self.settings.skip_penalty if "0-1" in allowed else FORBIDDEN

    def signature(self) -> str:
        s = self.settings
        types = ",".join(s.link_types)
        return f"dp|v1|types:{types}|w_len:{s.length_weight}|w_sim:{s.similarity_weight}|skip:{s.skip_penalty}"

    def _bead_cost(self, doc: _Document, i: int, di: int, j: int, dj: int, shape: str) -> float:
        expected = doc.ratio * sum(doc.src_len[i : i + di])
        actual = float(sum(doc.ref_len[j : j + dj]))
        cost = TYPE_COST.get(shape, 3.0) + self.settings.length_weight * length_cost(expected, actual)
        if self.settings.similarity_weight:
            similarity = dice(doc.merged("mt", i, di), doc.merged("ref", j, dj))
            chance = doc.random_similarity + 0.01
            cost -= self.settings.similarity_weight * math.log((similarity + 0.01) / chance)
        return cost

    def _band(self, doc: _Document, n: int, m: int) -> list[tuple[int, int]]:
        """For each source position i, the reference positions the search may visit."""
        width = max(MIN_BAND, abs(n - m) + MIN_BAND // 2, (n + m) // 10)
        cum_src = [0.0]
        for length in doc.src_len:
            cum_src.append(cum_src[-1] + length)
        cum_ref = [0.0]
        for length in doc.ref_len:
            cum_ref.append(cum_ref[-1] + length)
        band = []
        j = 0
        for i in range(n + 1):
            target = cum_src[i] / cum_src[-1] * cum_ref[-1] if cum_src[-1] else 0.0
            while j < m and cum_ref[j + 1] <= target:
                j += 1
            low, high = max(0, j - width), min(m, j + width)
            if band:
                # Overlap the previous row, so that a path always exists (through skips at worst).
                low = min(low, band[-1][1])
            band.append((low, high))
        return band

    def align(self, sources: Sequence[str], translations: Sequence[str], references: Sequence[str]) -> list[Bead]:
        n, m = len(sources), len(references)
        doc = _Document(sources, translations, references)
        band = self._band(doc, n, m)
        inf = math.inf
        cost: dict[tuple[int, int], float] = {(0, 0): 0.0}
        back: dict[tuple[int, int], tuple[int, int, float]] = {}
        for i in range(n + 1):
            low, high = band[i]
            for j in range(low, high + 1):
                if (i, j) == (0, 0):
                    continue
                best, step = inf, (0, 0, 0.0)
                for di, dj, shape in self._moves():
                    prev = cost.get((i - di, j - dj))
                    if prev is None or i < di or j < dj:
                        continue
                    bead = self._move_cost(doc, i, di, j, dj, shape)
                    if prev + bead < best:
                        best, step = prev + bead, (di, dj, bead)
                if best < inf:
                    cost[(i, j)] = best
                    back[(i, j)] = step
        return self._backtrack(back, n, m)

    def _moves(self) -> list[tuple[int, int, str]]:
        return [*self.shapes, (1, 0, "1-0"), (0, 1, "0-1")]

    def _move_cost(self, doc: _Document, i: int, di: int, j: int, dj: int, shape: str) -> float:
        if shape == "1-0":
            return self.skip_src
        if shape == "0-1":
            return self.skip_ref
        return self._bead_cost(doc, i - di, di, j - dj, dj, shape)

    @staticmethod
    def _backtrack(back: dict[tuple[int, int], tuple[int, int, float]], n: int, m: int) -> list[Bead]:
        if (n, m) not in back and (n, m) != (0, 0):
            raise StageError(f"aligner found no path to ({n}, {m}); this is a bug, please report it")
        beads: list[Bead] = []
        i, j = n, m
        while (i, j) != (0, 0):
            di, dj, bead_cost = back[(i, j)]
            beads.append(Bead(tuple(range(i - di, i)), tuple(range(j - dj, j)), confidence(bead_cost)))
            i, j = i - di, j - dj
        beads.reverse()
        return beads


def confidence(bead_cost: float) -> float:
    """Map a bead's cost to (0, 1): a logistic curve, 0.5 at cost 2 (an uncalibrated first version)."""
    return 1.0 / (1.0 + math.exp(min(bead_cost - 2.0, 50.0)))
