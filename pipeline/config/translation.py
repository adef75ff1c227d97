"""The ``translate`` section: a model (MarianMT, CTranslate2), a file of translations, or none."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, Tag, model_validator

from pipeline.config.base import Section, tag_of

# ---------------------------------------------------------------------------------------------
# translate


class RepetitionGuard(Section):
    """Flags implausible outputs (opus-mt's known failure: output that loops) and translates them again.

    An output is implausible when it is longer than ``max_length_ratio`` characters per source
    character (plus 50, as short sources have naturally high ratios), or when a word n-gram
    (n <= 8) repeats back to back more than ``max_repeats`` times. Thresholds were chosen on
    MAC-Dev and the WMT22 zh-en systems, where they flag the looping outputs and almost nothing else.
    """

    enabled: bool = Field(default=True, description="Check every output for loops; off: no check, no flags.")
    max_length_ratio: float = Field(
        default=10.0,
        gt=0,
        description="Output characters per source character (plus 50) above which an output is a loop.",
    )
    max_repeats: int = Field(
        default=3, ge=1, description="A word n-gram repeated back to back more often than this is a loop."
    )
    retry: bool = Field(default=True, description="Translate flagged sentences again with the settings below.")
    no_repeat_ngram_size: int = Field(
        default=3, ge=0, description="The retry's decoding: no n-gram of this size twice (0: off)."
    )
    repetition_penalty: float = Field(
        default=1.2, ge=1.0, description="The retry's decoding: penalty on tokens already generated (1: none)."
    )


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
    repetition: RepetitionGuard = Field(
        default=RepetitionGuard(), description="The repetition guard: loops flagged and translated again."
    )
    chinese_script: Literal["keep", "t2s", "tw2s", "hk2s", "tw2sp"] = Field(
        default="keep",
        description="Convert traditional Chinese to simplified for the model with OpenCC (pip install '.[opencc]'): "
        "t2s (any traditional), tw2s (Taiwan), hk2s (Hong Kong), tw2sp (Taiwan, with phrases). "
        "Only the model's input changes; every output keeps the original text.",
    )
    cache: bool = Field(default=True, description="Keep finished translations in <run folder>/cache/ for reruns.")
    progress: bool = Field(default=True, description="A progress bar on a terminal (never in a log file).")


class ModelSettings(EngineSettings):
    """A MarianMT model (a hub id or a local folder) and how to decode with it."""

    model: str = Field(
        default="Helsinki-NLP/opus-mt-zh-en",
        description="A Hugging Face hub id (downloaded into models_dir on first use) or a local MarianMT folder.",
    )
    revision: str = Field(default="main", description="Hub branch, tag or commit; ignored for a local folder.")
    models_dir: Path = Field(default=Path("models"), description="Where hub downloads and conversions are kept.")
    if_missing: Literal["error", "build-tiny"] = Field(
        default="error",
        description="For a local folder that does not exist: stop, or build the tiny test model there.",
    )
    num_beams: int | None = Field(default=None, gt=0, description="None: the model's own setting.")
    max_new_tokens: int | None = Field(default=None, gt=0, description="None: the model's own length limit.")
    device: Literal["auto", "cpu", "cuda"] = Field(default="auto", description="auto: CUDA when there is a GPU.")
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
    format: Literal["lines", "jsonl", "tsv"] = Field(
        default="lines", description="How the file is laid out (see above): line-parallel text, JSON Lines or a TSV."
    )
    source: Path | None = Field(default=None, description="lines only: the source file that path translates.")
    source_field: str = Field(default="zh", description="jsonl/tsv: key or column of the source text.")
    translation_field: str = Field(default="mt", description="jsonl/tsv: key or column of the translation.")
    unit: Literal["auto", "sentences", "paragraphs"] = Field(
        default="auto",
        description="What one translation in the file translates: a source sentence, or a source paragraph "
        "(split into sentences and aligned by the run); auto: per document, whichever the file covers.",
    )
    encoding: str = Field(default="utf-8", description="The codec of the translations file (and of source).")

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
    tag_of("marian"),
]
