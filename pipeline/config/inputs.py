"""The sections that say what a run reads and how it splits it: ``run``, ``ingest``, ``segment``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, Tag

from pipeline.config.base import Section, tag_of

# ---------------------------------------------------------------------------------------------
# run


class RunSection(Section):
    """Where a run's folder goes, and how its documents are grouped into shards."""

    name: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Run folder name under output_dir; defaults to the config file's stem.",
    )
    output_dir: Path = Field(default=Path("outputs"), description="Folder that holds the run folders.")
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
    path: Path = Field(description="The JSON Lines file of documents.")
    encoding: str = Field(default="auto", description="A codec name, or auto: BOM, then UTF-8, then detection.")


IngestSection = Annotated[
    Annotated[TextIngest, Tag("text")] | Annotated[JsonlIngest, Tag("jsonl")],
    tag_of("text"),
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
    """How Chinese (``zh``) and English (``en``) paragraphs are split into sentences."""

    zh: Annotated[
        Annotated[ChineseRules, Tag("zh-rules")] | Annotated[ChineseLines, Tag("zh-lines")], tag_of("zh-rules")
    ] = ChineseRules()
    en: Annotated[
        Annotated[EnglishRules, Tag("en-rules")] | Annotated[EnglishLines, Tag("en-lines")], tag_of("en-rules")
    ] = EnglishRules()
