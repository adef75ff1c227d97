"""Sentence vectors for the aligner: TF-IDF weighted character trigrams and words of English text.

Machine translations and reference sentences are compared in one feature space: lower-cased
word tokens, and character trigrams of the tokens joined by single spaces (so ``Bao-yu`` and
``Baoyu`` share most trigrams, and word starts and ends count). Term frequencies are damped
(``1 + log tf``) and weighted by inverse document frequency over the sentences of *this*
document, both sides together, so the names and words that recur everywhere in a text weigh
little and the rare ones that pin a sentence down weigh much.

Vectors of merged sentences are sums of their rows, so every similarity the aligner needs
comes from dot products of single sentences (see :mod:`pipeline.align.band`). Extraction is
vectorised: all trigrams of a document come from one NumPy array of code points.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WORD = re.compile(r"\w+")
#: Code points are below 2**21, so three of them pack into one int64 trigram key.
_SHIFT = 21


@dataclass(frozen=True, slots=True)
class SparseRows:
    """Rows of a sparse matrix in CSR form; ``indices`` are sorted within each row."""

    indptr: np.ndarray  # int64, rows + 1
    indices: np.ndarray  # int64 feature columns
    data: np.ndarray  # float32 weights

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def norms(self) -> np.ndarray:
        """Euclidean norm of every row (float64)."""
        squares = np.zeros(len(self))
        rows = np.repeat(np.arange(len(self)), np.diff(self.indptr))
        np.add.at(squares, rows, self.data.astype(np.float64) ** 2)
        return np.sqrt(squares)

    def part(self, start: int, stop: int) -> SparseRows:
        """Rows ``start..stop-1`` as a matrix of their own."""
        lo, hi = self.indptr[start], self.indptr[stop]
        return SparseRows(self.indptr[start : stop + 1] - lo, self.indices[lo:hi], self.data[lo:hi])

    def slice(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row offsets from ``start``, columns, weights) of the entries of rows ``start..stop-1``."""
        lo, hi = self.indptr[start], self.indptr[stop]
        rows = np.repeat(np.arange(stop - start), np.diff(self.indptr[start : stop + 1]))
        return rows, self.indices[lo:hi], self.data[lo:hi]


def normalise(text: str) -> str:
    """Lower-cased word tokens joined by single spaces, with a space at each end.

    A text without any word (``... ...``, a row of dashes) keeps its NFKC-normalised marks
    instead, so that such a line can still find its counterpart (``…… ……`` -> ``......``).
    """
    words = WORD.findall(text.lower())
    if not words:
        words = unicodedata.normalize("NFKC", text).split()
    return " " + " ".join(words) + " "


