"""Build a tiny, randomly initialised MarianMT zh-en model, offline, in the hub model's file layout.

The Hugging Face Hub is not reachable everywhere this project is tested, so tests and the offline
demo use a model the project builds itself: SentencePiece models trained on a little text
(``source.spm``, ``target.spm``), a Marian ``vocab.json``, a ``MarianMTModel`` with a tiny config
saved as safetensors, and the tokenizer and generation configs: the same files as
``Helsinki-NLP/opus-mt-zh-en`` has, so it loads through exactly the same code path. Its
translations are nonsense; the marker file ``pipeline-tiny.json`` lets the run report say so.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pipeline.errors import ModelError

MARKER = "pipeline-tiny.json"


@dataclass(frozen=True)
class TinySpec:
    """Sizes of the tiny model. opus-mt-zh-en itself is d_model 512, 6+6 layers, 8 heads, FFN 2048."""

    d_model: int = 32
    layers: int = 2
    heads: int = 2
    ffn: int = 64
    max_positions: int = 512
    max_length: int = 48
    num_beams: int = 4
    zh_pieces: int = 600
    en_pieces: int = 500
    seed: int = 0
    #: Pad the joint vocabulary with unused entries up to this size (opus-mt-zh-en: 65,001), so the
    #: embedding and output layers have the real model's shape; None keeps just the pieces.
    vocab_size: int | None = None


def _corpus() -> tuple[list[str], list[str]]:
    text = resources.files("pipeline.translate").joinpath("tiny_corpus.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return [zh for zh, _ in rows], [en for _, en in rows]


def _train_spm(lines: list[str], prefix: Path, vocab_size: int) -> Path:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # a little text has fewer pieces than asked for; take what there is
        character_coverage=1.0,
        model_type="unigram",
        num_threads=1,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def _pieces(model_file: Path) -> list[str]:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(model_file))
    return [
        processor.id_to_piece(i)
        for i in range(processor.get_piece_size())
        if not (processor.is_control(i) or processor.is_unknown(i))
    ]


def _marian_vocab(source: Path, target: Path, size: int | None = None) -> dict[str, int]:
    """Shared vocabulary as opus-mt models have it: ``</s>`` 0, ``<unk>`` 1, pieces, ``<pad>`` last."""
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in [*_pieces(source), *_pieces(target)]:
        vocab.setdefault(piece, len(vocab))
    if size is not None:
        if len(vocab) >= size:
            raise ModelError(f"vocab_size {size} is too small for the {len(vocab) + 1} entries the pieces need")
        for extra in range(size - 1 - len(vocab)):
            vocab[f"<unused{extra}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


def _save_model(folder: Path, vocab_size: int, spec: TinySpec) -> None:
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    pad = vocab_size - 1
    config = MarianConfig(
        vocab_size=vocab_size,
        d_model=spec.d_model,
        encoder_layers=spec.layers,
        decoder_layers=spec.layers,
        encoder_attention_heads=spec.heads,
        decoder_attention_heads=spec.heads,
        encoder_ffn_dim=spec.ffn,
        decoder_ffn_dim=spec.ffn,
        max_position_embeddings=spec.max_positions,
        activation_function="swish",
        scale_embedding=True,
        static_position_embeddings=True,
        pad_token_id=pad,
        eos_token_id=0,
        bos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(spec.seed)
    model = MarianMTModel(config).eval()
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        max_length=spec.max_length,
        num_beams=spec.num_beams,
        pad_token_id=pad,
    )
    model.save_pretrained(folder, safe_serialization=True)


def build_tiny(folder: Path, spec: TinySpec | None = None, corpus: tuple[list[str], list[str]] | None = None) -> Path:
    """Write the tiny model into ``folder`` (created; must be empty or absent) and return it.

    ``corpus`` (Chinese lines, English lines) trains the SentencePiece models; by default the
    small text shipped with the package.
    """
    from transformers import MarianTokenizer

    spec = spec or TinySpec()
    if folder.exists() and any(folder.iterdir()):
        raise ModelError(f"{folder}: folder is not empty; choose a new folder for the tiny model")
    folder.mkdir(parents=True, exist_ok=True)
    zh, en = corpus or _corpus()
    with tempfile.TemporaryDirectory() as tmp:
        source = _train_spm(zh, Path(tmp) / "source", spec.zh_pieces)
        target = _train_spm(en, Path(tmp) / "target", spec.en_pieces)
        vocab = _marian_vocab(source, target, spec.vocab_size)
        vocab_file = Path(tmp) / "vocab.json"
        vocab_file.write_text(json.dumps(vocab, ensure_ascii=False, indent=2), encoding="utf-8")
        tokenizer = MarianTokenizer(
            source_spm=str(source),
            target_spm=str(target),
            vocab=str(vocab_file),
            source_lang="zho",
            target_lang="eng",
        )
        tokenizer.save_pretrained(folder)
    _save_model(folder, len(vocab), spec)
    marker = {
        "tiny": True,
        "warning": "random weights: this model's translations are nonsense; use it for tests only",
        "spec": spec.__dict__,
    }
    (folder / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    return folder


def is_tiny(folder: Path) -> bool:
    return (folder / MARKER).is_file()
