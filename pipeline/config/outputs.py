"""The sections that say what a run computes and writes, and where: ``score``, ``export``, ``executor``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Tag, field_validator, model_validator

from pipeline.config.alignment import LinkType
from pipeline.config.base import Section, tag_of

# ---------------------------------------------------------------------------------------------
# score


MetricName = Literal["bleu", "chrf", "chrf++", "ter"]

#: What is scored unless asked otherwise. sacrebleu's command line scores BLEU alone; chrF costs about as
#: little and judges translations better. chrF++ and TER are on request: TER's edit distance with shifts
#: (pipeline.score.ter) is by far the slowest metric, above all on long segments.
DEFAULT_METRICS: tuple[MetricName, ...] = ("bleu", "chrf")


class SacrebleuSettings(Section):
    """Corpus metrics through sacrebleu with its own defaults for English (``13a`` tokenisation)."""

    name: Literal["sacrebleu"] = "sacrebleu"
    metrics: list[MetricName] = Field(
        default_factory=lambda: list(DEFAULT_METRICS),
        min_length=1,
        description="Corpus metrics: bleu and chrf by default; chrf++ and ter (slow on long segments) on request.",
    )
    tokenize: Literal["13a", "intl", "char", "none"] = Field(default="13a", description="BLEU tokenizer for English.")
    lowercase: bool = Field(default=False, description="Score lower-cased text (sacrebleu -lc).")
    bootstrap: int = Field(
        default=1000,
        ge=0,
        description="Bootstrap resamples for 95% confidence intervals (sacrebleu's default 1000); 0 turns them off.",
    )


ScoreSection = Annotated[Annotated[SacrebleuSettings, Tag("sacrebleu")], tag_of("sacrebleu")]


# ---------------------------------------------------------------------------------------------
# export


ExportFormat = Literal["tsv", "moses", "jsonl", "parquet", "tmx", "review"]


class ExportFilters(Section):
    """Which aligned pairs reach the corpus files (Moses, JSONL, Parquet, TMX); the TSV and the review
    page always hold every link. Every filter is off by default. Lengths count characters other than
    white space; the ratio is English length over Chinese length. ``min_align_score`` and
    ``link_types`` judge the alignment, so they apply to source-reference pairs only. A link a reviewer
    accepted or fixed is kept whatever these filters say."""

    min_align_score: float | None = Field(default=None, ge=0, le=1, description="Drop links the aligner doubts.")
    link_types: list[LinkType] | None = Field(default=None, min_length=1, description="e.g. [1-1]; None: all.")
    min_length: int = Field(default=0, ge=0, description="Characters on each side, white space not counted.")
    max_length: int | None = Field(default=None, gt=0, description="Characters on each side at most.")
    min_length_ratio: float | None = Field(default=None, gt=0, description="English chars / Chinese chars.")
    max_length_ratio: float | None = Field(default=None, gt=0, description="English chars / Chinese chars at most.")
    min_script_ratio: float | None = Field(
        default=None, gt=0, le=1, description="Share of letters in the expected script (Han / Latin), each side."
    )
    drop_duplicates: bool = Field(default=False, description="Keep the first of identical (zh, en) pairs.")

    @model_validator(mode="after")
    def _bounds_in_order(self) -> ExportFilters:
        if self.max_length is not None and self.min_length > self.max_length:
            raise ValueError(f"min_length {self.min_length} is above max_length {self.max_length}")
        low, high = self.min_length_ratio, self.max_length_ratio
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_length_ratio {low} is above max_length_ratio {high}")
        return self


class ExportSection(Section):
    """What a run writes besides its report and manifest: the aligned TSV, corpus files, the review page."""

    formats: list[ExportFormat] = Field(
        default_factory=lambda: ["tsv", "moses", "review"],
        description="Files: tsv (aligned.tsv); moses, jsonl, parquet, tmx (corpus files); review (review.html).",
    )
    pairs: Literal["reference", "mt", "both"] = Field(
        default="reference",
        description="Corpus pairs: source-reference (human), source-machine translation (synthetic), or both.",
    )
    filters: ExportFilters = Field(
        default=ExportFilters(), description="Which pairs reach the corpus files; every filter is off by default."
    )
    skip_mismatched_documents: bool = Field(
        default=True,
        description="Leave the reference pairs of a document whose reference does not look like its translation "
        "(the aligner's text_match_rate near chance) out of the corpus files; the TSV and the report keep them.",
    )
    review_max_links: int = Field(
        default=50_000,
        gt=0,
        description="Links review.html holds (the first ones of the run); the page says how many more "
        "aligned.tsv has. A page stays usable up to about this many.",
    )
    report_max_links: int = Field(
        default=50_000,
        gt=0,
        description="Links report.html lists per document, and flagged links it and report.json list; "
        "counts, scores and plots always cover every link, and aligned.tsv holds them all.",
    )

    @model_validator(mode="after")
    def _review_needs_tsv(self) -> ExportSection:
        if "review" in self.formats and "tsv" not in self.formats:
            raise ValueError("'review' needs 'tsv' too: pipeline apply checks a reviewed file against aligned.tsv")
        return self


# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# executor


class LocalExecutorSettings(Section):
    """Shard after shard in this process (the default; never imports Ray)."""

    name: Literal["local"] = "local"


class RaySettings(Section):
    """Shards processed by a pool of Ray actors through Ray Data (``pip install '.[ray]'``).

    Each actor builds the per-shard stages from the run config once (loading the translation model
    once) and processes one shard per call, reading and writing the run folder's stage store; the
    merge, scoring and export stay in the driver. On a cluster the run folder, the model and every
    path in the config must be reachable at the same path on every node (shared storage).
    """

    name: Literal["ray"]
    address: str | None = Field(
        default=None,
        min_length=1,
        description="None: start a local Ray in this process; 'auto': the cluster this node has joined "
        "(`ray start`); 'ray://HOST:10001': a remote cluster through Ray Client.",
    )
    num_actors: int = Field(default=1, gt=0, description="Actors in the pool: shards processed at once.")
    num_gpus_per_actor: float = Field(default=0, ge=0, description="GPUs each actor reserves (0.5: two share one).")
    num_cpus_per_actor: float = Field(default=1, ge=0, description="CPUs each actor reserves.")
    local_num_cpus: int | None = Field(
        default=None, gt=0, description="CPUs of a local Ray started on the fly (address: null); default: all."
    )

    @field_validator("num_gpus_per_actor")
    @classmethod
    def _whole_gpus_above_one(cls, gpus: float) -> float:
        if gpus > 1 and not float(gpus).is_integer():
            raise ValueError(f"{gpus} is neither a fraction of one GPU nor a whole number (Ray's rule)")
        return gpus


ExecutorSection = Annotated[
    Annotated[LocalExecutorSettings, Tag("local")] | Annotated[RaySettings, Tag("ray")],
    tag_of("local"),
]
