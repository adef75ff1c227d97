"""One alignment link as ``aligned.tsv`` holds it, a reviewer's decision on it, and the pair it gives a corpus.

Everything the export writes is made from these rows, the fields of ``aligned.tsv`` (numbers rounded as
written there): a run and ``pipeline apply`` build the corpus from the same rows, so a filter threshold
means the same in both and applying an empty review rewrites identical corpus files. A link is identified
by ``doc_id`` and ``link_id`` (its 0-based index within the document).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

LinkKey = tuple[str, int]

#: What the run knows about a link, in this order: the first columns of ``aligned.tsv``.
LINK_COLUMNS = (
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


def format_number(value: float | None, digits: int) -> str:
    """A score as the TSV writes it: ``digits`` decimals, empty for none."""
    return "" if value is None else f"{value:.{digits}f}"


def _ids(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",")) if text else ()
    except ValueError:
        raise ValueError("is not a comma-separated list of sentence numbers") from None


def _number(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        raise ValueError("is not a number") from None


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("is not a number") from None


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One alignment link as ``aligned.tsv`` holds it; ``fields`` are its :data:`LINK_COLUMNS` strings."""

    doc_id: str
    link_id: int
    src_ids: tuple[int, ...]
    ref_ids: tuple[int, ...]
    zh: str
    mt: str
    en: str
    link_type: str
    align_score: float | None
    chrf: float | None
    bleu: float | None
    flags: tuple[str, ...]
    fields: tuple[str, ...]

    @property
    def key(self) -> LinkKey:
        return (self.doc_id, self.link_id)

    @property
    def id(self) -> str:
        """``doc_id:link_id``, the link's name in messages and in TMX ``tuid``."""
        return f"{self.doc_id}:{self.link_id}"

    @classmethod
    def from_fields(cls, fields: Sequence[str]) -> LinkRow:
        """Parse the :data:`LINK_COLUMNS` fields; ``ValueError`` says which one is malformed and why."""
        if len(fields) != len(LINK_COLUMNS):
            raise ValueError(f"expected {len(LINK_COLUMNS)} link fields, found {len(fields)}")
        values = dict(zip(LINK_COLUMNS, fields, strict=True))
        parsed: dict[str, Any] = {}
        for column, parse in (
            ("link_id", _integer),
            ("src_ids", _ids),
            ("ref_ids", _ids),
            ("align_score", _number),
            ("chrf", _number),
            ("bleu", _number),
        ):
            try:
                parsed[column] = parse(values[column])
            except ValueError as exc:
                raise ValueError(f"{column}: {values[column]!r} {exc}") from None
        return cls(
            doc_id=values["doc_id"],
            zh=values["zh"],
            mt=values["mt"],
            en=values["en"],
            link_type=values["link_type"],
            flags=tuple(f for f in values["flags"].split(",") if f),
            fields=tuple(fields),
            **parsed,
        )

    def with_scores(self, chrf: float | None, bleu: float | None) -> LinkRow:
        """The row with sentence scores computed again (``pipeline report``), rounded as the TSV writes them."""
        fields = list(self.fields)
        fields[_CHRF], fields[_BLEU] = format_number(chrf, 2), format_number(bleu, 2)
        return LinkRow.from_fields(fields)


_CHRF, _BLEU = LINK_COLUMNS.index("chrf"), LINK_COLUMNS.index("bleu")


@dataclass(frozen=True, slots=True)
class Decision:
    """A reviewer's judgement of one link: ``status`` is ``accept``, ``reject``, ``fix`` or empty."""

    status: str = ""
    zh_fixed: str = ""
    en_fixed: str = ""
    note: str = ""

    @property
    def keeps(self) -> bool:
        """A person looked and kept the link: it passes the automatic filters."""
        return self.status in ("accept", "fix")

    def fields(self) -> list[str]:
        return [self.status, self.zh_fixed, self.en_fixed, self.note]


NO_DECISION = Decision()


@dataclass(frozen=True, slots=True)
class Pair:
    """One line of a parallel corpus: a Chinese side, an English side, and where they came from."""

    link: LinkRow
    origin: str  # "reference" or "mt"
    zh: str
    en: str
    status: str = ""  # the review decision, empty when none
    note: str = ""  # the reviewer's note

    def record(self) -> dict[str, Any]:
        """The pair as one JSONL object / Parquet row (the columns docs/outputs.md lists)."""
        link = self.link
        return {
            "id": link.id,
            "doc_id": link.doc_id,
            "link_id": link.link_id,
            "origin": self.origin,
            "zh": self.zh,
            "en": self.en,
            "src_ids": list(link.src_ids),
            "ref_ids": list(link.ref_ids),
            "link_type": link.link_type,
            "align_score": link.align_score,
            "chrf": link.chrf,
            "bleu": link.bleu,
            "flags": list(link.flags),
            "status": self.status,
            "note": self.note,
        }
