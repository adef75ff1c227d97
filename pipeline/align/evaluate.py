"""Alignment files and their evaluation: strict and lax precision, recall and F1.

Files use Vecalign's format, one link a line, 0-based sentence ids, source ids then reference
ids, optionally a score: ``[0, 1]:[0]:0.93``; an empty list is an insertion or deletion.

The measures are those of Vecalign's ``score.py`` (and Bertalign's identical ``eval.py``),
reproduced exactly, counts summed over all documents before dividing:

* **strict precision**: test links (as a set, ``[]:[]`` ignored) that are gold links;
* **strict recall**: gold links with both sides that are test links with both sides; links
  empty on one side are ignored for recall;
* **lax**: a test link that is not a gold link still counts as found when some gold link shares
  a source sentence with it and one of that gold link's reference sentences is in it
  (recall: the same with gold and test swapped);
* F1 is the harmonic mean; any ratio with a zero denominator is 0.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.align.base import Bead
from pipeline.errors import InputError

LinkIds = tuple[tuple[int, ...], tuple[int, ...]]


def format_link(bead: Bead) -> str:
    """``[i, j]:[k]:score`` as Vecalign writes it."""
    return f"{list(bead.src)}:{list(bead.ref)}:{bead.score:.6f}"


def parse_link(line: str, where: str) -> LinkIds:
    """One ``[i, ...]:[k, ...][:score]`` line; ``where`` names the file and line for errors."""
    fields = [f.strip() for f in line.split(":") if f.strip()]
    if len(fields) < 2:
        raise InputError(f"{where}: expected '[source ids]:[reference ids]', got {line.strip()!r}")
    sides = []
    for text in fields[:2]:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise InputError(f"{where}: cannot read {text!r} as a list of sentence ids") from None
        if not isinstance(value, list) or not all(isinstance(v, int) and v >= 0 for v in value):
            raise InputError(f"{where}: {text!r} is not a list of non-negative sentence ids")
        sides.append(tuple(value))
    return sides[0], sides[1]


def read_links(path: Path) -> list[LinkIds]:
    """The links of an alignment file, in file order (blank lines skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"alignment file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    return [parse_link(line, f"{path}:{number}") for number, line in enumerate(text.splitlines(), 1) if line.strip()]


def _counts(gold: Iterable[LinkIds], test: Iterable[LinkIds]) -> tuple[int, int, int, int]:
    """(strict hits, strict misses, lax hits, lax misses) of ``test`` against ``gold`` (Vecalign's ``_precision``)."""
    test_set = {link for link in test if link[0] or link[1]}
    gold_set = {link for link in gold if link[0] or link[1]}
    targets: dict[int, set[int]] = defaultdict(set)
    for src, ref in gold_set:
        for i in src:
            targets[i].update(ref)
    strict_hit = strict_miss = lax_hit = lax_miss = 0
    for src, ref in test_set:
        if (src, ref) in gold_set:
            strict_hit += 1
            lax_hit += 1
            continue
        strict_miss += 1
        reachable = set().union(*(targets[i] for i in src)) if src else set()
        if reachable.intersection(ref):
            lax_hit += 1
        else:
            lax_miss += 1
    return strict_hit, strict_miss, lax_hit, lax_miss


@dataclass(frozen=True)
class Scores:
    """Strict and lax precision, recall and F1 (Vecalign's definitions)."""

    precision_strict: float
    recall_strict: float
    f1_strict: float
    precision_lax: float
    recall_lax: float
    f1_lax: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 6) for k, v in vars(self).items()}


