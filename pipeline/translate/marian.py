"""MarianMT through transformers (``MarianMTModel`` + ``MarianTokenizer``).

Also the helpers the CTranslate2 backend shares: the decoding settings read from the model's own
generation config, and the check of the input limit against the model's positions.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import MarianSettings, ModelSettings, RepetitionGuard
from pipeline.errors import ModelError, StageError
from pipeline.translate.engine import ModelTranslator
from pipeline.translate.models import ResolvedModel, resolve


@dataclass(frozen=True)
class Decoding:
    """The decoding settings actually used: ours where set, else the model's generation config.

    ``max_length`` counts the decoder's start token, as transformers does; with
    ``forced_eos`` the last position is always ``</s>``.
    """

    num_beams: int
    max_length: int
    max_new_tokens: int | None
    forced_eos: bool
    length_penalty: float

    def generate_kwargs(self) -> dict[str, Any]:
        """Arguments for ``model.generate``; everything else comes from the model's generation config."""
        if self.max_new_tokens:
            return {"num_beams": self.num_beams, "max_new_tokens": self.max_new_tokens}
        return {"num_beams": self.num_beams, "max_length": self.max_length}

    @property
    def max_target_tokens(self) -> int:
        """Most output tokens before ``</s>`` (what CTranslate2 calls ``max_decoding_length``)."""
        generated = self.max_new_tokens or self.max_length - 1
        return generated - 1 if self.forced_eos else generated

    def describe(self) -> dict[str, Any]:
        return {**self.generate_kwargs(), "length_penalty": self.length_penalty, "forced_eos": self.forced_eos}

    def signature(self) -> str:
        return "|".join(f"{k}:{v}" for k, v in sorted(self.generate_kwargs().items()))


def decoding_settings(generation_config: Any, settings: ModelSettings) -> Decoding:
    own = generation_config
    return Decoding(
        num_beams=settings.num_beams or own.num_beams or 1,
        max_length=int(own.max_length or 512),
        max_new_tokens=settings.max_new_tokens,
        forced_eos=own.forced_eos_token_id is not None,
        length_penalty=float(own.length_penalty if own.length_penalty is not None else 1.0),
    )


class _BothLengthsSet(logging.Filter):
    """Drops transformers' warning that max_new_tokens overrides the model's own max_length: when a
    config sets max_new_tokens, that override is what was asked for."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "seem to have been set" not in record.getMessage()


_BOTH_LENGTHS = _BothLengthsSet()


def guard_signature(guard: RepetitionGuard) -> str:
    if not guard.enabled:
        return "guard:off"
    retry = f"retry:ngram{guard.no_repeat_ngram_size}+pen{guard.repetition_penalty}" if guard.retry else "noretry"
    return f"guard:ratio{guard.max_length_ratio}+repeats{guard.max_repeats}+{retry}"


def model_positions(folder: Path) -> int:
    """The model's source position limit, from its ``config.json``."""
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return int(config.get("max_position_embeddings", 512))


def check_input_limit(max_input_tokens: int, positions: int) -> None:
    if max_input_tokens > positions:
        raise ModelError(
            f"translate -> max_input_tokens: {max_input_tokens} is more than the model's {positions} positions; "
            f"set it to at most {positions}"
        )


def model_version(resolved: ResolvedModel | None) -> str:
    if resolved is None:
        return "unresolved"
    return resolved.revision or (resolved.folder_sha256 or "")[:12]


def pick_device(requested: str) -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ModelError("translate -> device: 'cuda' was asked for but torch sees no CUDA device; use 'auto' or 'cpu'")
    return requested


def pick_dtype(requested: str, device: str) -> str:
    if requested == "auto":
        return "float16" if device == "cuda" else "float32"
    if requested == "float16" and device == "cpu":
        raise ModelError("translate -> dtype: float16 is not supported on CPU; use float32 or bfloat16")
    return requested


