"""What the corpus formats share: links as the TSV holds them, review decisions, and the selection of
the pairs that reach a corpus file, with counts for the report.

A run and ``pipeline apply`` build the corpus from the same rows, the fields of ``aligned.tsv``
(numbers rounded as written there), so a filter threshold means the same in both and applying an
empty review rewrites identical corpus files. A link is identified by ``doc_id`` and ``link_id``.

Pairs: a link gives a source-reference pair (``reference``, a human parallel corpus) when both
sides have text, and a source-machine-translation pair (``mt``, synthetic) when it has source
sentences; ``export.pairs`` picks one origin or both. A reviewer's ``reject`` drops the link from
every origin; ``fix`` puts ``zh_fixed`` / ``en_fixed`` in place of the Chinese / English side of
every pair of the link; ``accept`` and ``fix`` keep a pair that a filter would drop.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import ExportSection
from pipeline.errors import InputError
from pipeline.export.base import Exporter, Sink
from pipeline.export.digests import DigestSet
from pipeline.export.filters import FILTERS, Candidate, PairFilter
from pipeline.export.tsv import LINK_COLUMNS, format_number, numbered_records

LinkKey = tuple[str, int]

#: The origins ``export.pairs`` selects, in output order.
ORIGINS: dict[str, tuple[str, ...]] = {"reference": ("reference",), "mt": ("mt",), "both": ("reference", "mt")}


def one_line(text: str) -> str:
    """White space runs (tabs and line breaks included) as one space: one pair, one line."""
    return " ".join(text.split())


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
        """The pair as one JSONL object / Parquet row (the columns README lists)."""
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


@dataclass
class OriginCounts:
    """How the links of one origin fared: ``links == one_sided + sum(removed) + written``."""

    links: int = 0
    one_sided: int = 0
    removed: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("review_reject", MISMATCHED, *FILTERS, "duplicates"), 0)
    )
    kept_by_review: int = 0
    written: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "links": self.links,
            "one_sided": self.one_sided,
            "removed": dict(self.removed),
            "kept_by_review": self.kept_by_review,
            "written": self.written,
        }


def _english(row: LinkRow, origin: str) -> str:
    return row.en if origin == "reference" else row.mt


def _pair_text(zh: str, en: str) -> str:
    """One text per pair for duplicate detection; the length prefix keeps ("ab", "c") apart from ("a", "bc")."""
    zh, en = one_line(zh), one_line(en)
    return f"{len(zh)}:{zh}{en}"


#: Why a reference pair of a document whose reference does not translate it is left out.
MISMATCHED = "mismatched_document"


class OriginSelector:
    """Review decisions and filters for one origin, applied link after link.

    Duplicate removal remembers the pairs already written by digest (:class:`DigestSet`, 16 bytes per
    distinct pair), so it keeps the first of identical pairs however far apart they are in the run.
    """

    def __init__(
        self, origin: str, settings: ExportSection, decisions: Mapping[LinkKey, Decision], mismatched: set[str]
    ) -> None:
        self.origin = origin
        self.decisions = decisions
        # the documents whose reference is not their translation (pairs with the MT stay: they never used it)
        self.mismatched = mismatched if origin == "reference" and settings.skip_mismatched_documents else set()
        self.counts = OriginCounts()
        self._quality = PairFilter(settings.filters)
        self._seen = DigestSet() if settings.filters.drop_duplicates else None

    def judge(self, row: LinkRow) -> Pair | str:
        """The pair this link gives, or the reason it gives none (counted either way)."""
        counts = self.counts
        counts.links += 1
        decision = self.decisions.get(row.key, NO_DECISION)
        zh = decision.zh_fixed or row.zh
        en = decision.en_fixed or _english(row, self.origin)
        reason: str | None = None
        if decision.status == "reject":
            reason = "review_reject"
        elif not zh.strip() or not en.strip():
            counts.one_sided += 1
            return "one_sided"
        else:
            judged_by_aligner = self.origin == "reference"
            failed = MISMATCHED if row.doc_id in self.mismatched else None
            failed = failed or self._quality.first_failure(
                Candidate(zh, en, row.link_type, row.align_score, judged_by_aligner)
            )
            if failed and decision.keeps:
                counts.kept_by_review += 1
            else:
                reason = failed
        if reason is None and self._seen is not None and not self._seen.add(_pair_text(zh, en)):
            reason = "duplicates"
        if reason is not None:
            counts.removed[reason] += 1
            return reason
        counts.written += 1
        return Pair(row, self.origin, zh, en, decision.status, decision.note)


class Selector:
    """Every origin ``settings.pairs`` asks for, judging each link as it comes."""

    def __init__(
        self,
        settings: ExportSection,
        decisions: Mapping[LinkKey, Decision] | None = None,
        mismatched: Iterable[str] = (),
    ) -> None:
        self.settings = settings
        #: ids of documents whose reference does not translate them; more are added as a run streams past
        self.mismatched = set(mismatched)
        self.origins = [OriginSelector(o, settings, decisions or {}, self.mismatched) for o in ORIGINS[settings.pairs]]

    def judge(self, row: LinkRow) -> dict[str, Pair | str]:
        return {s.origin: s.judge(row) for s in self.origins}

    @property
    def counts(self) -> dict[str, OriginCounts]:
        return {s.origin: s.counts for s in self.origins}

    def summary(self) -> dict[str, Any]:
        """The ``export`` section of ``report.json``."""
        return {
            "pairs": self.settings.pairs,
            "filters": self.settings.filters.model_dump(mode="json"),
            "origins": {origin: c.as_dict() for origin, c in self.counts.items()},
        }


class CorpusExporter(Exporter):
    """An exporter of selected pairs: :meth:`open` gives a sink that receives the pairs origin after origin."""

    judged = True

    @abstractmethod
    def open(self, run_dir: Path, settings: ExportSection | None = None) -> Sink:
        """Start this format's files; ``settings`` (pairs, filters) are the ones the files describe."""
