"""The aligned TSV: one row per link, the format people review.

Escaping rule, applied to every text field: a backslash becomes ``\\\\``, a tab ``\\t``, a line
feed ``\\n`` and a carriage return ``\\r``, so one physical line is always one row and ``cut``
or ``wc -l`` work. Fields are then written as CSV with a tab delimiter: a field holding a double
quote is enclosed in double quotes, with inner quotes doubled, so that pandas
(``read_csv(sep="\\t")``) and spreadsheets read a text that starts with ``"`` correctly.
:func:`read_tsv` undoes both steps exactly.

The last four columns are for a reviewer: ``status`` (``accept``, ``reject``, ``fix`` or empty),
``zh_fixed`` / ``en_fixed`` (corrected text) and a free ``note``; the run writes them empty, the
review page fills them in, and ``pipeline apply`` reads them back (:mod:`pipeline.review.apply`).
A link is identified by ``doc_id`` and ``link_id`` (its 0-based index within the document).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.config import ExportSection
from pipeline.errors import InputError
from pipeline.export.base import Exporter, Sink, Verdict
from pipeline.export.rows import LINK_COLUMNS, LinkRow, format_number
from pipeline.io import AtomicFile
from pipeline.records import AlignedDocument

#: What a reviewer fills in; written empty by the run.
REVIEW_COLUMNS = ("status", "zh_fixed", "en_fixed", "note")
COLUMNS = LINK_COLUMNS + REVIEW_COLUMNS
#: Values of ``status``; empty means "not decided".
STATUSES = ("accept", "reject", "fix")

_FIELD_LIMIT = 1 << 30
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


def tsv_writer(handle: Any) -> Any:
    """A ``csv.writer`` with the TSV's dialect; rows go through :func:`escape` first."""
    return csv.writer(handle, delimiter="\t", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\n")


def format_tsv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = tsv_writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape(field) for field in row])
    return buffer.getvalue()


def allow_long_fields() -> None:
    """The csv module refuses fields over 131,072 characters by default; a text may be longer."""
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))


def read_tsv(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and unescaped rows of a TSV written by :func:`format_tsv`."""
    allow_long_fields()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quotechar='"')
        header = next(reader, [])
        return header, [[unescape(field) for field in row] for row in reader]


def numbered_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Every record of a TSV (header included) with the 1-based line it starts on, fields unescaped.

    A quoted field may span lines (a spreadsheet writes a typed line break that way), so the line is
    counted by the reader, not by the record. A UTF-8 byte-order mark (as some spreadsheets write) is
    skipped. Undecodable bytes and CSV errors raise :class:`InputError` naming the file and line.
    The file is read as it is iterated: a run's TSV of any size takes no more memory than one record.
    """
    allow_long_fields()
    start = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quotechar='"')
            for row in reader:
                yield start, [unescape(field) for field in row]
                start = reader.line_num + 1
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        line, offset = _first_undecodable(path)
        raise InputError(f"{path}:{line}: not valid UTF-8 (byte {offset}); save the file as UTF-8") from None
    except csv.Error as exc:
        raise InputError(f"{path}:{start}: not a readable TSV record ({exc})") from None


def _first_undecodable(path: Path) -> tuple[int, int]:
    """The line and file offset of the first byte that is not UTF-8 (read again, a line at a time,
    only once a decoding error is known to be there); a sequence cut off by the end of the file counts
    from where it starts."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with path.open("rb") as handle:
        for line, data in enumerate(handle, start=1):
            try:
                decoder.decode(data)
            except UnicodeDecodeError as exc:
                return line, offset + exc.start
            offset += len(data)
    pending, _ = decoder.getstate()
    return line, offset - len(pending)


def read_link_rows(path: Path) -> Iterator[LinkRow]:
    """The links of a run's ``aligned.tsv`` (review columns after them are ignored), read one record at a
    time; a foreign header or a malformed field raises :class:`InputError` with the file and line."""
    records = numbered_records(path)
    _, header = next(records, (1, []))
    if tuple(header[: len(LINK_COLUMNS)]) != LINK_COLUMNS:
        raise InputError(
            f"{path}:1: not an aligned TSV written by this pipeline: its columns must start with "
            f"{', '.join(LINK_COLUMNS)}"
        )
    for line, fields in records:
        try:
            yield LinkRow.from_fields(fields[: len(LINK_COLUMNS)])
        except ValueError as exc:
            raise InputError(f"{path}:{line}: {exc}") from None


def _ids(ids: Sequence[int]) -> str:
    return ",".join(str(i) for i in ids)


def document_fields(
    doc: AlignedDocument, chrf: Sequence[float | None], bleu: Sequence[float | None]
) -> list[list[str]]:
    """The :data:`LINK_COLUMNS` fields of one document's links (``chrf[i]``, ``bleu[i]``: link ``i``'s scores)."""
    return [
        [
            doc.id,
            str(link.index),
            _ids(link.src),
            _ids(link.ref),
            doc.source_text(link),
            doc.translation_text(link),
            doc.reference_text(link),
            link.type,
            format_number(link.score, 4),
            format_number(c, 2),
            format_number(b, 2),
            ",".join(doc.translation_flags(link)),
        ]
        for link, c, b in zip(doc.links, chrf, bleu, strict=True)
    ]


class TsvSink(Sink):
    """Writes the rows as they come, review columns empty."""

    def __init__(self, path: Path) -> None:
        self.file = AtomicFile(path)
        self.writer = tsv_writer(self.file.handle)
        self.writer.writerow(COLUMNS)
        self.empty_review = [""] * len(REVIEW_COLUMNS)

    def add_link(self, row: LinkRow, verdict: Verdict) -> None:
        self.writer.writerow([escape(field) for field in row.fields] + self.empty_review)

    def close(self) -> list[Path]:
        return [self.file.commit()]

    def discard(self) -> None:
        self.file.discard()


class TsvExporter(Exporter):
    filename = "aligned.tsv"

    def open(self, run_dir: Path, settings: ExportSection | None = None) -> Sink:
        return TsvSink(run_dir / self.filename)
