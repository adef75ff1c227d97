"""``pipeline score``: existing system outputs scored against one or several references, no translating.

Files are line-aligned plain text, read as the sacrebleu command line reads them (lines end at
``\\n``, trailing white space is dropped): line *i* of every ``--hyp`` and every ``--ref`` file is
segment *i*. Each ``--hyp`` file is one system, named by its file stem; all ``--ref`` files
together are the references (``nrefs`` in the signatures). Files that disagree in line count are
refused with every file's count: nothing is scored against the shorter file.

``--docs`` gives the document of each segment, so that every system is also scored per document
(each document as a corpus of its own segments). With two or more systems, sacrebleu's paired
significance tests, when asked for, compare every system with the first one given
(:mod:`pipeline.score.significance`).

The metrics are those of :class:`~pipeline.config.SacrebleuSettings` (BLEU and chrF unless asked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import SacrebleuSettings
from pipeline.errors import InputError
from pipeline.ingest.base import read_lines
from pipeline.records import MetricScore
from pipeline.score.metrics import CorpusScorer, Statistics, score_json
from pipeline.score.progress import Progress
from pipeline.score.significance import TEST_NAMES, PairedTestResult, TestName, paired_test


@dataclass(frozen=True, slots=True)
class SystemScores:
    """One system's corpus scores and, when documents are known, its score per document."""

    name: str
    path: str
    corpus: tuple[MetricScore, ...]
    documents: dict[str, tuple[MetricScore, ...]]


@dataclass(frozen=True, slots=True)
class Evaluation:
    references: tuple[str, ...]
    segments: int
    documents: dict[str, int]  # document id -> number of segments, in order of first appearance
    systems: tuple[SystemScores, ...]
    tests: tuple[PairedTestResult, ...]


def read_documents(path: Path, encoding: str = "utf-8") -> list[str]:
    """Document id of each segment: a TSV with a header naming a ``doc_id`` column (WMT's ``docs.tsv``:
    ``line, doc_id, seg_id``), or one id a line without header. A ``line`` column must count 1, 2, 3..."""
    rows = [line.split("\t") for line in read_lines(path, encoding)]
    if not rows or "doc_id" not in rows[0]:
        return [row[0] for row in rows]
    header, body = rows[0], rows[1:]
    column = header.index("doc_id")
    line_column = header.index("line") if "line" in header else None
    ids: list[str] = []
    for number, row in enumerate(body, start=2):
        if len(row) > len(header) or len(row) <= max(column, line_column or 0):
            raise InputError(f"{path}, line {number}: {len(row)} fields, the header has {len(header)}")
        if line_column is not None and row[line_column] != str(number - 1):
            raise InputError(f"{path}, line {number}: column 'line' is {row[line_column]!r}, expected {number - 1}")
        ids.append(row[column])
    return ids


def system_names(paths: Sequence[Path]) -> list[str]:
    """File stems (``systems/NiuTrans.en`` -> ``NiuTrans``), refusing two systems of the same name."""
    names: dict[str, Path] = {}
    for path in paths:
        if path.stem in names:
            raise InputError(f"--hyp {names[path.stem]} and {path} are both named {path.stem!r}; rename one")
        names[path.stem] = path
    return list(names)


def check_line_counts(files: dict[str, int]) -> None:
    """Refuse files of different lengths, naming each file and its count."""
    if len(set(files.values())) > 1:
        listing = "; ".join(f"{name}: {count} lines" for name, count in files.items())
        raise InputError(f"line counts differ ({listing}); every file needs one line per segment")
    if not any(files.values()):
        raise InputError(f"nothing to score: {', '.join(files)} {'is' if len(files) == 1 else 'are'} empty")


def evaluate(
    hyp_paths: Sequence[Path],
    ref_paths: Sequence[Path],
    docs_path: Path | None = None,
    settings: SacrebleuSettings | None = None,
    tests: Sequence[TestName] = (),
    samples: int = 0,
    progress: bool = False,
) -> Evaluation:
    """Score every system file against all reference files; ``tests`` (none unless asked) run when there
    are two systems or more. ``progress`` draws bars on standard error (the caller checks it is a terminal)."""
    settings = settings or SacrebleuSettings()
    names = system_names(hyp_paths)
    hyps = [read_lines(p) for p in hyp_paths]
    refs = [read_lines(p) for p in ref_paths]
    doc_ids = read_documents(docs_path) if docs_path is not None else None
    counts = {f"--ref {p}": len(r) for p, r in zip(ref_paths, refs, strict=True)}
    counts |= {f"--hyp {p}": len(h) for p, h in zip(hyp_paths, hyps, strict=True)}
    if docs_path is not None and doc_ids is not None:
        counts[f"--docs {docs_path}"] = len(doc_ids)
    check_line_counts(counts)
    documents: dict[str, list[int]] = {}
    for index, doc_id in enumerate(doc_ids or []):
        documents.setdefault(doc_id, []).append(index)
    scorer = CorpusScorer(settings, refs)
    systems, stats = _score_systems(scorer, names, hyp_paths, hyps, documents, progress)
    named = list(zip(names, stats, strict=True))
    results = tuple(paired_test(named, t, samples, progress) for t in tests) if len(named) > 1 else ()
    return Evaluation(
        references=tuple(str(p) for p in ref_paths),
        segments=len(refs[0]),
        documents={doc_id: len(indices) for doc_id, indices in documents.items()},
        systems=systems,
        tests=results,
    )