def _trigram_keys(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every character trigram of the normalised texts (keys >= 0)."""
    if not texts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    joined = "\0".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    row_of = np.cumsum(codes == 0)  # separators count the rows
    if len(codes) < 3:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    keys = (codes[:-2] << (2 * _SHIFT)) | (codes[1:-1] << _SHIFT) | codes[2:]
    inside = (codes[:-2] != 0) & (codes[1:-1] != 0) & (codes[2:] != 0)
    return row_of[:-2][inside], keys[inside]


def _word_keys(tokens: Sequence[list[str]], vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every word; words get negative keys so they never meet a trigram key."""
    rows: list[int] = []
    keys: list[int] = []
    for row, words in enumerate(tokens):
        for word in words:
            rows.append(row)
            keys.append(-1 - vocabulary.setdefault(word, len(vocabulary)))
    return np.asarray(rows, np.int64), np.asarray(keys, np.int64)


class FeatureSpace:
    """The features and IDF weights of one document; turns texts into weighted sparse rows.

    Fitted on all sentences of the document (translations and references), whose rows it keeps
    in :attr:`rows`; texts transformed later (a re-translation of merged sentences) reuse its
    weights, and features it has never seen count in their own norm only, at the highest IDF.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self._words: dict[str, int] = {}
        rows, keys = self._keys(texts)
        self.keys, columns = distinct_inverse(keys)
        rows, columns, tf = _counts(rows, columns.astype(np.int64))
        df = np.bincount(columns, minlength=len(self.keys))
        self.idf = (np.log((len(texts) + 1) / (df + 1)) + 1.0).astype(np.float32)
        self.unseen_idf = np.float32(np.log(len(texts) + 1) + 1.0)
        self.rows = self._weighted(rows, columns, tf, len(texts))

    def _keys(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        normal = [normalise(t) for t in texts]
        trigram_rows, trigram_keys = _trigram_keys(normal)
        word_rows, word_keys = _word_keys([t.split() for t in normal], self._words)
        return np.concatenate([trigram_rows, word_rows]), np.concatenate([trigram_keys, word_keys])

    def transform(self, texts: Sequence[str]) -> SparseRows:
        """Weighted rows, one per text; unseen features get fresh columns past the vocabulary."""
        rows, keys = self._keys(texts)
        columns = np.searchsorted(self.keys, keys)
        known = columns < len(self.keys)
        known[known] = self.keys[columns[known]] == keys[known]
        if not known.all():
            # Distinct per (row, key), so they add to a row's norm and never to a dot product.
            pairs = np.stack([rows[~known], keys[~known]], axis=1)
            _, fresh = np.unique(pairs, axis=0, return_inverse=True)
            columns[~known] = len(self.keys) + fresh.ravel()
        return self._weighted(*_counts(rows, columns), len(texts))

    def _weighted(self, rows: np.ndarray, columns: np.ndarray, tf: np.ndarray, count: int) -> SparseRows:
        """CSR rows of ``(1 + log tf) * idf`` from sorted, distinct (row, column) pairs."""
        known = columns < len(self.keys)
        idf = np.full(len(columns), self.unseen_idf, np.float32)
        idf[known] = self.idf[columns[known]]
        data = ((1.0 + np.log(tf)) * idf).astype(np.float32)
        indptr = np.zeros(count + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=count), out=indptr[1:])
        return SparseRows(indptr, columns, data)


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array (by sorting: NumPy 2's hash-based ``np.unique`` is
    many times slower on the millions of keys a long document has)."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def distinct_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`distinct`, and each value's index into it."""
    order = np.argsort(values)
    ordered = values[order]
    first = np.ones(len(ordered), bool)
    first[1:] = ordered[1:] != ordered[:-1]
    inverse = np.empty(len(values), np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def _counts(rows: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (row, column) pairs, sorted, with how often each occurs."""
    order = np.lexsort((columns, rows))
    rows, columns = rows[order], columns[order]
    first = np.ones(len(rows), bool)
    first[1:] = (rows[1:] != rows[:-1]) | (columns[1:] != columns[:-1])
    starts = np.flatnonzero(first)
    return rows[starts], columns[starts], np.diff(np.append(starts, len(rows)))


ZH_QUOTE_OPEN = "“「『‘"
ZH_QUOTE_CLOSE = '”」』’"'
EN_QUOTE = "'\"“”‘’"


def ends_quotation_zh(text: str) -> bool:
    """A Chinese sentence whose last character closes a quotation."""
    stripped = text.rstrip()
    return bool(stripped) and stripped[-1] in ZH_QUOTE_CLOSE


def ends_quotation_en(text: str) -> bool:
    """An English sentence whose last character is a quote mark."""
    stripped = text.rstrip()
    return bool(stripped) and stripped[-1] in EN_QUOTE


_OPENING_EN = re.compile(r"""(?:^|(?<=[\s:(\[—–-]))["'“‘](?=\S)""")


def quotation_opens_en(text: str) -> int:
    """How many quotations an English sentence opens: quote marks at its start or after a space,
    colon, bracket or dash, before a non-space (the apostrophe in ``Let's`` is not one)."""
    return len(_OPENING_EN.findall(text.strip()))


def quotation_opens_zh(text: str) -> int:
    """How many quotations a Chinese sentence opens."""
    return sum(text.count(mark) for mark in ZH_QUOTE_OPEN)


def zh_length(text: str) -> int:
    """Characters without white space: what the Chinese side of the length model counts."""
    return sum(1 for ch in text if not ch.isspace())
