"""``review.html``: one self-contained page to review every link of a run and download the decisions.

The page shows the links side by side (Chinese, machine translation, reference), coloured by the
aligner's confidence and the sentence chrF, with filters, search, keyboard navigation and
accept / reject / edit controls; its download is the aligned TSV with the review columns filled in,
ready for ``pipeline apply``. The template is ``review_page.html`` beside this module.

Safety and size: the links travel as JSON inside a ``<script type="application/json">`` block with
``<``, ``>`` and ``&`` written as ``\\u003c`` etc., so no document text can close the block, and the
script puts text on the page only through ``textContent``: a ``<script>`` in a document shows as
text. A Content-Security-Policy forbids every fetch. Only one page of links (100 by default) is in
the document at a time, so 20,000 links stay responsive (docs/benchmarks.md, "Review page").
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline.export.base import Exporter
from pipeline.export.corpus import NO_DECISION, Decision, LinkKey, LinkRow, Selection, rows_from_docs, select_pairs
from pipeline.export.tsv import COLUMNS
from pipeline.io import atomic_write_text
from pipeline.records import AlignedDocument, ScoreResult

FILENAME = "review.html"
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _template() -> str:
    return resources.files("pipeline.export").joinpath("review_page.html").read_text(encoding="utf-8")


def _outside(row: LinkRow, selection: Selection) -> str:
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
        "outside": [_outside(row, selection) for row in rows],
        "documents": list(dict.fromkeys(row.doc_id for row in rows)),
        "link_types": sorted({row.link_type for row in rows}),
    }
    # Decisions a browser keeps between visits are filed under this key: a page with other content
    # (another run, or the same run after `pipeline apply`) does not pick up stale ones.
    data["key"] = hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    return data


def render_page(data: Mapping[str, Any]) -> str:
    """The template with the data embedded; nothing in the data can end the script block."""
    head, tail = _template().split("__DATA__")
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)
    head = head.replace("__TITLE__", html.escape(str(data["run"])))
    return head + payload + tail


def write_review_page(
    path: Path,
    run_name: str,
    rows: Sequence[LinkRow],
    decisions: Mapping[LinkKey, Decision],
    selection: Selection,
) -> Path:
    atomic_write_text(path, render_page(page_data(run_name, rows, decisions, selection)))
    return path


class ReviewPageExporter(Exporter):
    """Writes ``review.html`` for every link of the run (the corpus filters only mark links, never hide them)."""

    def export(self, docs: Sequence[AlignedDocument], scores: ScoreResult, run_dir: Path) -> list[Path]:
        rows = rows_from_docs(docs, scores)
        selection = select_pairs(rows, self.settings)
        return [write_review_page(run_dir / FILENAME, run_dir.name, rows, {}, selection)]
