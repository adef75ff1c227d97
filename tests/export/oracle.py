"""The export's in-memory twins: the specification the streamed product is tested against.

A run writes every format, the review page and the report while its links stream past, one document at
a time. These build the same files from a whole run held in memory, the plain way: all links, then all
pairs, then one page. Tests compare the two; nothing in ``pipeline`` calls them.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import ExportSection
from pipeline.export.base import Exporter
from pipeline.export.corpus import CorpusExporter, OriginCounts, Selector
from pipeline.export.rows import NO_DECISION, Decision, LinkKey, LinkRow, Pair
from pipeline.export.stream import ExportPass, ExportResult, document_rows
from pipeline.export.tsv import COLUMNS
from pipeline.records import AlignedDocument, ScoreResult
from pipeline.report.builder import ReportBuilder, RunFacts
from pipeline.report.page import ReportPage
from pipeline.review.page import ReviewPage, template

#: ``export.report_max_links`` unless a config says otherwise.
DEFAULT_MAX_LINKS = ExportSection().report_max_links
#: What keeps document text from ending the review page's data block.
SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})

# ---------------------------------------------------------------------------------------------
# links and formats


def links_of(docs: Iterable[AlignedDocument], scores: ScoreResult) -> Iterator[list[LinkRow]]:
    """The links of documents scored in memory, one document at a time."""
    for doc in docs:
        keys = [(doc.id, link.index) for link in doc.links]
        yield document_rows(doc, [scores.link_chrf.get(k) for k in keys], [scores.link_bleu.get(k) for k in keys])


def rows_from_docs(docs: Sequence[AlignedDocument], scores: ScoreResult) -> list[LinkRow]:
    """The links of a run, exactly as ``aligned.tsv`` holds them."""
    return [row for rows in links_of(docs, scores) for row in rows]


def export_links(
    exporters: Sequence[Exporter], documents: Iterable[Sequence[LinkRow]], settings: ExportSection, run_dir: Path
) -> ExportResult:
    """Write every format of ``exporters`` for the links of ``documents`` (one sequence per document)."""
    run = ExportPass(exporters, settings, run_dir)
    try:
        for rows in documents:
            run.add(rows)
    except BaseException:
        run.discard()
        raise
    return ExportResult(run.close(), run.summary())


def export(exporter: Exporter, docs: Sequence[AlignedDocument], scores: ScoreResult, run_dir: Path) -> list[Path]:
    """One format written for documents and scores held in memory; returns the paths."""
    return export_links([exporter], links_of(docs, scores), exporter.settings, run_dir).files


# ---------------------------------------------------------------------------------------------
# the selection of pairs


@dataclass
class Selection:
    """The pairs to write, counts per origin, and why each dropped link of an origin was dropped."""

    settings: ExportSection
    pairs: list[Pair] = field(default_factory=list)
    counts: dict[str, OriginCounts] = field(default_factory=dict)
    dropped: dict[tuple[str, LinkKey], str] = field(default_factory=dict)

    def of(self, origin: str) -> list[Pair]:
        return [p for p in self.pairs if p.origin == origin]

    def summary(self) -> dict[str, Any]:
        """The ``export`` section of ``report.json``."""
        return {
            "pairs": self.settings.pairs,
            "filters": self.settings.filters.model_dump(mode="json"),
            "origins": {origin: c.as_dict() for origin, c in self.counts.items()},
        }


def select_pairs(
    rows: Iterable[LinkRow], settings: ExportSection, decisions: Mapping[LinkKey, Decision] | None = None
) -> Selection:
    """Apply review decisions and filters to every origin ``settings.pairs`` asks for."""
    selector = Selector(settings, decisions)
    selection = Selection(settings)
    pairs: dict[str, list[Pair]] = {s.origin: [] for s in selector.origins}
    for row in rows:
        for origin, verdict in selector.judge(row).items():
            if isinstance(verdict, Pair):
                pairs[origin].append(verdict)
            else:
                selection.dropped[(origin, row.key)] = verdict
    selection.pairs = [pair for own in pairs.values() for pair in own]
    selection.counts = selector.counts
    return selection


def write_selection(exporter: CorpusExporter, selection: Selection, run_dir: Path) -> list[Path]:
    """A corpus format's files for the selected pairs; returns their paths."""
    sink = exporter.open(run_dir, selection.settings)
    try:
        for pair in selection.pairs:
            sink.add_pair(pair)
    except BaseException:
        sink.discard()
        raise
    return sink.close()


# ---------------------------------------------------------------------------------------------
# the review page


def outside(row: LinkRow, selection: Selection) -> str:
    """Why the link is not in the corpus, per origin (``reference: min_align_score``); empty when it is."""
    return "; ".join(
        f"{origin}: {selection.dropped[(origin, row.key)]}"
        for origin in selection.counts
        if (origin, row.key) in selection.dropped
    )


def page_data(
    run_name: str, rows: Sequence[LinkRow], decisions: Mapping[LinkKey, Decision], selection: Selection
) -> dict[str, Any]:
    """What the page's script reads: TSV rows (review fields included) and their corpus status."""
    fields = [[*row.fields, *decisions.get(row.key, NO_DECISION).fields()] for row in rows]
    data: dict[str, Any] = {
        "run": run_name,
        "columns": list(COLUMNS),
        "rows": fields,
        "outside": [outside(row, selection) for row in rows],
        "documents": list(dict.fromkeys(row.doc_id for row in rows)),
        "link_types": sorted({row.link_type for row in rows}),
    }
    data["key"] = hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    return data


def render_page(data: Mapping[str, Any]) -> str:
    """The template with the data embedded; nothing in the data can end the script block."""
    head, tail = template().split("__DATA__")
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(SCRIPT_SAFE)
    head = head.replace("__TITLE__", html.escape(str(data["run"])))
    return head + payload + tail


def write_review_page(
    path: Path,
    run_name: str,
    rows: Sequence[LinkRow],
    decisions: Mapping[LinkKey, Decision],
    selection: Selection,
    limit: int | None = None,
) -> Path:
    """The streamed page given links held in memory, at most ``limit`` of them."""
    page = ReviewPage(path, run_name, limit)
    try:
        for row in rows:
            page.add(row, decisions.get(row.key, NO_DECISION), outside(row, selection))
    except BaseException:
        page.discard()
        raise
    return page.close()


# ---------------------------------------------------------------------------------------------
# the report


def by_document(links: Iterable[LinkRow]) -> dict[str, list[LinkRow]]:
    grouped: dict[str, list[LinkRow]] = {}
    for lk in links:
        grouped.setdefault(lk.doc_id, []).append(lk)
    return grouped


def assemble(
    facts: RunFacts, links: Sequence[LinkRow], scores: ScoreResult, max_links: int = DEFAULT_MAX_LINKS
) -> dict[str, Any]:
    """The report of links and scores held in memory, one row per document of ``facts``."""
    builder = ReportBuilder(max_links)
    grouped = by_document(links)
    for row in facts.documents:
        builder.add_document(row, grouped.get(row["id"], []), scores.documents.get(row["id"], ()))
    return builder.report(facts, scores)


def render_html(report: Mapping[str, Any], links: Sequence[LinkRow], max_links: int = DEFAULT_MAX_LINKS) -> str:
    """The whole ``report.html`` for a report and its links, held in memory."""
    page = ReportPage(max_links)
    grouped = by_document(links)
    for doc in report["documents"]:
        page.add_document(doc["id"], doc.get("scores") or {}, grouped.get(doc["id"], []))
    out = io.StringIO()
    page.write(out, report)
    page.close()
    return out.getvalue()
