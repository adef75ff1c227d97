"""MarianMT through transformers (``MarianMTModel`` + ``MarianTokenizer``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.config import MarianSettings
from pipeline.errors import ModelError
from pipeline.translate.base import Translator
from pipeline.translate.models import ResolvedModel, resolve


def pick_device(requested: str) -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ModelError("translate -> device: 'cuda' was asked for but torch sees no CUDA device; use 'auto' or 'cpu'")
    return requested


class MarianTranslator(Translator):
    def __init__(self, settings: MarianSettings) -> None:
        super().__init__()
        self.settings = settings
        self.batch_size = settings.batch_size
        self.show_progress = settings.progress
        self.resolved: ResolvedModel | None = None
        self.device = "cpu"
        self._model: Any = None
        self._tokenizer: Any = None
        self._generation: dict[str, Any] = {}

    def load(self) -> None:
        if self._model is not None:
            return
        s = self.settings
        self.resolved = resolve(s.model, s.revision, s.models_dir, s.if_missing)
        self.device = pick_device(s.device)
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # our own progress bar is the one on translation
        path = self.resolved.path
        try:
            self._tokenizer = MarianTokenizer.from_pretrained(path)
            # Weights come from safetensors when present, else torch.load(weights_only=True);
            # remote code is never run.
            self._model = MarianMTModel.from_pretrained(path, trust_remote_code=False).to(self.device).eval()
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelError(f"translate -> model: cannot load {path}: {exc}") from None
        self._generation = self._generation_settings()

    def _generation_settings(self) -> dict[str, Any]:
        """The decoding settings actually used: ours where set, else the model's own."""
        own = self._model.generation_config
        num_beams = self.settings.num_beams or own.num_beams or 1
        if self.settings.max_new_tokens:
            return {"num_beams": num_beams, "max_new_tokens": self.settings.max_new_tokens}
        return {"num_beams": num_beams, "max_length": own.max_length}

    @property
    def max_source_tokens(self) -> int:
        return int(self._model.config.max_position_embeddings)

    def translate_batch(self, texts: list[str]) -> list[str]:
        import torch

        batch = self._tokenizer(texts, return_tensors="pt", padding=True)
        limit = self.max_source_tokens
        lengths = batch["attention_mask"].sum(dim=1)
        if int(lengths.max()) > limit:
            # The model has no position embeddings beyond its limit; cut, count and report.
            self.stats.truncated += int((lengths > limit).sum())
            batch = {k: v[:, :limit] for k, v in batch.items()}
        batch = {k: v.to(self.device) for k, v in batch.items()}
        with torch.inference_mode():
            generated = self._model.generate(**batch, **self._generation)
        return [t.strip() for t in self._tokenizer.batch_decode(generated, skip_special_tokens=True)]

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
        limit = self.max_source_tokens
        for start in range(0, len(sources), self.batch_size):
            batch = self._tokenizer(
                list(sources[start : start + self.batch_size]),
                text_target=list(references[start : start + self.batch_size]),
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
        r = self.resolved
        version = (r.revision or (r.folder_sha256 or "")[:12]) if r else "unresolved"
        decoding = "|".join(f"{k}:{v}" for k, v in sorted(self._generation.items()))
        model = self.settings.model
        return f"marian|model:{model}|version:{version}|{decoding}|batch:{self.batch_size}|device:{self.device}"

    def describe(self) -> dict[str, Any]:
        import torch
        import transformers

        return {
            "signature": self.signature(),
            "model": self.resolved.describe() if self.resolved else None,
            "generation": dict(self._generation),
            "device": self.device,
            "torch": torch.__version__,
            "transformers": transformers.__version__,
        }

    def close(self) -> None:
        self._model = None
        self._tokenizer = None