class MarianTranslator(ModelTranslator):
    settings: MarianSettings

    def __init__(self, settings: MarianSettings) -> None:
        super().__init__(settings)
        self.resolved: ResolvedModel | None = None
        self.device = "cpu"
        self.dtype = "float32"
        self.decoding: Decoding | None = None
        self._positions = 512
        self._model: Any = None
        self._tokenizer: Any = None

    def load(self) -> None:
        if self._model is not None:
            return
        s = self.settings
        self.resolved = resolve(s.model, s.revision, s.models_dir, s.if_missing)
        self.device = pick_device(s.device)
        self.dtype = pick_dtype(s.dtype, self.device)
        import torch
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # our own progress bar is the one on translation
        logging.getLogger("transformers.generation.utils").addFilter(_BOTH_LENGTHS)
        if s.threads and self.device == "cpu":
            torch.set_num_threads(s.threads)
        path = self.resolved.path
        try:
            self._tokenizer = MarianTokenizer.from_pretrained(path)
            # Weights come from safetensors when present, else torch.load(weights_only=True);
            # remote code is never run.
            model = MarianMTModel.from_pretrained(path, trust_remote_code=False)
            self._model = model.to(device=self.device, dtype=getattr(torch, self.dtype)).eval()
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelError(f"translate -> model: cannot load {path}: {exc}") from None
        self.decoding = decoding_settings(self._model.generation_config, s)
        self._positions = int(self._model.config.max_position_embeddings)
        check_input_limit(s.max_input_tokens, self._positions)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(ids) for ids in self._tokenizer(texts)["input_ids"]]

    def translate_batch(self, texts: list[str]) -> list[str]:
        return self._generate(texts, {})

    def retry_batch(self, texts: list[str]) -> list[str] | None:
        guard = self.settings.repetition
        return self._generate(
            texts, {"no_repeat_ngram_size": guard.no_repeat_ngram_size, "repetition_penalty": guard.repetition_penalty}
        )

    def _generate(self, texts: list[str], extra: dict[str, Any]) -> list[str]:
        import torch

        if self.decoding is None:
            raise StageError("MarianTranslator.translate_batch called before load()")
        batch = self._tokenizer(texts, return_tensors="pt", padding=True)
        if batch["input_ids"].shape[1] > self._positions:
            # The base cuts long sentences into pieces first; this is a bug, not user input.
            raise StageError(f"a segment of {batch['input_ids'].shape[1]} tokens reached the model ({self._positions})")
        batch = {k: v.to(self.device) for k, v in batch.items()}
        with torch.inference_mode():
            generated = self._model.generate(**batch, **self.decoding.generate_kwargs(), **extra)
        return [t.strip() for t in self._tokenizer.batch_decode(generated, skip_special_tokens=True)]

    def cache_identity(self) -> str:
        decoding = self.decoding.signature() if self.decoding else "unloaded"
        return (
            f"marian|model:{self.settings.model}|version:{model_version(self.resolved)}|{decoding}"
            f"|dtype:{self.dtype}|device:{self.device}|{guard_signature(self.settings.repetition)}"
        )

    # -- forced decoding, for the aligner (pipeline/align/bridge.py) --------------------------------

    def score_references(self, sources: Sequence[str], references: Sequence[str]) -> list[float]:
        """Mean log-probability per token the model gives each reference as the translation of its source.

        Forced decoding: the reference is fed to the decoder as the target and its tokens'
        log-probabilities are read off, no generation. Near 0 means "what the model would have
        said"; unrelated pairs score far below. Inputs longer than the model's limit are cut.
        """
        import torch

        if len(sources) != len(references):
            raise ValueError(f"{len(sources)} sources but {len(references)} references")
        self.load()
        scores: list[float] = []
        limit, batch_size = self._positions, self.settings.batch_size
        for start in range(0, len(sources), batch_size):
            batch = self._tokenizer(
                list(sources[start : start + batch_size]),
                text_target=list(references[start : start + batch_size]),
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=limit,
            )
            labels = batch.pop("labels")
            labels[labels == self._tokenizer.pad_token_id] = -100
            batch = {k: v.to(self.device) for k, v in batch.items()}
            with torch.inference_mode():
                logits = self._model(**batch, labels=labels.to(self.device)).logits.float()
            mask = (labels != -100).to(self.device)
            chosen = logits.log_softmax(-1).gather(-1, labels.clamp(min=0).to(self.device).unsqueeze(-1)).squeeze(-1)
            per_token = (chosen * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
            scores.extend(float(x) for x in per_token.cpu())
        return scores

    def signature(self) -> str:
        return f"{self.cache_identity()}|{self.engine_signature()}"

    def describe(self) -> dict[str, Any]:
        import torch
        import transformers

        return {
            "signature": self.signature(),
            "model": self.resolved.describe() if self.resolved else None,
            "generation": self.decoding.describe() if self.decoding else {},
            "device": self.device,
            "dtype": self.dtype,
            "threads": torch.get_num_threads() if self.device == "cpu" else None,
            "torch": torch.__version__,
            "transformers": transformers.__version__,
        }

    def close(self) -> None:
        super().close()
        self._model = None
        self._tokenizer = None
