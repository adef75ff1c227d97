"""MarianMT run by CTranslate2 (``translate.name: ctranslate2``; ``pip install .[ct2]``).

The MarianMT folder (hub or local) is converted once into ``models_dir/ctranslate2/`` with the
chosen quantization (int8 on CPU and float16 on CUDA by default), next to a marker that says from
what it was made. Tokenization is MarianTokenizer's, so both backends see the same tokens.
CTranslate2's own decoding defaults differ from the model's (beam 2, 256 tokens), so the beam
size and length limit are always passed explicitly, from the model's generation config.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from pipeline.config import CTranslate2Settings
from pipeline.errors import ModelError, StageError
from pipeline.translate.engine import ModelTranslator
from pipeline.translate.marian import (
    Decoding,
    check_input_limit,
    decoding_settings,
    guard_signature,
    model_positions,
    model_version,
)
from pipeline.translate.models import ResolvedModel, resolve

MARKER = "pipeline-ct2.json"
INSTALL_HINT = "translate -> name: ctranslate2 needs the ctranslate2 package: pip install '.[ct2]'"


def import_ctranslate2() -> Any:
    try:
        import ctranslate2
    except ImportError:
        raise ModelError(INSTALL_HINT) from None
    return ctranslate2


def pick_device(requested: str, ct2: Any) -> str:
    has_cuda = ct2.get_cuda_device_count() > 0
    if requested == "auto":
        return "cuda" if has_cuda else "cpu"
    if requested == "cuda" and not has_cuda:
        raise ModelError("translate -> device: 'cuda' was asked for but CTranslate2 sees no CUDA device")
    return requested


def pick_quantization(requested: str, device: str) -> str:
    if requested == "auto":
        return "float16" if device == "cuda" else "int8"
    return requested


def converted_path(resolved: ResolvedModel, models_dir: Path, quantization: str) -> Path:
    """Where the conversion of this exact model version with this quantization lives."""
    name = resolved.requested if resolved.origin == "hub" else resolved.path.name
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", name).strip("-.") or "model"
    return models_dir / "ctranslate2" / f"{slug}-{model_version(resolved)[:12]}-{quantization}"


def ensure_converted(resolved: ResolvedModel, models_dir: Path, quantization: str) -> Path:
    """Convert the MarianMT folder once (to a temporary folder, then renamed) and return the result."""
    target = converted_path(resolved, models_dir, quantization)
    if (target / "model.bin").is_file() and (target / MARKER).is_file():
        return target
    from ctranslate2.converters import TransformersConverter

    ct2 = import_ctranslate2()
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        converter = TransformersConverter(str(resolved.path), low_cpu_mem_usage=True, trust_remote_code=False)
        converter.convert(str(tmp), quantization=quantization, force=True)
    except Exception as exc:  # the converter raises many kinds; all mean the same to the user
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelError(f"translate -> model: cannot convert {resolved.path} for CTranslate2: {exc}") from None
    marker = {"source": resolved.describe(), "quantization": quantization, "ctranslate2": ct2.__version__}
    (tmp / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)  # a half-made folder from an older, killed conversion
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, target)
    return target


def generation_config(folder: Path) -> Any:
    """The model's generation config; older hub models keep its keys in ``config.json``, as transformers reads them."""
    from transformers import GenerationConfig

    if (folder / "generation_config.json").is_file():
        return GenerationConfig.from_pretrained(folder)
    return GenerationConfig.from_dict(json.loads((folder / "config.json").read_text(encoding="utf-8")))


class CTranslate2Translator(ModelTranslator):
    settings: CTranslate2Settings

    def __init__(self, settings: CTranslate2Settings) -> None:
        super().__init__(settings)
        self.resolved: ResolvedModel | None = None
        self.converted: Path | None = None
        self.device = "cpu"
        self.quantization = settings.quantization
        self.decoding: Decoding | None = None
        self._translator: Any = None
        self._tokenizer: Any = None

    def load(self) -> None:
        if self._translator is not None:
            return
        ct2 = import_ctranslate2()
        s = self.settings
        self.resolved = resolve(s.model, s.revision, s.models_dir, s.if_missing)
        self.device = pick_device(s.device, ct2)
        self.quantization = pick_quantization(s.quantization, self.device)
        check_input_limit(s.max_input_tokens, model_positions(self.resolved.path))
        from transformers import MarianTokenizer

        self.converted = ensure_converted(self.resolved, s.models_dir, self.quantization)
        try:
            self._tokenizer = MarianTokenizer.from_pretrained(self.resolved.path)
            generation = generation_config(self.resolved.path)
            self._translator = ct2.Translator(
                str(self.converted),
                device=self.device,
                compute_type=self.quantization,
                inter_threads=1,
                intra_threads=s.threads or 0,
            )
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelError(f"translate -> model: cannot load {self.converted}: {exc}") from None
        self.decoding = decoding_settings(generation, s)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(ids) for ids in self._tokenizer(texts)["input_ids"]]

    def translate_batch(self, texts: list[str]) -> list[str]:
        return self._translate(texts, {})

    def retry_batch(self, texts: list[str]) -> list[str] | None:
        guard = self.settings.repetition
        return self._translate(
            texts, {"no_repeat_ngram_size": guard.no_repeat_ngram_size, "repetition_penalty": guard.repetition_penalty}
        )

    def _translate(self, texts: list[str], extra: dict[str, Any]) -> list[str]:
        if self.decoding is None:
            raise StageError("CTranslate2Translator.translate_batch called before load()")
        tokenizer = self._tokenizer
        source = [tokenizer.convert_ids_to_tokens(ids) for ids in tokenizer(texts)["input_ids"]]
        results = self._translator.translate_batch(
            source,
            beam_size=self.decoding.num_beams,
            length_penalty=self.decoding.length_penalty,
            max_decoding_length=self.decoding.max_target_tokens,
            max_input_length=0,  # never truncate: the base has cut long sentences already
            **extra,
        )
        return [
            tokenizer.decode(tokenizer.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True).strip()
            for r in results
        ]

    def cache_identity(self) -> str:
        decoding = self.decoding.signature() if self.decoding else "unloaded"
        return (
            f"ctranslate2|model:{self.settings.model}|version:{model_version(self.resolved)}|{decoding}"
            f"|quantization:{self.quantization}|device:{self.device}|{guard_signature(self.settings.repetition)}"
        )

    def signature(self) -> str:
        return f"{self.cache_identity()}|{self.engine_signature()}"

    def describe(self) -> dict[str, Any]:
        ct2 = import_ctranslate2()
        return {
            "signature": self.signature(),
            "model": self.resolved.describe() if self.resolved else None,
            "converted": str(self.converted) if self.converted else None,
            "generation": self.decoding.describe() if self.decoding else {},
            "device": self.device,
            "quantization": self.quantization,
            "threads": self.settings.threads,
            "ctranslate2": ct2.__version__,
        }

    def close(self) -> None:
        super().close()
        self._translator = None
        self._tokenizer = None
