"""``report.html``: the run report as one self-contained page people read.

Headline scores with their intervals and signatures, plots (sentence chrF, source against
reference length coloured by alignment confidence, link types), a table of documents, flagged
links and one table of links per document. No script, no network: styles are inline and plots
are inline SVG rendered at build time (:mod:`pipeline.export.plots`). Every piece of text that
comes from input or configuration goes through :func:`esc`, so a document containing
``<script>`` shows as text.

Size: the page is built as the links come (:class:`ReportPage`), with its long sections rendered
into temporary files. It lists at most ``export.report_max_links`` flagged links and as many links
in the tables of each document (the first ones of the run), and says how many more
``aligned.tsv`` holds; the chrF histogram counts every link, and the length scatter draws at most
:data:`SCATTER_POINTS` of them, chosen by a hash of the link id.
"""

from __future__ import annotations

import hashlib
import heapq
import html
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.export import plots
from pipeline.export.report import SCATTER_POINTS
from pipeline.export.rows import LinkRow
from pipeline.io import spill_file
from pipeline.version import __version__

#: How the report names each metric.
METRIC_LABELS = {"bleu": "BLEU", "chrf": "chrF", "chrf++": "chrF++", "ter": "TER"}

CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d2127; }
body { background: #f6f7f9; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; }
.sub { color: #5b6470; margin: 0 0 1rem; }
section, details { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; }
section, details { padding: 1rem 1.2rem; margin: 1rem 0; }
.warnings { background: #fff8e6; border-color: #f0d48a; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #eceef1; vertical-align: top; }
th { background: #f0f2f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-size: .8rem; color: #3b4450; word-break: break-all; }
.headline { display: flex; flex-wrap: wrap; gap: .8rem; }
.card { flex: 1 1 12rem; background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: .8rem 1rem; }
.card .value { font-size: 1.8rem; font-weight: 650; } .card .label { color: #5b6470; }
.plots { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { flex: 1 1 340px; margin: 0; background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: .5rem; }
figure svg { width: 100%; height: auto; } figcaption { color: #5b6470; font-size: .85rem; padding: .2rem .4rem; }
summary { cursor: pointer; font-weight: 600; }
.flag { display: inline-block; background: #fde8e8; color: #8a1c1c; border-radius: 4px; padding: 0 .35rem; }
.flag { font-size: .8rem; }
.low { color: #a33; } .text { max-width: 28rem; white-space: pre-wrap; word-break: break-word; }
"""


def esc(value: object) -> str:
    """Text for HTML content or attribute values: ``& < > " '`` escaped."""
    return html.escape(str(value), quote=True)


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _table(header: Sequence[tuple[str, bool]] | None, rows: Sequence[Sequence[tuple[str, bool]]]) -> str:
    """A table from already escaped cells; the flag marks numeric (right-aligned) columns."""
    if header is None:
        body = "".join("<tr>" + "".join(_cell(c, num) for c, num in row) + "</tr>" for row in rows)
        return f"<table><tbody>{body}</tbody></table>"
    head = "".join(f'<th class="num">{h}</th>' if num else f"<th>{h}</th>" for h, num in header)
    body = "".join("<tr>" + "".join(_cell(c, num) for c, num in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(content: str, numeric: bool) -> str:
    return f'<td class="num">{content}</td>' if numeric else f"<td>{content}</td>"


def _label(metric: str) -> str:
    return esc(METRIC_LABELS.get(metric, metric))


# ---------------------------------------------------------------------------------------------
# sections


def _warnings(report: Mapping[str, Any]) -> str:
    items = report.get("warnings") or []
    if not items:
        return ""
    return (
        '<section class="warnings"><strong>Warnings</strong><ul>'
        + "".join(f"<li>{esc(w)}</li>" for w in items)
        + "</ul></section>"
    )


def _headline(report: Mapping[str, Any]) -> str:
    cards = []
    for s in report["scores"]:
        ci = s.get("ci")
        detail = f"95% CI {ci['low']:.2f}–{ci['high']:.2f}" if ci else "no interval"
        better = "higher is better" if s.get("higher_is_better", True) else "lower is better"
        cards.append(
            f'<div class="card"><div class="label">{_label(s["metric"])}</div>'
            f'<div class="value">{s["score"]:.2f}</div><div class="label">{esc(detail)} · {esc(better)}</div></div>'
        )
    if not report["scores"]:
        cards.insert(0, '<div class="card"><div class="label">No scores: no link has a reference.</div></div>')
    return f'<div class="headline">{"".join(cards)}</div>'


def _scores_table(report: Mapping[str, Any]) -> str:
    if not report["scores"]:
        return ""
    rows = []
    for s in report["scores"]:
        ci = s.get("ci")
        interval = f"{ci['mean']:.2f} ± {ci['half_width']:.2f} [{ci['low']:.2f}, {ci['high']:.2f}]" if ci else "–"
        rows.append(
            [
                (_label(s["metric"]), False),
                (f"{s['score']:.2f}", True),
                (esc(interval), True),
                (f"<code>{esc(s['signature'])}</code>", False),
            ]
        )
    header = [("metric", False), ("score", True), ("bootstrap mean ± half-width [95% interval]", True)]
    table = _table([*header, ("sacrebleu signature", False)], rows)
    return f"<h2>Scores</h2><section>{table}</section>"


def _figure(svg: str, caption: str) -> str:
    if not svg:
        return f"<figure><figcaption>{esc(caption)}: nothing to plot.</figcaption></figure>"
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def _plots(report: Mapping[str, Any], chrf_counts: Sequence[int], lengths: Sequence[tuple[int, int, float]]) -> str:
    scatter = "Source and reference length per link, coloured by alignment confidence"
    left_out = (report.get("left_out") or {}).get("scatter_points", 0)
    if left_out:
        scatter += f" ({len(lengths):,} links chosen by a hash of their id; {left_out:,} more not drawn)"
    figures = [
        _figure(plots.chrf_histogram_of_counts(chrf_counts), "Sentence chrF of every link with both sides"),
        _figure(plots.length_scatter(lengths), scatter),
        _figure(plots.link_type_bars(report["counts"]["link_types"]), "Link types (source-reference sentences)"),
    ]
    return f'<h2>At a glance</h2><div class="plots">{"".join(figures)}</div>'


def _anchor(index: int) -> str:
    return f"doc-{index}"


def _documents(report: Mapping[str, Any]) -> str:
    metrics = [s["metric"] for s in report["scores"]]
    header = [("document", False), ("zh sentences", True), ("en sentences", True), ("links", True)]
    header += [("scored", True), *((_label(m), True) for m in metrics), ("flagged", True), ("mean confidence", True)]
    rows = []
    for index, doc in enumerate(report["documents"]):
        scores = doc.get("scores") or {}
        rows.append(
            [
                (f'<a href="#{_anchor(index)}">{esc(doc["id"])}</a>', False),
                (esc(doc["sentences"]["zh"]), True),
                (esc(doc["sentences"]["en"]), True),
                (esc(doc["links"]), True),
                (esc(doc.get("scored_links", 0)), True),
                *((_number(scores.get(m)), True) for m in metrics),
                (esc(doc.get("flagged_links", 0)), True),
                (_number(doc.get("mean_align_score"), 3), True),
            ]
        )
    note = "Scores of each document are computed over its own links, as a corpus of its own."
    return f'<h2>Documents</h2><section><p class="sub">{esc(note)}</p>{_table(header, rows)}</section>'


def _flags(flags: Sequence[str]) -> str:
    return " ".join(f'<span class="flag">{esc(f)}</span>' for f in flags)


def _link_header(with_doc: bool) -> list[tuple[str, bool]]:
    header = [("doc", False)] if with_doc else []
    header += [("link", True), ("type", False), ("confidence", True), ("chrF", True), ("BLEU", True)]
    header += [("Chinese", False), ("machine translation", False), ("reference", False), ("flags", False)]
    return header


def _link_row(lk: LinkRow, with_doc: bool) -> str:
    low = lk.align_score is not None and lk.align_score < 0.5
    confidence = _number(lk.align_score, 3)
    row = [(esc(lk.doc_id), False)] if with_doc else []
    row += [
        (esc(lk.link_id), True),
        (esc(lk.link_type), False),
        (f'<span class="low">{confidence}</span>' if low else confidence, True),
        (_number(lk.chrf), True),
        (_number(lk.bleu), True),
        (f'<div class="text" lang="zh">{esc(lk.zh)}</div>', False),
        (f'<div class="text" lang="en">{esc(lk.mt)}</div>', False),
        (f'<div class="text" lang="en">{esc(lk.en)}</div>', False),
        (_flags(lk.flags), False),
    ]
    return "<tr>" + "".join(_cell(c, num) for c, num in row) + "</tr>"


def _table_head(header: Sequence[tuple[str, bool]]) -> str:
    """What :func:`_table` writes before the rows."""
    head = "".join(f'<th class="num">{h}</th>' if num else f"<th>{h}</th>" for h, num in header)
    return f"<table><thead><tr>{head}</tr></thead><tbody>"


_TABLE_END = "</tbody></table>"


def _link_table(links: Sequence[LinkRow], with_doc: bool) -> str:
    return _table_head(_link_header(with_doc)) + "".join(_link_row(lk, with_doc) for lk in links) + _TABLE_END


def _run_details(report: Mapping[str, Any]) -> str:
    timings = report.get("timings_seconds") or {}
    timing_rows = [[(esc(stage), False), (f"{seconds:.3f}", True)] for stage, seconds in timings.items()]
    translation = report.get("translation") or {}
    translation_rows = [[(esc(k.replace("_", " ")), False), (esc(v), True)] for k, v in translation.items()]
    signatures = dict(report.get("signatures") or {})
    signatures.update(
        {f"score per document: {k}": v for k, v in (report.get("document_score_signatures") or {}).items()}
    )
    signature_rows = [[(esc(k), False), (f"<code>{esc(v)}</code>", False)] for k, v in signatures.items()]
    return (
        "<h2>How this run was made</h2><section>"
        + (
            _table([("stage", False), ("seconds", True)], timing_rows)
            if timing_rows
            else "<p>Timings, translation speed and what each run reused are in <code>manifest.json</code>: "
            "they change from run to run, and this report does not.</p>"
        )
        + ("<h3>Translation</h3>" + _table(None, translation_rows) if translation_rows else "")
        + (
            "<h3>Signatures</h3>" + _table([("step", False), ("signature", False)], signature_rows)
            if signature_rows
            else ""
        )
        + "</section>"
    )


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
                    self._flagged_rows.write(_link_row(lk, with_doc=True))
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
        body = _link_table(listed, False) if listed or not links else ""
        if len(listed) < n:
            more = f"{n - len(listed):,} {'more ' if listed else ''}link{'s' if n - len(listed) != 1 else ''}"
            body += f'<p class="sub">{esc(more)} of this document are not listed here: see aligned.tsv.</p>'
        return f'<details id="{_anchor(self._index)}"><summary>{esc(title)}</summary>{body}</details>'

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
        handle.write(_table_head(_link_header(True)))
        _copy(self._flagged_rows, handle)
        handle.write(_TABLE_END + "</section>")

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
        """The whole page for ``report`` (as :class:`pipeline.export.report.ReportBuilder` builds it)."""
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
            _warnings(report),
            _headline(report),
            _scores_table(report),
            _plots(report, self.chrf_counts, self.scatter.points()),
            _documents(report),
        ):
            handle.write(part)
        self._flagged_section(handle)
        self._documents_section(handle)
        handle.write(_run_details(report))
        handle.write(f'<p class="sub">Written by pipeline {esc(__version__)}.</p></main></body></html>\n')

    def close(self) -> None:
        self._flagged_rows.close()
        self._documents.close()


def _copy(spill: Any, handle: Any) -> None:
    spill.seek(0)
    shutil.copyfileobj(spill, handle)
