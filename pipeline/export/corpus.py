"""What the corpus formats share: the selection of the pairs that reach a corpus file, link after link,
with counts for the report, and the base of the corpus exporters.

Pairs: a link gives a source-reference pair (``reference``, a human parallel corpus) when both
sides have text, and a source-machine-translation pair (``mt``, synthetic) when it has source
sentences; ``export.pairs`` picks one origin or both. A reviewer's ``reject`` drops the link from
every origin; ``fix`` puts ``zh_fixed`` / ``en_fixed`` in place of the Chinese / English side of
every pair of the link; ``accept`` and ``fix`` keep a pair that a filter would drop.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import ExportSection
from pipeline.export.base import Exporter, Sink
from pipeline.export.digests import DigestSet
from pipeline.export.filters import FILTERS, Candidate, PairFilter
from pipeline.export.rows import NO_DECISION, Decision, LinkKey, LinkRow, Pair

#: The origins ``export.pairs`` selects, in output order.
ORIGINS: dict[str, tuple[str, ...]] = {"reference": ("reference",), "mt": ("mt",), "both": ("reference", "mt")}


def one_line(text: str) -> str:
    """White space runs (tabs and line breaks included) as one space: one pair, one line."""
    return " ".join(text.split())


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
