"""``report.json``: scores with their signatures, counts, warnings and timings of one run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pipeline.records import AlignedDocument, Document, ScoreResult
from pipeline.translate.flags import CLAUSE_SPLIT, REPETITION, RETRIED, UNRESOLVED, WINDOWED

if TYPE_CHECKING:
    from pipeline.runner import Backends


def _link_types(docs: Sequence[AlignedDocument]) -> dict[str, int]:
    counts = Counter(link.type for doc in docs for link in doc.links if doc.references is not None)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _document_rows(documents: Sequence[Document], aligned: Sequence[AlignedDocument]) -> list[dict[str, Any]]:
    rows = []
    for doc, out in zip(documents, aligned, strict=True):
        rows.append(
            {
                "id": doc.id,
                "source": doc.source_path,
                "reference": doc.reference_path,
                "paragraphs": {"zh": len(doc.source), "en": len(doc.reference or ())},
                "sentences": {"zh": len(out.sources), "en": len(out.references or ())},
                "links": len(out.links),
            }
        )
    return rows


def _translation_notes(flags: Mapping[str, int]) -> list[str]:
    """What the translator had to do that a reader of the TSV should know about (see the ``flags`` column)."""
    notes = []
    if flags.get(CLAUSE_SPLIT) or flags.get(WINDOWED):
        notes.append(
            f"{flags.get(CLAUSE_SPLIT, 0)} sentences longer than the model's input limit were translated in clauses "
            f"and {flags.get(WINDOWED, 0)} in windows (flags {CLAUSE_SPLIT}, {WINDOWED}); none was truncated"
        )
    if flags.get(REPETITION):
        notes.append(
            f"{flags[REPETITION]} translations looked like loops (flag {REPETITION}); {flags.get(RETRIED, 0)} were "
            f"translated again, {flags.get(UNRESOLVED, 0)} of them still implausible (flag {UNRESOLVED})"
        )
    return notes


def _warnings(documents: Sequence[Document], backends: Backends) -> list[str]:
    notes = list(backends.reader.warnings)
    model = backends.translator.describe().get("model") or {}
    if model.get("tiny_random_model"):
        notes.append(
            f"the translation model {model.get('requested')} is the tiny random-weight test model: "
            "its translations are nonsense and so are the scores"
        )
    notes.extend(_translation_notes(backends.translator.stats.flags))
    notes.extend(
        f"{doc.source_path}: no reference; translated and exported, not scored"
        for doc in documents
        if doc.reference is None
    )
    return notes


def build_report(
    run_name: str,
    documents: Sequence[Document],
    aligned: Sequence[AlignedDocument],
    scores: ScoreResult,
    backends: Backends,
    timings: Mapping[str, float],
) -> dict[str, Any]:
    stats = backends.translator.stats
    return {
        "run": run_name,
        "warnings": _warnings(documents, backends),
        "scores": [
            {"metric": m.name, "score": m.score, "signature": m.signature, "text": m.text} for m in scores.corpus
        ],
        "counts": {
            "documents": len(documents),
            "documents_with_reference": sum(1 for d in documents if d.reference is not None),
            "sentences": {
                "zh": sum(len(d.sources) for d in aligned),
                "en": sum(len(d.references or ()) for d in aligned),
            },
            "links": sum(len(d.links) for d in aligned),
            "link_types": _link_types(aligned),
            "scored_links": scores.scored_links,
            "unscored_links": scores.skipped_links,
        },
        "translation": {
            "sentences": stats.sentences,
            "empty": stats.empty,
            "batches": stats.batches,
            "passthrough": stats.passthrough,
            "duplicates": stats.duplicates,
            "cache_hits": stats.cache_hits,
            "segments_translated": stats.segments,
            "source_tokens": stats.source_tokens,
            "retried": stats.retried,
            "flags": dict(sorted(stats.flags.items())),
            "seconds": round(stats.seconds, 3),
            "sentences_per_second": round(stats.sentences_per_second, 2),
        },
        "signatures": backends.signatures(),
        "documents": _document_rows(documents, aligned),
        "timings_seconds": dict(timings),
    }
