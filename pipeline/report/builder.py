"""``report.json``, and the page beside it, built from a run's links one document at a time.

A report is assembled from two things: the links (one per aligned-TSV row, :class:`LinkRow`) and the
facts only the run knew (warnings, translation statistics, timings, input files: :class:`RunFacts`).
The links stream past one document at a time (:class:`ReportBuilder`): counts, document rows and the
page's sections accumulate as they come, and only what the report shows is kept (at most
``export.report_max_links`` flagged links and listed links; what is left out is counted in
``report.json``'s ``left_out``). So a run of any size is reported in bounded memory, apart from one row
per document.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.export.rows import LinkRow
from pipeline.io import AtomicFile
from pipeline.records import CorpusScores, MetricScore, ScoreResult
from pipeline.report.page import SCATTER_POINTS, ReportPage
from pipeline.score.metrics import score_json


@dataclass
class RunFacts:
    """What only the run knew; ``documents`` rows hold ids, input files and sentence counts."""

    run: str
    documents: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    translation: dict[str, Any] = field(default_factory=dict)
    signatures: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: corpus pairs and export filter counts (None when the run writes no corpus format)
    export: dict[str, Any] | None = None
    #: which signals the aligner used (its ``describe()``)
    alignment: dict[str, Any] | None = None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


class ReportBuilder:
    """The report of links given one document at a time, in the order of the run.

    Holds one row per document, counts, at most ``max_links`` flagged links (``report.json``'s
    ``flagged``) and, when given a ``page``, builds ``report.html`` alongside (:class:`ReportPage`).
    ``review_max_links`` is the run's review page limit, when it writes one, so the report can say how
    many links that page leaves out.
    """

    def __init__(self, max_links: int, page: ReportPage | None = None, review_max_links: int | None = None) -> None:
        self.max_links = max_links
        self.page = page
        self.review_max_links = review_max_links
        self.documents: list[dict[str, Any]] = []
        self.links = self.flagged_links = self.scatter_candidates = 0
        self.link_types: Counter[str] = Counter()
        self.flags: Counter[str] = Counter()
        self.flagged: list[dict[str, Any]] = []
        self.document_signatures: dict[str, str] | None = None

    def add_document(self, row: Mapping[str, Any], links: Sequence[LinkRow], scores: Sequence[MetricScore]) -> None:
        """``row``: the document's facts (id, files, sentence counts...); ``links``: all its links, in order."""
        confidences = [lk.align_score for lk in links if lk.align_score is not None]
        doc = dict(row)
        doc.update(
            {
                "scored_links": sum(1 for lk in links if lk.src_ids and lk.ref_ids),
                "flagged_links": sum(1 for lk in links if lk.flags),
                "mean_align_score": _mean(confidences),
                "scores": {m.name: m.score for m in scores},
            }
        )
        self.documents.append(doc)
        self.links += len(links)
        if row.get("has_reference"):
            self.link_types.update(lk.link_type for lk in links)
        for lk in links:
            if lk.flags:
                if self.flagged_links < self.max_links:
                    self.flagged.append({"doc_id": lk.doc_id, "link_id": lk.link_id, "flags": list(lk.flags)})
                self.flagged_links += 1
                self.flags.update(lk.flags)
            if lk.zh and lk.en and lk.align_score is not None:
                self.scatter_candidates += 1
        if self.document_signatures is None and scores:
            self.document_signatures = {m.name: m.signature for m in scores}
        if self.page is not None:
            self.page.add_document(doc["id"], doc["scores"], links)

    def left_out(self) -> dict[str, Any]:
        """What the report and the pages do not show, by count; empty when they show everything."""
        counts = {
            "flagged": self.flagged_links - self.max_links,
            "document_links": self.links - self.max_links,
            "scatter_points": self.scatter_candidates - SCATTER_POINTS,
        }
        if self.review_max_links is not None:
            counts["review_links"] = self.links - self.review_max_links
        shown = {name: n for name, n in counts.items() if n > 0}
        if not shown:
            return {}
        limits: dict[str, Any] = {"report_max_links": self.max_links, "scatter_points": SCATTER_POINTS}
        if self.review_max_links is not None:
            limits["review_max_links"] = self.review_max_links
        return {"every_link": "aligned.tsv", "limits": limits, **shown}

    def report(self, facts: RunFacts, scores: CorpusScores | ScoreResult) -> dict[str, Any]:
        """The report as a JSON-ready dict; its documents are the rows given here, the rest comes from ``facts``."""
        docs = self.documents
        left_out = self.left_out()
        return {
            "run": facts.run,
            "warnings": list(facts.warnings),
            "scores": [score_json(m) for m in scores.corpus],
            "counts": {
                "documents": len(docs),
                "documents_with_reference": sum(1 for d in docs if d.get("has_reference")),
                "sentences": {
                    "zh": sum(d["sentences"]["zh"] for d in docs),
                    "en": sum(d["sentences"]["en"] for d in docs),
                },
                "links": self.links,
                "link_types": dict(sorted(self.link_types.items(), key=lambda kv: (-kv[1], kv[0]))),
                "scored_links": scores.scored_links,
                "unscored_links": scores.skipped_links,
                "flagged_links": self.flagged_links,
                "flags": dict(self.flags.most_common()),
            },
            "flagged": self.flagged,
            **({"left_out": left_out} if left_out else {}),
            "translation": dict(facts.translation),
            "export": facts.export,
            "alignment": facts.alignment,
            "signatures": dict(facts.signatures),
            "document_score_signatures": dict(self.document_signatures or {}),
            "documents": docs,
            **({"timings_seconds": dict(facts.timings)} if facts.timings else {}),
        }

    def write(self, run_dir: Path, report: Mapping[str, Any]) -> list[Path]:
        """Write ``report.json`` and (from the page) ``report.html``, atomically; returns their paths."""
        if self.page is None:
            raise ValueError("this builder has no page to write")
        paths = [run_dir / "report.json", run_dir / "report.html"]
        _write_json(paths[0], report)
        page = AtomicFile(paths[1])
        try:
            self.page.write(page.handle, report)
        except BaseException:
            page.discard()
            raise
        finally:
            self.page.close()
        page.commit()
        return paths

    def discard(self) -> None:
        if self.page is not None:
            self.page.close()


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    """As :func:`atomic_write_json` writes it, piece by piece (a report's JSON text is never whole in memory)."""
    file = AtomicFile(path)
    try:
        json.dump(data, file.handle, ensure_ascii=False, indent=2, sort_keys=False)
        file.write("\n")
    except BaseException:
        file.discard()
        raise
    file.commit()
