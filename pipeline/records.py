"""Typed records passed between stages.

Each stage consumes one record type and produces the next, so a reader can follow a document
through the run: ``Document`` (ingest) -> ``SegmentedDocument`` (segment) -> ``TranslatedDocument``
(translate) -> ``AlignedDocument`` (align). Records are frozen: a stage never edits its input.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of a document, as read from its file.

    ``line`` is the 1-based line of the input file the paragraph came from, kept so that
    later messages can point a user at the exact place.
    """

    index: int
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Document:
    """A Chinese document and, when given, its English reference, paired by ``id``."""

    id: str
    source: tuple[Paragraph, ...]
    reference: tuple[Paragraph, ...] | None
    source_path: str
    reference_path: str | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence with its place in the document.

    ``index`` is 0-based within the document and language; ``start``/``end`` are character
    offsets into paragraph ``paragraph``'s text, so ``paragraph.text[start:end] == text``.
    """

    doc_id: str
    lang: str
    index: int
    paragraph: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class SegmentedDocument:
    id: str
    sources: tuple[Sentence, ...]
    references: tuple[Sentence, ...] | None


@dataclass(frozen=True, slots=True)
class Translation:
    """The machine translation of one source sentence.

    ``flags`` say what happened on the way, for the TSV and the report (e.g. ``clause-split`` when a
    sentence too long for the model was translated in pieces); empty for a plain translation.
    """

    text: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TranslatedDocument:
    """Sources with one machine translation each (``translations[i]`` belongs to ``sources[i]``)."""

    id: str
    sources: tuple[Sentence, ...]
    references: tuple[Sentence, ...] | None
    translations: tuple[Translation, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """An alignment link: source sentence ids to reference sentence ids (0-based, in the document).

    A 1-0 link with no reference document means "translated, nothing to align to";
    ``score`` is None then. Otherwise it is the aligner's confidence in [0, 1].
    """

    doc_id: str
    index: int
    src: tuple[int, ...]
    ref: tuple[int, ...]
    score: float | None

    @property
    def type(self) -> str:
        return f"{len(self.src)}-{len(self.ref)}"


@dataclass(frozen=True, slots=True)
class AlignmentNotes:
    """What the aligner measured on one document, for the report and the manifest.

    ``bridge_trust`` (0 to 1) is how far the aligner trusted the document's machine translation:
    about 0 when its words find their matches in the reference no more often than by chance, 1 for
    a good translation; None when there was no translation to weigh. ``bridge_match_rate`` is the
    measurement behind it (:meth:`pipeline.align.evidence.Direction.excess_match_rate`).
    ``text_match_rate`` is the same measurement of the Chinese words, through the dictionary, in the
    reference sentences they were linked to; ``mismatched`` says the reference does not look like a
    translation of the document (the rate near chance, over enough words).
    """

    bridge_trust: float | None = None
    bridge_match_rate: float | None = None
    text_match_rate: float | None = None
    mismatched: bool = False

    #: Below this trust a translation is said to look meaningless (a warning in the report).
    MEANINGLESS_BELOW = 0.1

    @property
    def bridge_meaningless(self) -> bool:
        return self.bridge_trust is not None and self.bridge_trust < self.MEANINGLESS_BELOW

    def as_dict(self) -> dict[str, float | bool | None]:
        return {
            "bridge_trust": self.bridge_trust,
            "bridge_match_rate": self.bridge_match_rate,
            "text_match_rate": self.text_match_rate,
            "mismatched": self.mismatched,
        }


@dataclass(frozen=True, slots=True)
class AlignedDocument:
    id: str
    sources: tuple[Sentence, ...]
    references: tuple[Sentence, ...] | None
    translations: tuple[Translation, ...]
    links: tuple[Link, ...]
    notes: AlignmentNotes = AlignmentNotes()

    def source_text(self, link: Link) -> str:
        """Chinese side of a link; Chinese sentences join without a space."""
        return "".join(self.sources[i].text for i in link.src)

    def translation_text(self, link: Link) -> str:
        return " ".join(self.translations[i].text for i in link.src)

    def translation_flags(self, link: Link) -> tuple[str, ...]:
        """Flags of the link's translations, each once, in first-seen order."""
        return tuple(dict.fromkeys(f for i in link.src for f in self.translations[i].flags))

    def reference_text(self, link: Link) -> str:
        if self.references is None:
            return ""
        return " ".join(self.references[i].text for i in link.ref)


@dataclass(frozen=True, slots=True)
class ConfidenceInterval:
    """A 95% confidence interval from bootstrap resampling, as sacrebleu computes it.

    sacrebleu prints ``mean ± half_width`` (the mean of the resampled scores and half the distance
    between the 2.5th and 97.5th percentiles); ``low`` and ``high`` are those two percentiles.
    """

    mean: float
    half_width: float
    low: float
    high: float
    resamples: int


@dataclass(frozen=True, slots=True)
class MetricScore:
    """A corpus-level score with the signature that says how it was computed (as sacrebleu prints it).

    ``name`` is the config's metric name (``bleu``, ``chrf``, ``chrf++``, ``ter``); ``score`` is sacrebleu's
    value unrounded (round it once, where it is shown: rounding twice can move the second decimal);
    ``ci`` is set when bootstrap resampling was asked for (the signature then carries ``bs`` and ``seed``).
    """

    name: str
    score: float
    signature: str
    text: str
    ci: ConfidenceInterval | None = None


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """Corpus scores plus sentence-level chrF and BLEU per link, keyed by ``(doc_id, link index)``
    (None where a link lacks a source or a reference side), and corpus-level scores of each document's
    own links in ``documents`` (documents with nothing to score are absent)."""

    corpus: tuple[MetricScore, ...]
    link_chrf: dict[tuple[str, int], float | None]
    link_bleu: dict[tuple[str, int], float | None]
    scored_links: int
    skipped_links: int
    documents: dict[str, tuple[MetricScore, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DocumentScores:
    """What scoring one document gives, stored with its shard so that a run never holds all of them.

    ``chrf`` and ``bleu`` are the sentence scores of the document's links, by position in
    ``AlignedDocument.links`` (None where a link lacks a source or a reference side); ``scores`` are
    the document's own corpus-level scores (empty when nothing is scored); ``statistics`` are the
    per-segment sufficient statistics of each metric (``statistics[m][i]``: metric ``m``, ``i``-th
    scored link), from which the run's corpus scores are summed exactly.
    """

    id: str
    chrf: tuple[float | None, ...]
    bleu: tuple[float | None, ...]
    scores: tuple[MetricScore, ...] = ()
    statistics: tuple[tuple[tuple[float, ...], ...], ...] = ()

    @property
    def scored_links(self) -> int:
        return sum(1 for value in self.chrf if value is not None)


@dataclass(frozen=True, slots=True)
class CorpusScores:
    """The run's corpus scores, summed from every document's statistics, and how many links they cover."""

    corpus: tuple[MetricScore, ...]
    scored_links: int
    skipped_links: int
