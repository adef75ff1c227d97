"""The parts of ``report.html``: styles, tables and sections, as HTML text.

Every piece of text that comes from input or configuration goes through :func:`esc`, so a document
containing ``<script>`` shows as text. Plots are inline SVG (:mod:`pipeline.report.plots`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.export.rows import LinkRow
from pipeline.report import plots

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
    body = "".join("<tr>" + "".join(_cell(c, num) for c, num in row) + "</tr>" for row in rows)
    return table_head(header) + body + TABLE_END


def _cell(content: str, numeric: bool) -> str:
    return f'<td class="num">{content}</td>' if numeric else f"<td>{content}</td>"


def _label(metric: str) -> str:
    return esc(METRIC_LABELS.get(metric, metric))


# ---------------------------------------------------------------------------------------------
# sections


def warning_list(report: Mapping[str, Any]) -> str:
    items = report.get("warnings") or []
    if not items:
        return ""
    return (
        '<section class="warnings"><strong>Warnings</strong><ul>'
        + "".join(f"<li>{esc(w)}</li>" for w in items)
        + "</ul></section>"
    )


def headline(report: Mapping[str, Any]) -> str:
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


def scores_table(report: Mapping[str, Any]) -> str:
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


def at_a_glance(
    report: Mapping[str, Any], chrf_counts: Sequence[int], lengths: Sequence[tuple[int, int, float]]
) -> str:
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


def anchor(index: int) -> str:
    return f"doc-{index}"


def documents_table(report: Mapping[str, Any]) -> str:
    metrics = [s["metric"] for s in report["scores"]]
    header = [("document", False), ("zh sentences", True), ("en sentences", True), ("links", True)]
    header += [("scored", True), *((_label(m), True) for m in metrics), ("flagged", True), ("mean confidence", True)]
    rows = []
    for index, doc in enumerate(report["documents"]):
        scores = doc.get("scores") or {}
        rows.append(
            [
                (f'<a href="#{anchor(index)}">{esc(doc["id"])}</a>', False),
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


def link_header(with_doc: bool) -> list[tuple[str, bool]]:
    header = [("doc", False)] if with_doc else []
    header += [("link", True), ("type", False), ("confidence", True), ("chrF", True), ("BLEU", True)]
    header += [("Chinese", False), ("machine translation", False), ("reference", False), ("flags", False)]
    return header


def link_row(lk: LinkRow, with_doc: bool) -> str:
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


def table_head(header: Sequence[tuple[str, bool]]) -> str:
    """A table's start, up to its first row (``TABLE_END`` closes it)."""
    head = "".join(f'<th class="num">{h}</th>' if num else f"<th>{h}</th>" for h, num in header)
    return f"<table><thead><tr>{head}</tr></thead><tbody>"


TABLE_END = "</tbody></table>"


def link_table(links: Sequence[LinkRow], with_doc: bool) -> str:
    return table_head(link_header(with_doc)) + "".join(link_row(lk, with_doc) for lk in links) + TABLE_END


def run_details(report: Mapping[str, Any]) -> str:
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
