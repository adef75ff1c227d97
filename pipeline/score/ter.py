"""sacrebleu's TER with the same numbers, its edit distances computed in NumPy, all shift candidates at once.

sacrebleu's TER (``sacrebleu.metrics.lib_ter``, after Tercom) greedily shifts phrases of the hypothesis
while a shift lowers the edit distance to the reference. Each round scores every candidate shift (up
to 1,000 per segment) with a beam-restricted Levenshtein distance in pure Python: seconds on a
paragraph-length segment. Here the rules are the same step by step (the same candidates in the same
order, the same limits, the same tie-breaking, sacrebleu's own ``trace_to_alignment`` and
``_perform_shift``), but the distances of one round's candidates are computed together, one matrix
row at a time for all of them, and the edit operations are read back only along the path the
alignment needs. ``tests/score/test_ter.py`` checks that the statistics equal sacrebleu's.

Why the candidates can share the work: a row of the distance matrix depends only on the hypothesis
words before it, the reference and the hypothesis length (which a shift keeps), so a candidate
shares the rows of the current hypothesis up to the first word the shift moves.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from sacrebleu.metrics import TER
from sacrebleu.metrics.lib_ter import (
    _BEAM_WIDTH,
    _INT_INFINITY,
    _MAX_SHIFT_CANDIDATES,
    _MAX_SHIFT_DIST,
    _MAX_SHIFT_SIZE,
    _flip_trace,
    _perform_shift,
    trace_to_alignment,
)

from pipeline.errors import StageError

if TYPE_CHECKING:
    import numpy as np

#: Hypothesis words that are not in the reference all get this id: they match no reference word.
_UNKNOWN = -1


class FastTER(TER):
    """sacrebleu's ``TER`` metric (same settings, signature and statistics), computed by
    :func:`translation_edit_rate`."""

    def _compute_segment_statistics(self, hypothesis: str, ref_kwargs: dict[str, Any]) -> list[float]:
        # sacrebleu's own method, with its edit rate swapped for ours: the best of the references' edits
        # and their average length, summed in the same order so that the floats are the same.
        ref_lengths = 0
        best_num_edits = int(1e16)
        words_hyp = hypothesis.split()
        ref_words = ref_kwargs["ref_words"]
        for words_ref in ref_words:
            num_edits, ref_len = translation_edit_rate(words_hyp, words_ref)
            ref_lengths += ref_len
            best_num_edits = min(best_num_edits, num_edits)
        return [best_num_edits, ref_lengths / len(ref_words)]


def translation_edit_rate(words_hyp: Sequence[str], words_ref: Sequence[str]) -> tuple[int, int]:
    """``(number of edits, reference length)``, as ``sacrebleu.metrics.lib_ter.translation_edit_rate``."""
    if not words_ref:
        return len(words_hyp), 0
    ref = _Reference(words_ref)
    hyp = [ref.ids.get(word, _UNKNOWN) for word in words_hyp]
    beam = _Beam(len(hyp), ref.length)
    rows = beam.matrix(hyp, ref)
    shifts = checked = 0
    while True:
        # shift while a shift lowers the edit distance, as sacrebleu does (and stop as it does, without
        # the last round's shift, once the candidates tried reach the limit)
        best, checked = _best_shift(hyp, rows, ref, beam, checked)
        if checked >= _MAX_SHIFT_CANDIDATES or best is None or best.reduction <= 0:
            return shifts + int(rows[len(hyp), ref.length]), len(words_ref)
        shifts += 1
        hyp = best.words
        rows = beam.matrix(hyp, ref, rows, best.start)


class _Shift(NamedTuple):
    """A candidate shift: the hypothesis it makes, the first word it moves, how much it lowers the distance."""

    words: list[int]
    start: int
    reduction: int


class _Reference:
    """A reference as the distance computation needs it: word ids, where each word occurs, substitution costs."""

    def __init__(self, words: Sequence[str]) -> None:
        import numpy as np

        self.ids: dict[str, int] = {word: k for k, word in enumerate(dict.fromkeys(words))}
        self.words = [self.ids[word] for word in words]
        self.length = len(words)
        self.positions: dict[int, list[int]] = {}
        for j, word in enumerate(self.words):
            self.positions.setdefault(word, []).append(j)
        # cost[k, j]: substituting reference word j by a hypothesis word of id k (the last row: an unknown word)
        cost = np.ones((len(self.ids) + 1, self.length), dtype=np.int64)
        cost[self.words, np.arange(self.length)] = 0
        self.cost = cost


def _best_shift(
    hyp: list[int], rows: np.ndarray, ref: _Reference, beam: _Beam, checked: int
) -> tuple[_Shift | None, int]:
    """sacrebleu's ``_shift``: the shift of ``hyp`` (distance matrix ``rows``) that lowers the distance most,
    if there is any candidate, and the number of candidates checked so far."""
    distance = int(rows[len(hyp), ref.length])
    # The alignment is read from the flipped trace, as sacrebleu reads it.
    align, ref_err, hyp_err = trace_to_alignment(_flip_trace(_trace(rows, hyp, ref, beam)))
    candidates: list[tuple[int, int, int, list[int]]] = []  # (length, start_h, target, shifted words)
    for start_h, start_r, length in _shifted_pairs(hyp, ref):
        if not any(hyp_err[start_h : start_h + length]) or not any(ref_err[start_r : start_r + length]):
            continue  # shift only where the hypothesis is wrong and the reference is not matched there
        if start_h <= align[start_r] < start_h + length:
            continue  # not within the phrase itself
        previous = -1
        for offset in range(-1, length):
            if start_r + offset == -1:
                target = 0
            elif start_r + offset in align:
                target = align[start_r + offset] + 1
            else:
                break
            if target == previous:
                continue
            previous = target
            candidates.append((length, start_h, target, _perform_shift(hyp, start_h, length, target)))
            checked += 1
        if checked >= _MAX_SHIFT_CANDIDATES:
            break
    if not candidates:
        return None, checked
    distances = beam.distances(rows, candidates, ref)
    # sacrebleu's ranking: largest reduction, then longest phrase, earliest phrase, earliest target; the
    # first of equals, as max() keeps it (equal keys are the same shift anyway)
    keys = [
        (distance - int(other), length, -start_h, -target)
        for (length, start_h, target, _), other in zip(candidates, distances, strict=True)
    ]
    best = max(range(len(keys)), key=keys.__getitem__)
    length, start_h, target, shifted = candidates[best]
    return _Shift(shifted, min(start_h, target), keys[best][0]), checked


def _shifted_pairs(hyp: Sequence[int], ref: _Reference) -> Iterator[tuple[int, int, int]]:
    """sacrebleu's ``_find_shifted_pairs``, in its order: ``(start_h, start_r, length)`` of every common
    phrase (up to 10 words, starts at most 50 apart). Only reference positions holding the hypothesis
    word are visited: the others yield nothing."""
    n_h, n_r, words_r = len(hyp), ref.length, ref.words
    for start_h, word in enumerate(hyp):
        for start_r in ref.positions.get(word, ()):
            if abs(start_r - start_h) > _MAX_SHIFT_DIST:
                continue
            length = 0
            while hyp[start_h + length] == words_r[start_r + length] and length < _MAX_SHIFT_SIZE:
                length += 1
                yield start_h, start_r, length
                if n_h == start_h + length or n_r == start_r + length:
                    break


class _Beam:
    """sacrebleu's ``BeamEditDistance`` for hypotheses of one length: which cells of each row are computed."""

    def __init__(self, n_hyp: int, n_ref: int) -> None:
        import numpy as np

        self.n_hyp, self.n_ref = n_hyp, n_ref
        ratio = n_ref / n_hyp if n_hyp else 1
        # the beam widens for very unequal lengths, so that consecutive rows still overlap
        width = math.ceil(ratio / 2 + _BEAM_WIDTH) if ratio / 2 > _BEAM_WIDTH else _BEAM_WIDTH
        self.bounds = [(0, n_ref + 1)]  # row 0, the reference's insertions, is complete
        for i in range(1, n_hyp + 1):
            diagonal = math.floor(i * ratio)
            high = n_ref + 1 if i == n_hyp else min(n_ref + 1, diagonal + width)
            self.bounds.append((max(0, diagonal - width), high))
        # the column numbers of each row's cells after the first column, made once for every step
        self.columns = [np.arange(max(low, 1), high) for low, high in self.bounds]

    def matrix(
        self, hyp: Sequence[int], ref: _Reference, known: np.ndarray | None = None, start: int = 0
    ) -> np.ndarray:
        """Every row of the distance matrix of ``hyp``; cells outside the beam are infinite. ``known``: the
        matrix of a hypothesis with the same first ``start`` words, whose rows up to ``start`` are kept."""
        import numpy as np

        if known is None:
            rows = np.full((self.n_hyp + 1, self.n_ref + 1), _INT_INFINITY, dtype=np.int64)
            rows[0] = np.arange(self.n_ref + 1)
            start = 0
        else:
            rows = known.copy()
        words = np.asarray(hyp, dtype=np.int64)
        for i in range(start + 1, self.n_hyp + 1):
            row = rows[i - 1 : i].copy()
            self._step(row, words[i - 1 : i], i, ref)
            rows[i] = row[0]
        return rows

    def distances(
        self, rows: np.ndarray, candidates: Sequence[tuple[int, int, int, list[int]]], ref: _Reference
    ) -> np.ndarray:
        """The edit distance of each candidate shift of the hypothesis whose matrix is ``rows``.

        A candidate starts from the hypothesis's row at its first moved word; candidates join the
        computation in order of that row, so each row is computed once for those already started."""
        import numpy as np

        starts = np.array([min(start_h, target) for _, start_h, target, _ in candidates])
        order = np.argsort(starts, kind="stable")
        words = np.array([candidates[c][3] for c in order], dtype=np.int64)
        starts = starts[order]
        current = np.empty((len(candidates), self.n_ref + 1), dtype=np.int64)
        started = 0
        for i in range(int(starts[0]) + 1, self.n_hyp + 1):
            joining = int(np.searchsorted(starts, i - 1, side="right"))
            current[started:joining] = rows[i - 1]
            started = joining
            self._step(current[:started], words[:started, i - 1], i, ref)
        out = np.empty(len(candidates), dtype=np.int64)
        out[order] = current[:, self.n_ref]
        return out

    def _step(self, row: np.ndarray, words: np.ndarray, i: int, ref: _Reference) -> None:
        """Row ``i - 1`` of each hypothesis into row ``i``, in place; ``words[c]``: hypothesis c's word i.

        A cell is the least of substitution (or match), deletion and insertion, never above infinity;
        insertions chain along the row, so a running minimum of ``distance - j`` gives them all at once."""
        import numpy as np

        low, high = self.bounds[i]
        previous_low, previous_high = self.bounds[i - 1]
        columns = self.columns[i]
        first = max(low, 1)
        chain = np.empty((len(row), high - first + 1), dtype=np.int64)
        best = chain[:, 1:]
        # substitution or deletion, from row i - 1 (read before the row is overwritten)
        np.add(row[:, first - 1 : high - 1], ref.cost[words, first - 1 : high - 1], out=best)
        np.minimum(best, row[:, first:high] + 1, out=best)
        np.minimum(best, _INT_INFINITY, out=best)
        best -= columns
        if low == 0:
            row[:, 0] += 1  # the first column: deletions only, as sacrebleu computes it (no cap)
            chain[:, 0] = row[:, 0]
        else:
            chain[:, 0] = _INT_INFINITY - (first - 1)  # the cell before the beam
        np.minimum.accumulate(chain, axis=1, out=chain)
        np.add(chain[:, 1:], columns, out=row[:, first:high])
        # the beam only moves right: cells it left, and (after the complete row 0) cells beyond it, are infinite
        row[:, previous_low:low] = _INT_INFINITY
        row[:, high:previous_high] = _INT_INFINITY


def _trace(rows: np.ndarray, hyp: Sequence[int], ref: _Reference, beam: _Beam) -> str:
    """sacrebleu's trace of edit operations (``' '``, ``'s'``, ``'i'``, ``'d'``), read back from the
    distances along the path only: at each cell, the first of substitution, deletion and insertion
    that gives its distance (sacrebleu keeps the first of equal costs in that order)."""
    ops: list[str] = []
    i, j = len(hyp), ref.length
    while i > 0 or j > 0:
        low, high = beam.bounds[i]
        value = int(rows[i, j])
        if i == 0:
            op = "i"
        elif not low <= j < high or (j > 0 and value >= _INT_INFINITY):
            raise StageError(f"TER: no edit path through row {i}, column {j} (sacrebleu fails here too)")
        elif j == 0:
            op = "d"
        else:
            match = hyp[i - 1] == ref.words[j - 1]
            if int(rows[i - 1, j - 1]) + (0 if match else 1) == value:
                op = " " if match else "s"
            elif int(rows[i - 1, j]) + 1 == value:
                op = "d"
            else:
                op = "i"
        ops.append(op)
        if op in " sd":
            i -= 1
        if op in " si":
            j -= 1
    return "".join(reversed(ops))