def _score_systems(
    scorer: CorpusScorer,
    names: Sequence[str],
    paths: Sequence[Path],
    hyps: Sequence[Sequence[str]],
    documents: dict[str, list[int]],
    progress: bool,
) -> tuple[tuple[SystemScores, ...], list[list[Statistics]]]:
    """Each system's scores, and the statistics they came from (for the paired tests)."""
    steps = len(hyps) * scorer.n_segments * len(scorer.metrics)
    systems: list[SystemScores] = []
    stats: list[list[Statistics]] = []
    with Progress(steps, "score", "seg", progress) as bar:
        for name, path, lines in zip(names, paths, hyps, strict=True):
            own = scorer.statistics(lines, bar.labelled(name) if progress else None)
            systems.append(SystemScores(name, str(path), scorer.corpus(own), scorer.groups(own, documents)))
            stats.append(own)
    return tuple(systems), stats


# ---------------------------------------------------------------------------------------------
# output


def to_json(evaluation: Evaluation) -> dict[str, Any]:
    """Every system's scores with their signatures and confidence intervals, documents and tests."""
    return {
        "references": list(evaluation.references),
        "segments": evaluation.segments,
        "systems": [_system_json(s, evaluation.documents) for s in evaluation.systems],
        "significance": [_test_json(t) for t in evaluation.tests],
    }


def _system_json(system: SystemScores, documents: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": system.name, "file": system.path, "scores": [score_json(m) for m in system.corpus]}
    if documents:
        first = next(iter(system.documents.values()))
        out["document_signatures"] = {m.name: m.signature for m in first}
        out["documents"] = [
            {"id": doc_id, "segments": n, "scores": {m.name: m.score for m in system.documents[doc_id]}}
            for doc_id, n in documents.items()
        ]
    return out


def _test_json(result: PairedTestResult) -> dict[str, Any]:
    return {
        "test": result.test,
        "name": TEST_NAMES[result.test],
        "samples": result.samples,
        "baseline": result.baseline,
        "signatures": result.signatures,
        "results": [
            {
                "system": r.system,
                "metric": r.metric,
                "score": r.score,
                "p_value": r.p_value,
                "mean": r.mean,
                "half_width": r.half_width,
            }
            for r in result.results
        ],
    }


def format_text(evaluation: Evaluation, alpha: float = 0.05) -> str:
    """What ``pipeline score`` prints: each score as sacrebleu prints it, the tests, the documents."""
    lines = [
        f"{evaluation.segments} segments; references: {', '.join(evaluation.references)}"
        + (f"; {len(evaluation.documents)} documents" if evaluation.documents else "")
    ]
    for system in evaluation.systems:
        lines.append("")
        lines.append(system.name)
        lines.extend(f"  {m.text}" for m in system.corpus)
    for result in evaluation.tests:
        lines.extend(["", *_test_table(result, alpha)])
    if evaluation.documents:
        lines.extend(["", *_document_table(evaluation)])
    return "\n".join(lines)


def _test_table(result: PairedTestResult, alpha: float) -> list[str]:
    metrics = list(result.signatures)
    rows: dict[str, dict[str, str]] = {}
    for r in result.results:
        cell = f"{r.score:.2f}"
        if r.p_value is not None:
            cell += f" (p = {r.p_value:.4f}){'*' if r.p_value < alpha else ''}"
        rows.setdefault(r.system, {})[r.metric] = cell
    width = max(len(name) for name in rows)
    lines = [f"{TEST_NAMES[result.test]} ({result.samples} samples) against the baseline {result.baseline}:"]
    lines.append("  " + "system".ljust(width) + "".join(f"  {m:<22}" for m in metrics))
    for name, cells in rows.items():
        lines.append("  " + name.ljust(width) + "".join(f"  {cells[m]:<22}" for m in metrics))
    lines.append(f"  * p < {alpha}: the difference from the baseline is unlikely to be chance")
    lines.extend(f"  {m}: {sig}" for m, sig in result.signatures.items())
    return lines


def _document_table(evaluation: Evaluation) -> list[str]:
    metrics = [m.name for m in evaluation.systems[0].corpus]
    lines = ["per document (tab-separated):", "\t".join(["doc_id", "segments", "system", *metrics])]
    for doc_id, n in evaluation.documents.items():
        for system in evaluation.systems:
            scores = [f"{m.score:.2f}" for m in system.documents[doc_id]]
            lines.append("\t".join([doc_id, str(n), system.name, *scores]))
    return lines
