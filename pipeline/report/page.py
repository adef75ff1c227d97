"""``report.html``: the run report as one self-contained page people read.

Headline scores with their intervals and signatures, plots (sentence chrF, source against reference
length coloured by alignment confidence, link types), a table of documents, flagged links and one
table of links per document. No script, no network: styles are inline and plots are inline SVG
rendered at build time (:mod:`pipeline.report.plots`); the parts are :mod:`pipeline.report.sections`.

Size: the page is built as the links come (:class:`ReportPage`), with its long sections rendered
into temporary files. It lists at most ``export.report_max_links`` flagged links and as many links
in the tables of each document (the first ones of the run), and says how many more ``aligned.tsv``
holds; the chrF histogram counts every link, and the length scatter draws at most
:data:`SCATTER_POINTS` of them, chosen by a hash of the link id.
"""

from __future__ import annotations

import hashlib
import heapq
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.export.rows import LinkRow
from pipeline.io import spill_file
from pipeline.report import plots
from pipeline.report.sections import (
    CSS,
    METRIC_LABELS,
    TABLE_END,
    anchor,
    at_a_glance,
    documents_table,
    esc,
    headline,
    link_header,
    link_row,
    link_table,
    run_details,
    scores_table,
    table_head,
    warning_list,
)
from pipeline.version import __version__

#: Most links drawn in report.html's length scatter (a sample chosen by a hash of the link id beyond that):
#: more points show nothing more, and make the page larger.
SCATTER_POINTS = 20_000


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


class ScatterSample:
    """At most ``size`` points, the ones whose link ids hash lowest (the same links, whatever the
    shards), kept in the order of the run; all of them while there are no more than ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.seen = 0
        self._heap: list[tuple[int, int, tuple[int, int, float]]] = []  # (-hash, order, point)

    def add(self, link_id: str, point: tuple[int, int, float]) -> None:
        self.seen += 1
        item = (-_hash(link_id), self.seen, point)
        if len(self._heap) < self.size:
            heapq.heappush(self._heap, item)
        elif item[0] > self._heap[0][0]:  # a lower hash than the highest kept
            heapq.heapreplace(self._heap, item)

    def points(self) -> list[tuple[int, int, float]]:
        return [point for _, _, point in sorted(self._heap, key=lambda item: item[1])]


class ReportPage:
    """``report.html`` built document by document: every link of every document is given to :meth:`add_document`,
    in the order of ``report["documents"]``; :meth:`write` puts the page together.

    Memory holds the plot data (20 histogram counts, at most :data:`SCATTER_POINTS` scatter points); the
    flagged links (at most ``max_links``) and the tables of each document (at most ``max_links`` links in
    all) are rendered into temporary files in ``spill_dir`` (in memory when it is None).
    """

    def __init__(self, max_links: int, spill_dir: Path | None = None) -> None:
        self.max_links = max_links
        self.chrf_counts = [0] * (len(plots.CHRF_EDGES) - 1)
        self._chrf: list[float] = []
        self.scatter = ScatterSample(SCATTER_POINTS)
        self.flagged = self.listed = self.links = 0
        self._flagged_rows = spill_file(spill_dir)
        self._documents = spill_file(spill_dir)
        self._index = 0

    def add_document(self, doc_id: str, scores: Mapping[str, float], links: Sequence[LinkRow]) -> None:
        for lk in links:
            if lk.chrf is not None:
                self._chrf.append(lk.chrf)
            if lk.zh and lk.en and lk.align_score is not None:
                self.scatter.add(f"{lk.doc_id}:{lk.link_id}", (len(lk.zh), len(lk.en), lk.align_score))
            if lk.flags:
                if self.flagged < self.max_links:
                    self._flagged_rows.write(link_row(lk, with_doc=True))
                self.flagged += 1
        if len(self._chrf) >= 10_000:
            self._count_chrf()
        listed = links[: max(0, self.max_links - self.listed)]
        self.listed += len(listed)
        self.links += len(links)
        self._documents.write(self._details(doc_id, scores, links, listed))
        self._index += 1

    def _count_chrf(self) -> None:
        for i, count in enumerate(plots.chrf_counts(self._chrf)):
            self.chrf_counts[i] += count
        self._chrf = []

    def _details(
        self, doc_id: str, scores: Mapping[str, float], links: Sequence[LinkRow], listed: Sequence[LinkRow]
    ) -> str:
        summary = ", ".join(f"{METRIC_LABELS.get(m, m)} {v:.2f}" for m, v in scores.items())
        n = len(links)
        title = f"{doc_id} · {n} link{'s' if n != 1 else ''}" + (f" · {summary}" if summary else "")
        body = link_table(listed, False) if listed or not links else ""
        if len(listed) < n:
            more = f"{n - len(listed):,} {'more ' if listed else ''}link{'s' if n - len(listed) != 1 else ''}"
            body += f'<p class="sub">{esc(more)} of this document are not listed here: see aligned.tsv.</p>'
        return f'<details id="{anchor(self._index)}"><summary>{esc(title)}</summary>{body}</details>'

    def _flagged_section(self, handle: Any) -> None:
        if not self.flagged:
            return
        handle.write(f"<h2>Flagged links ({self.flagged})</h2><section>")
        if self.flagged > self.max_links:
            shown = (
                f"The first {self.max_links:,} of {self.flagged:,} flagged links are listed "
                "(export.report_max_links); aligned.tsv has them all."
            )
            handle.write(f'<p class="sub">{esc(shown)}</p>')
        handle.write(table_head(link_header(True)))
        _copy(self._flagged_rows, handle)
        handle.write(TABLE_END + "</section>")

    def _documents_section(self, handle: Any) -> None:
        handle.write("<h2>Links of each document</h2>")
        if self.links > self.listed:
            shown = (
                f"The tables list the first {self.listed:,} links of the run (export.report_max_links); "
                f"{self.links - self.listed:,} more are in aligned.tsv."
            )
            handle.write(f'<p class="sub">{esc(shown)}</p>')
        _copy(self._documents, handle)

    def write(self, handle: Any, report: Mapping[str, Any]) -> None:
        """The whole page for ``report`` (as :class:`pipeline.report.builder.ReportBuilder` builds it)."""
        self._count_chrf()
        counts = report["counts"]
        subtitle = (
            f"{counts['documents']} documents · {counts['sentences']['zh']} Chinese sentences · "
            f"{counts['links']} links, {counts['scored_links']} scored · {counts['flagged_links']} flagged"
        )
        handle.write(
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Run report: {esc(report['run'])}</title><style>{CSS}</style></head><body><main>"
        )
        for part in (
            f"<h1>Run report: {esc(report['run'])}</h1>",
            f'<p class="sub">{esc(subtitle)}</p>',
            warning_list(report),
            headline(report),
            scores_table(report),
            at_a_glance(report, self.chrf_counts, self.scatter.points()),
            documents_table(report),
        ):
            handle.write(part)
        self._flagged_section(handle)
        self._documents_section(handle)
        handle.write(run_details(report))
        handle.write(f'<p class="sub">Written by pipeline {esc(__version__)}.</p></main></body></html>\n')

    def close(self) -> None:
        self._flagged_rows.close()
        self._documents.close()


def _copy(spill: Any, handle: Any) -> None:
    spill.seek(0)
    shutil.copyfileobj(spill, handle)