def _ratio(hit: int, miss: int) -> float:
    return hit / (hit + miss) if hit + miss else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_documents(golds: Sequence[Sequence[LinkIds]], tests: Sequence[Sequence[LinkIds]]) -> Scores:
    """Scores over documents, counts summed first (as Vecalign's ``score_multiple``)."""
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    for gold, test in zip(golds, tests, strict=True):
        p = [x + y for x, y in zip(p, _counts(gold, test), strict=True)]
        # recall is precision with gold and test swapped, one-sided links left out
        both_test = [link for link in test if link[0] and link[1]]
        both_gold = [link for link in gold if link[0] and link[1]]
        r = [x + y for x, y in zip(r, _counts(both_test, both_gold), strict=True)]
    ps, rs, pl, rl = _ratio(p[0], p[1]), _ratio(r[0], r[1]), _ratio(p[2], p[3]), _ratio(r[2], r[3])
    return Scores(ps, rs, _f1(ps, rs), pl, rl, _f1(pl, rl))


def gold_files(folder: Path) -> dict[str, Path]:
    """``NNN`` -> gold file, for ``NNN.gold.align`` (preferred) or ``NNN.align`` in ``folder``."""
    found: dict[str, Path] = {}
    for path in sorted(folder.glob("*.align")):
        stem = path.name.removesuffix(".align").removesuffix(".gold")
        if path.name.endswith(".gold.align") or stem not in found:
            found[stem] = path
    return found


def pair_folders(gold_dir: Path, test_dir: Path) -> list[tuple[str, Path, Path]]:
    """(name, gold file, test file) for every gold document; a missing test file is an error."""
    for folder in (gold_dir, test_dir):
        if not folder.is_dir():
            raise InputError(f"not a folder: {folder}")
    golds = gold_files(gold_dir)
    if not golds:
        raise InputError(f"{gold_dir}: no gold files (NNN.gold.align or NNN.align)")
    missing = [name for name in golds if not (test_dir / f"{name}.align").is_file()]
    if missing:
        raise InputError(f"{test_dir}: no test alignment for {', '.join(missing)} (expected NNN.align files)")
    return [(name, path, test_dir / f"{name}.align") for name, path in golds.items()]


@dataclass(frozen=True)
class DocumentScore:
    document: str
    gold_links: int
    test_links: int
    scores: Scores


@dataclass(frozen=True)
class Evaluation:
    """Scores per document and over all of them."""

    documents: list[DocumentScore]
    total: Scores

    def as_dict(self) -> dict[str, object]:
        return {
            "documents": [
                {"document": d.document, "gold_links": d.gold_links, "test_links": d.test_links, **d.scores.as_dict()}
                for d in self.documents
            ],
            "total": self.total.as_dict(),
        }


def evaluate_folders(gold_dir: Path, test_dir: Path) -> Evaluation:
    """Per-document and total scores of the ``NNN.align`` files in ``test_dir`` against ``gold_dir``."""
    documents = []
    golds, tests = [], []
    for name, gold_path, test_path in pair_folders(gold_dir, test_dir):
        gold, test = read_links(gold_path), read_links(test_path)
        golds.append(gold)
        tests.append(test)
        documents.append(DocumentScore(name, len(gold), len(test), score_documents([gold], [test])))
    return Evaluation(documents, score_documents(golds, tests))


def format_table(evaluation: Evaluation) -> str:
    """A plain-text table: one row per document, then the total."""
    header = (
        f"{'document':<12} {'gold':>5} {'test':>5}  {'P':>6} {'R':>6} {'F1':>6}  "
        f"{'P lax':>6} {'R lax':>6} {'F1 lax':>6}"
    )
    rule = "-" * len(header)

    def row(name: str, gold: int, test: int, s: Scores) -> str:
        return (
            f"{name:<12} {gold:>5} {test:>5}  {s.precision_strict:6.3f} {s.recall_strict:6.3f} {s.f1_strict:6.3f}  "
            f"{s.precision_lax:6.3f} {s.recall_lax:6.3f} {s.f1_lax:6.3f}"
        )

    lines = [header, rule]
    lines += [row(d.document, d.gold_links, d.test_links, d.scores) for d in evaluation.documents]
    gold = sum(d.gold_links for d in evaluation.documents)
    test = sum(d.test_links for d in evaluation.documents)
    lines += [rule, row("total", gold, test, evaluation.total)]
    return "\n".join(lines)
