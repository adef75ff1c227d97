"""The aligned TSV: one row per link, the format people review.

Escaping rule, applied to every text field: a backslash becomes ``\\\\``, a tab ``\\t``, a line
feed ``\\n`` and a carriage return ``\\r``, so one physical line is always one row and ``cut``
or ``wc -l`` work. Fields are then written as CSV with a tab delimiter: a field holding a double
quote is enclosed in double quotes, with inner quotes doubled, so that pandas
(``read_csv(sep="\\t")``) and spreadsheets read a text that starts with ``"`` correctly.
:func:`read_tsv` undoes both steps exactly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.export.base import Exporter
from pipeline.io import atomic_write_text
from pipeline.records import AlignedDocument, ScoreResult

COLUMNS = (
    "doc_id",
    "link_id",
    "src_ids",
    "ref_ids",
    "zh",
    "mt",
    "en",
    "link_type",
    "align_score",
    "chrf",
    "bleu",
    "flags",
)

_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def escape(text: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def unescape(text: str) -> str:
    out: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            out.append(_UNESCAPES.get(nxt, "\\" + nxt))
        else:
            out.append(ch)
    return "".join(out)


def format_tsv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape(field) for field in row])
    return buffer.getvalue()


def read_tsv(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and unescaped rows of a TSV written by :func:`format_tsv`."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quotechar='"')
        header = next(reader, [])
        return header, [[unescape(field) for field in row] for row in reader]


def _ids(ids: Sequence[int]) -> str:
    return ",".join(str(i) for i in ids)


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def link_rows(docs: Sequence[AlignedDocument], scores: ScoreResult) -> Iterable[list[str]]:
    for doc in docs:
        for link in doc.links:
            key = (doc.id, link.index)
            yield [
                doc.id,
                str(link.index),
                _ids(link.src),
                _ids(link.ref),
                doc.source_text(link),
                doc.translation_text(link),
                doc.reference_text(link),
                link.type,
                _number(link.score, 4),
                _number(scores.link_chrf.get(key), 2),
                _number(scores.link_bleu.get(key), 2),
                ",".join(doc.translation_flags(link)),
            ]


class TsvExporter(Exporter):
    filename = "aligned.tsv"

    def export(self, docs: Sequence[AlignedDocument], scores: ScoreResult, run_dir: Path) -> list[Path]:
        path = run_dir / self.filename
        atomic_write_text(path, format_tsv(COLUMNS, link_rows(docs, scores)))
        return [path]
