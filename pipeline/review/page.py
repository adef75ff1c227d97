"""``review.html``: one self-contained page to review every link of a run and download the decisions.

The page shows the links side by side (Chinese, machine translation, reference), coloured by the
aligner's confidence and the sentence chrF, with filters, search, keyboard navigation and
accept / reject / edit controls; its download is the aligned TSV with the review columns filled in,
ready for ``pipeline apply``. The template is ``review_page.html`` beside this module.

Safety and size: the links travel as JSON inside a ``<script type="application/json">`` block with
``<``, ``>`` and ``&`` written as ``\\u003c`` etc., so no document text can close the block, and the
script puts text on the page only through ``textContent``: a ``<script>`` in a document shows as
text. A Content-Security-Policy forbids every fetch. Only one page of links is in the document at a
time, so a page of many links stays responsive (timings: docs/benchmarks.md, "Review page").

Size: the page holds at most ``export.review_max_links`` links, the first ones of the run; when a
run has more, the page says so at the top (and its data says how many were left out): every link is
in ``aligned.tsv``, whose review columns can be filled in a spreadsheet for ``pipeline apply``. The
page is written as its links come (:class:`ReviewPage`), so its size never sits in memory.
"""

from __future__ import annotations

import hashlib
import html
import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline.config import ExportSection
from pipeline.export.base import Exporter, Sink, Verdict
from pipeline.export.rows import NO_DECISION, Decision, LinkRow
from pipeline.export.tsv import COLUMNS
from pipeline.io import AtomicFile, spill_file

FILENAME = "review.html"
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def template() -> str:
    """The page, ``__TITLE__`` and ``__DATA__`` still to fill in."""
    return resources.files("pipeline.review").joinpath("review_page.html").read_text(encoding="utf-8")


def _json(value: Any) -> str:
    """As ``json.dumps`` with its default separators: what the page key is a hash of."""
    return json.dumps(value, ensure_ascii=False)


def _compact(value: Any) -> str:
    """As the page embeds it: compact, and safe inside a script block."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)


def _left_out_notice(left_out: int, limit: int) -> str:
    text = (
        f"This page holds the first {limit:,} links of the run; {left_out:,} more are not on it "
        "(export.review_max_links). Every link is in aligned.tsv: fill in its review columns in a "
        "spreadsheet and give it to pipeline apply, or raise the limit and run again."
    )
    return (
        '<div id="left-out" role="note" style="padding: .5rem 1rem; background: #fde8e8; '
        f'border-bottom: 1px solid #e6a6a6;">{html.escape(text)}</div>\n'
    )


class ReviewPage:
    """``review.html`` written link by link, holding at most ``limit`` links.

    The page's data is the JSON object of the run's links, their corpus status, documents and link types
    (``tests/export/oracle.py`` builds it whole), byte for byte: the links are streamed into a temporary
    file as they come, the page key is hashed as they come, and the small parts that follow the links are
    kept until :meth:`close` writes the page.
    """

    def __init__(self, path: Path, run_name: str, limit: int | None = None) -> None:
        self.path, self.run_name, self.limit = path, run_name, limit
        self.rows = self.left_out = 0
        self.outside: list[str] = []
        self.documents: dict[str, None] = {}
        self.link_types: set[str] = set()
        # Decisions a browser keeps between visits are filed under this key, a hash of the page's data: a page
        # with other content (another run, or the same run after `pipeline apply`) does not pick up stale ones.
        self.key = hashlib.sha256()
        self.key.update(f'{{"run": {_json(run_name)}, "columns": {_json(list(COLUMNS))}, "rows": ['.encode())
        path.parent.mkdir(parents=True, exist_ok=True)
        self.spill = spill_file(path.parent)

    def add(self, row: LinkRow, decision: Decision, outside: str) -> None:
        if self.limit is not None and self.rows >= self.limit:
            self.left_out += 1
            return
        fields = [*row.fields, *decision.fields()]
        self.key.update(((", " if self.rows else "") + _json(fields)).encode())
        self.spill.write(("," if self.rows else "") + _compact(fields))
        self.outside.append(outside)
        self.documents[row.doc_id] = None
        self.link_types.add(row.link_type)
        self.rows += 1

    def _after_rows(self) -> dict[str, Any]:
        after: dict[str, Any] = {
            "outside": self.outside,
            "documents": list(self.documents),
            "link_types": sorted(self.link_types),
        }
        if self.left_out:
            after["left_out"] = {"links": self.left_out, "limit": self.limit, "every_link": "aligned.tsv"}
        return after

    def close(self) -> Path:
        after = self._after_rows()
        self.key.update(("]" + "".join(f", {_json(k)}: {_json(v)}" for k, v in after.items()) + "}").encode())
        after["key"] = self.key.hexdigest()[:16]
        head, tail = template().split("__DATA__")
        head = head.replace("__TITLE__", html.escape(self.run_name))
        if self.left_out:
            head = head.replace(
                '<section id="filters"', _left_out_notice(self.left_out, self.limit or 0) + '<section id="filters"', 1
            )
        file = AtomicFile(self.path)
        try:
            file.write(head + f'{{"run":{_compact(self.run_name)},"columns":{_compact(list(COLUMNS))},"rows":[')
            self.spill.seek(0)
            shutil.copyfileobj(self.spill, file.handle)
            file.write("]" + "".join(f",{_compact(k)}:{_compact(v)}" for k, v in after.items()) + "}" + tail)
        except BaseException:
            file.discard()
            raise
        finally:
            self.spill.close()
        return file.commit()

    def discard(self) -> None:
        self.spill.close()


def outside_of(verdict: Verdict) -> str:
    """Why the link is not in the corpus, per origin (``reference: min_align_score``); empty when it is."""
    return "; ".join(f"{origin}: {reason}" for origin, reason in verdict.items() if isinstance(reason, str))


class ReviewSink(Sink):
    def __init__(self, page: ReviewPage) -> None:
        self.page = page

    def add_link(self, row: LinkRow, verdict: Verdict) -> None:
        self.page.add(row, NO_DECISION, outside_of(verdict))

    def close(self) -> list[Path]:
        return [self.page.close()]

    def discard(self) -> None:
        self.page.discard()


class ReviewPageExporter(Exporter):
    """Writes ``review.html`` for the links of the run (the corpus filters only mark links, never hide
    them), at most ``export.review_max_links`` of them."""

    judged = True

    def open(self, run_dir: Path, settings: ExportSection | None = None) -> Sink:
        limit = (settings or self.settings).review_max_links
        return ReviewSink(ReviewPage(run_dir / FILENAME, run_dir.name, limit))
