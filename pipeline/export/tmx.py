"""``corpus.tmx``: the selected pairs as a TMX 1.4b translation memory that CAT tools import.

One ``<tu>`` per pair, ``tuid`` ``doc_id:link_id`` (``:mt`` appended for a source-machine-translation
pair), with a ``<tuv xml:lang="zh">`` and a ``<tuv xml:lang="en">``; the header names the source
language (``srclang="zh"``), the creation tool and its version. Where a pair came from is kept in ``x-``
properties, a reviewer's note in a ``<note>``.

The same run gives the same file, byte for byte, so the header's optional ``creationdate`` is written
only when ``SOURCE_DATE_EPOCH`` is set (the reproducible-builds convention: seconds since 1970-01-01 UTC,
e.g. ``SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)``), as that time; the clock is never read.

XML 1.0 cannot hold control characters other than tab and line breaks: they are left out of the
file. A carriage return is written ``&#13;`` so that XML parsers keep it.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

from pipeline.config import ExportSection
from pipeline.errors import ConfigError
from pipeline.export.base import Sink
from pipeline.export.corpus import CorpusExporter
from pipeline.export.rows import Pair
from pipeline.io import AtomicFile
from pipeline.version import __version__

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEXT = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTRIBUTE = {**_TEXT, '"': "&quot;", "\t": "&#9;", "\n": "&#10;"}


def _escape(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(ch, ch) for ch in _NOT_XML.sub("", text))


def text(value: str) -> str:
    """Element content, escaped."""
    return _escape(value, _TEXT)


def attribute(value: str) -> str:
    """A double-quoted attribute value, escaped (white space as character references, which parsers keep)."""
    return _escape(value, _ATTRIBUTE)


#: The environment variable that sets the creation date (https://reproducible-builds.org/specs/source-date-epoch/).
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"


def tmx_date(moment: datetime) -> str:
    """TMX's date format: ``YYYYMMDDThhmmssZ`` in UTC."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def creation_date() -> datetime | None:
    """The time ``SOURCE_DATE_EPOCH`` names, or None when it is not set (the date is then left out)."""
    raw = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ConfigError(
            [
                f"{SOURCE_DATE_EPOCH}={raw!r} (environment): expected whole seconds since 1970-01-01 UTC, "
                f"e.g. {SOURCE_DATE_EPOCH}=$(git log -1 --format=%ct); or unset it to leave the TMX date out"
            ]
        )
    return datetime.fromtimestamp(int(raw), UTC)


def _header(created: datetime | None) -> str:
    date = f' creationdate="{tmx_date(created)}"' if created is not None else ""
    return (
        f'<header creationtool="pipeline" creationtoolversion="{attribute(__version__)}" segtype="sentence"'
        f' o-tmf="pipeline" adminlang="en" srclang="zh" datatype="plaintext"{date}/>'
    )


def _props(pair: Pair) -> list[tuple[str, str]]:
    link = pair.link
    props = [("x-doc-id", link.doc_id), ("x-link-id", str(link.link_id)), ("x-origin", pair.origin)]
    props.append(("x-link-type", link.link_type))
    if link.align_score is not None:
        props.append(("x-align-score", link.fields[8]))  # as written in aligned.tsv
    if pair.status:
        props.append(("x-review", pair.status))
    return props


def translation_unit(pair: Pair) -> str:
    tuid = pair.link.id + (":mt" if pair.origin == "mt" else "")
    lines = [f'    <tu tuid="{attribute(tuid)}">']
    if pair.note:
        lines.append(f"      <note>{text(pair.note)}</note>")
    lines += [f'      <prop type="{name}">{text(value)}</prop>' for name, value in _props(pair)]
    lines.append(f'      <tuv xml:lang="zh"><seg>{text(pair.zh)}</seg></tuv>')
    lines.append(f'      <tuv xml:lang="en"><seg>{text(pair.en)}</seg></tuv>')
    lines.append("    </tu>")
    return "\n".join(lines)


def _opening(created: datetime | None) -> list[str]:
    return ['<?xml version="1.0" encoding="UTF-8"?>', '<tmx version="1.4">', f"  {_header(created)}", "  <body>"]


_CLOSING = ["  </body>", "</tmx>", ""]


class TmxSink(Sink):
    def __init__(self, path: Path, created: datetime | None) -> None:
        self.file = AtomicFile(path)
        self.file.write("\n".join(_opening(created)))

    def add_pair(self, pair: Pair) -> None:
        self.file.write("\n" + translation_unit(pair))

    def close(self) -> list[Path]:
        self.file.write("\n" + "\n".join(_CLOSING))
        return [self.file.commit()]

    def discard(self) -> None:
        self.file.discard()


class TmxExporter(CorpusExporter):
    filename = "corpus.tmx"

    def open(self, run_dir: Path, settings: ExportSection | None = None) -> Sink:
        return TmxSink(run_dir / self.filename, creation_date())

    def environment(self) -> str:
        """The file depends on ``SOURCE_DATE_EPOCH`` too: a run that changes it writes the file again."""
        return f"{SOURCE_DATE_EPOCH}={os.environ.get(SOURCE_DATE_EPOCH, '').strip()}"
