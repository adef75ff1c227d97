"""A small student of the sentence encoder, distilled on the user's own English, for fast aligning.

The encoder's token matching (:mod:`pipeline.align.semantic`) needs one contextual vector per
token, and all-MiniLM-L6-v2 costs about 8 ms a sentence on one core for it. A student built by
``pipeline models distil-encoder`` gives vectors close to the teacher's for about 0.3 ms a
sentence. It learns, from the token ids alone, to reproduce the teacher's last-layer token
vectors after a PCA projection to ``dim`` dimensions:

1. the teacher encodes the training text; a PCA of its token vectors (fitted on the first
   sentences of the shuffled text) gives the ``dim``-dimensional target space;
2. the student's embedding table starts from the teacher's *static* token vectors (each
   vocabulary token encoded alone, projected), so that tokens the training text never shows
   still have a sensible vector;
3. ``layers`` pre-norm transformer layers of width ``dim``, and a linear output, trained to
   maximise the IDF-weighted cosine with the teacher's projected vectors (Adam, cosine schedule).

The folder it writes holds ``student.json`` (architecture, teacher, training text hashes, the
held-out cosine), ``student.safetensors`` and the teacher's tokenizer files; ``align ->
embedding_model`` takes the folder like any encoder's, and runs the student in NumPy
(:class:`StudentForward`), without torch. On MAC-Dev (docs/benchmarks.md) a student
distilled on 54,000 sentences of news and Jane Austen (cosine 0.84 with the teacher's vectors there)
aligns at strict F1 0.907-0.912 in about 2.2 s on one core, against 0.920 in about 13 s for the
teacher (bfloat16) and 0.902 in 0.4 s without an encoder: a speed/quality trade between the two. Any
English will do (a fifth of MAC-Dev's own text added raised the agreement, not the F1); the
alignments themselves are never needed. The token-matching chance priors of
:mod:`pipeline.align.semantic` were set for the teacher; they weigh only in documents of a few
sentences, where a document has too few random pairs of its own.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.align.embed import MAX_TOKENS, EncoderSource, Encoding, SentenceEncoder
from pipeline.align.embed import STUDENT_CONFIG as CONFIG_FILE
from pipeline.align.embed import STUDENT_WEIGHTS as WEIGHTS_FILE
from pipeline.errors import InputError, ModelError

FORMAT = "pipeline-student/1"
#: The teacher's tokenizer, saved in the student's folder by ``save_pretrained``.
TOKENIZER_FILE = "tokenizer.json"
#: Training sentences: fewer distil poorly (refused), more are sampled down to the limit.
MIN_SENTENCES = 20
#: Token vectors sampled for the PCA, and the teacher's sentences per encoding chunk.
PCA_TOKENS = 200_000
CHUNK_SENTENCES = 4096
#: Token rows per block of the NumPy feed-forward layer: 256 x 512 floats (512 kB) stay in cache;
#: the whole batch at once (up to 20 MB) made GELU three times slower.
FEED_FORWARD_ROWS = 256


@dataclass(frozen=True)
class StudentShape:
    """The student's architecture; recorded in ``student.json`` and rebuilt from it."""

    dim: int = 128
    layers: int = 2
    heads: int = 4
    feed_forward: int = 512
    max_tokens: int = 256
    vocabulary: int = 0  # the teacher tokenizer's size, set when distilling


@dataclass(frozen=True)
class DistilSettings:
    """How the student is trained (defaults: the recipe measured on MAC-Dev, docs/benchmarks.md)."""

    epochs: int = 6
    batch_sentences: int = 64
    learning_rate: float = 3e-3
    seed: int = 0
    max_sentences: int = 200_000
    held_out: float = 0.02  # share of the sentences kept out of training to measure the cosine
    shape: StudentShape = field(default_factory=StudentShape)


@dataclass(frozen=True)
class TrainingText:
    """Sentences read from one file, and what identifies the file."""

    path: str
    sha256: str
    sentences: list[str]


def read_training_text(path: Path) -> TrainingText:
    """Non-empty lines of a UTF-8 file, one sentence each; a missing or undecodable file is an :class:`InputError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the training text ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}, line {line}: not UTF-8; convert the file (e.g. iconv -t UTF-8)") from None
    sentences = [line.strip() for line in text.splitlines() if line.strip()]
    return TrainingText(str(path), hashlib.sha256(data).hexdigest(), sentences)


@dataclass
class TokenTable:
    """Token ids and (projected) teacher vectors of many sentences, flat, with ``offsets``."""

    ids: np.ndarray  # (tokens,) int64
    vectors: np.ndarray  # (tokens, dim) float16
    offsets: np.ndarray  # (sentences + 1,) int64

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def sentence(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.offsets[k], self.offsets[k + 1]
        return self.ids[a:b], self.vectors[a:b]


def build_model(shape: StudentShape) -> Any:
    """The student network (torch is imported here, when a student is built or loaded)."""
    import torch

    class Student(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = torch.nn.Embedding(shape.vocabulary, shape.dim)
            self.position = torch.nn.Embedding(shape.max_tokens, shape.dim)
            torch.nn.init.normal_(self.position.weight, std=0.01)
            layer = torch.nn.TransformerEncoderLayer(
                shape.dim, shape.heads, shape.feed_forward, 0.0, "gelu", batch_first=True, norm_first=True
            )
            self.layers = torch.nn.TransformerEncoder(layer, shape.layers, enable_nested_tensor=False)
            self.out = torch.nn.Linear(shape.dim, shape.dim)
            with torch.no_grad():  # start as the identity: the static vectors are a fair first answer
                self.out.weight.copy_(torch.eye(shape.dim))
                self.out.bias.zero_()

        def forward(self, ids: Any, mask: Any) -> Any:
            x = self.embedding(ids) + self.position(torch.arange(ids.shape[1]))[None]
            return self.out(self.layers(x, src_key_padding_mask=~mask))

    return Student()


def padded_arrays(
    ids: np.ndarray, offsets: np.ndarray, order: Sequence[int], size: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(ids, mask, flat token rows) for each run of ``size`` sentences in ``order``, as NumPy arrays."""
    for start in range(0, len(order), size):
        chunk = order[start : start + size]
        width = max(1, max(int(offsets[k + 1] - offsets[k]) for k in chunk))
        batch = np.zeros((len(chunk), width), np.int64)
        mask = np.zeros((len(chunk), width), bool)
        rows = []
        for r, k in enumerate(chunk):
            n = int(offsets[k + 1] - offsets[k])
            batch[r, :n], mask[r, :n] = ids[offsets[k] : offsets[k + 1]], True
            rows.append(np.arange(offsets[k], offsets[k + 1]))
        yield batch, mask, np.concatenate(rows)


def padded_batches(
    ids: np.ndarray, offsets: np.ndarray, order: Sequence[int], size: int
) -> Any:  # Iterator[tuple[Tensor, Tensor, np.ndarray]]
    """As :func:`padded_arrays`, with the ids and mask as torch tensors (for training)."""
    import torch

    for batch, mask, rows in padded_arrays(ids, offsets, order, size):
        yield torch.from_numpy(batch), torch.from_numpy(mask), rows


class StudentEncoder(SentenceEncoder):
    """A distilled student folder, behind the same interface as the teacher's encoder.

    Token vectors come from the student (unit length, ``dim`` dimensions); the sentence vector is
    their normalised mean, since the student learns no pooled vector of its own (it matters only
    with ``sentence_weight`` > 0). Aligning with a student needs neither torch nor transformers:
    the tokenizer is read with ``tokenizers`` (which ``transformers`` wraps around the same
    ``tokenizer.json``) and the network runs in NumPy (:class:`StudentForward`). Importing the two
    took about 1.7 s on the development machine, more than the student's whole forward pass over
    MAC-Dev.
    """

    def __init__(self, source: EncoderSource) -> None:
        super().__init__(source, "float32")  # NumPy computes in float32 (see StudentForward)
        self.shape = StudentShape()

    def load(self) -> None:
        if self._model is not None:
            return
        config = read_config(self.source.path)
        self.shape = StudentShape(**config["architecture"])
        self._tokenizer = read_tokenizer(self.source.path / TOKENIZER_FILE)
        self._model = StudentForward(read_weights(self.source.path, self.shape), self.shape)

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        self.load()
        return [e.ids[:MAX_TOKENS] for e in self._tokenizer.encode_batch(texts, add_special_tokens=False)]

    def _forward(self, texts: list[str], token_ids: list[list[int]]) -> list[Encoding]:
        """One pass of the student over the token ids (no special tokens, as it was trained)."""
        ids = [np.asarray(p[: self.shape.max_tokens], np.int64) for p in token_ids]
        offsets = np.cumsum([0, *(len(p) for p in ids)])
        batch, mask, _ = next(padded_arrays(np.concatenate(ids), offsets, range(len(texts)), len(texts)))
        hidden = self._model(batch, mask)
        hidden /= np.maximum(np.linalg.norm(hidden, axis=-1, keepdims=True), 1e-12)
        return [self._encoding(hidden[k, : len(ids[k])], ids[k]) for k in range(len(texts))]

    def _encoding(self, tokens: np.ndarray, ids: np.ndarray) -> Encoding:
        mean = tokens.sum(0) if len(tokens) else np.zeros(self.shape.dim, np.float32)
        sentence = (mean / (np.linalg.norm(mean) + 1e-9)).astype(np.float32)
        return Encoding(sentence, tokens.astype(np.float16), ids)


class StudentForward:
    """The student network of :func:`build_model` computed in NumPy, float32, for inference.

    The same arithmetic as torch's pre-norm ``TransformerEncoderLayer`` (layer norms with eps
    1e-5, multi-head attention with padded keys masked, exact GELU) and the output projection;
    a test holds the two to within 1e-4. Temporaries are updated in place where the formula
    allows: fresh arrays of a few MB each cost page faults that made GELU four times slower.
    """

    def __init__(self, weights: dict[str, np.ndarray], shape: StudentShape) -> None:
        self.w, self.shape = weights, shape

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """(sentences, tokens, dim) output vectors for padded ``ids`` (``mask``: real tokens)."""
        w, (batch, width), dim = self.w, ids.shape, self.shape.dim
        heads = self.shape.heads
        x = w["embedding.weight"][ids] + w["position.weight"][:width][None]
        # A large negative rather than -inf: a sentence with no token at all (every key masked)
        # gets uniform weights instead of NaN, and its rows are never read.
        masked = np.where(mask, np.float32(0), np.float32(-1e9))[:, None, None, :]
        for layer in range(self.shape.layers):
            p = f"layers.layers.{layer}."
            y = _layer_norm(x, w[p + "norm1.weight"], w[p + "norm1.bias"]).reshape(batch * width, dim)
            qkv = _linear(y, w[p + "self_attn.in_proj_weight"], w[p + "self_attn.in_proj_bias"])
            q, k, v = qkv.reshape(batch, width, 3, heads, dim // heads).transpose(2, 0, 3, 1, 4)
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= np.float32(1 / math.sqrt(dim // heads))
            scores += masked
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * width, dim)
            x += _linear(attended, w[p + "self_attn.out_proj.weight"], w[p + "self_attn.out_proj.bias"]).reshape(
                x.shape
            )
            y = _layer_norm(x, w[p + "norm2.weight"], w[p + "norm2.bias"]).reshape(batch * width, dim)
            rows = x.reshape(batch * width, dim)
            for start in range(0, len(y), FEED_FORWARD_ROWS):  # the wide hidden layer stays in cache
                block = slice(start, start + FEED_FORWARD_ROWS)
                hidden = _gelu(_linear(y[block], w[p + "linear1.weight"], w[p + "linear1.bias"]))
                rows[block] += _linear(hidden, w[p + "linear2.weight"], w[p + "linear2.bias"])
        return _linear(x.reshape(batch * width, dim), w["out.weight"], w["out.bias"]).reshape(batch, width, dim)


def _linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    out = x @ weight.T
    out += bias
    return out


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    centred = x - x.mean(-1, keepdims=True)
    scale = np.sqrt((centred * centred).mean(-1, keepdims=True) + np.float32(eps))
    centred /= scale
    centred *= weight
    centred += bias
    return centred


def _gelu(x: np.ndarray) -> np.ndarray:
    """``x * Phi(x)``, exact GELU as torch's default, through an erf accurate to 1.5e-7
    (Abramowitz and Stegun 7.1.26): NumPy has no erf of its own."""
    z = x * np.float32(1 / math.sqrt(2))
    a = np.abs(z)
    t = 1 / (1 + np.float32(0.3275911) * a)
    poly = np.float32(1.061405429) * t
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(coefficient)
        poly *= t
    a *= a
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a  # 1 - erf(|z|)
    np.subtract(1, poly, out=poly)
    np.copysign(poly, z, out=poly)  # erf(z)
    poly += 1
    poly *= x
    poly *= np.float32(0.5)
    return poly


def read_tokenizer(path: Path) -> Any:
    """The teacher's fast tokenizer from its ``tokenizer.json``, with no truncation or padding of
    its own (``save_pretrained`` records the last call's); a missing or broken file is a :class:`ModelError`."""
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises plain Exception for a missing or malformed file
        raise ModelError(f"{path}: cannot load the student's tokenizer ({exc}); distil it again") from None
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def read_config(folder: Path) -> dict[str, Any]:
    """``student.json``, checked; a broken or foreign one is a :class:`ModelError` naming the fix."""
    path = folder / CONFIG_FILE
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot read the student's config ({exc}); distil it again") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        found = config.get("format") if isinstance(config, dict) else None
        raise ModelError(f"{path}: format {found!r}, expected {FORMAT!r}; distil it again with this version")
    known = set(StudentShape.__dataclass_fields__)
    shape = config.get("architecture")
    if not isinstance(shape, dict) or set(shape) != known:
        raise ModelError(f"{path}: 'architecture' must have exactly the keys {sorted(known)}; distil it again")
    return config


def read_weights(folder: Path, shape: StudentShape) -> dict[str, np.ndarray]:
    """The student's weights as float32 NumPy arrays, checked against ``shape``: a missing or
    foreign file is a :class:`ModelError` naming it."""
    from safetensors.numpy import load_file

    path = folder / WEIGHTS_FILE
    try:
        weights = {name: array.astype(np.float32, copy=False) for name, array in load_file(str(path)).items()}
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot load the student's weights ({exc}); distil it again") from None
    expected = _weight_shapes(shape)
    found = {name: tuple(array.shape) for name, array in weights.items()}
    if found != expected:
        differ = sorted(set(found) ^ set(expected) | {n for n in found if found.get(n) != expected.get(n)})
        raise ModelError(
            f"{path}: cannot load the student's weights (they do not fit student.json's architecture: "
            f"{', '.join(differ[:3])}); distil it again"
        )
    return weights


def _weight_shapes(shape: StudentShape) -> dict[str, tuple[int, ...]]:
    """Every tensor of :func:`build_model`'s network and its shape."""
    d, f = shape.dim, shape.feed_forward
    shapes: dict[str, tuple[int, ...]] = {
        "embedding.weight": (shape.vocabulary, d),
        "position.weight": (shape.max_tokens, d),
        "out.weight": (d, d),
        "out.bias": (d,),
    }
    for layer in range(shape.layers):
        p = f"layers.layers.{layer}."
        shapes |= {
            p + "self_attn.in_proj_weight": (3 * d, d),
            p + "self_attn.in_proj_bias": (3 * d,),
            p + "self_attn.out_proj.weight": (d, d),
            p + "self_attn.out_proj.bias": (d,),
            p + "linear1.weight": (f, d),
            p + "linear1.bias": (f,),
            p + "linear2.weight": (d, f),
            p + "linear2.bias": (d,),
            p + "norm1.weight": (d,),
            p + "norm1.bias": (d,),
            p + "norm2.weight": (d,),
            p + "norm2.bias": (d,),
        }
    return shapes


# --- distilling -------------------------------------------------------------------------------

Progress = Callable[[str], None]


@dataclass
class DistilResult:
    folder: Path
    sentences: int
    held_out_cosine: float
    seconds: float
    projection: np.ndarray  # (teacher width, dim): the PCA the targets were projected by (not saved)


def distil(
    texts: Sequence[TrainingText],
    teacher: SentenceEncoder,
    out: Path,
    settings: DistilSettings | None = None,
    progress: Progress = lambda _: None,
) -> DistilResult:
    """Distil ``teacher`` on ``texts`` into the folder ``out`` (see the module docstring)."""
    settings = settings or DistilSettings()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):  # checked before hours of work
        raise InputError(f"{out}: exists and is not an empty folder; name a new folder or empty this one")
    started = time.perf_counter()
    sentences = training_sentences(texts, settings)
    teacher.load()
    shape = StudentShape(**{**asdict(settings.shape), "vocabulary": len(teacher._tokenizer)})
    progress(f"teacher {teacher.source.identity}: encoding {len(sentences)} sentences")
    table, project = teacher_table(teacher, sentences, shape.dim)
    progress("teacher: static vectors of the vocabulary")
    static = static_vectors(teacher) @ project
    held = held_out_count(len(table), settings.held_out)
    model = train(static.astype(np.float32), table, range(held, len(table)), settings, shape, progress)
    cosine = agreement(model, table, range(held))
    progress(f"student: cosine with the teacher on {held} held-out sentences: {cosine:.3f}")
    seconds = time.perf_counter() - started
    save(out, model, teacher, shape, settings, texts, len(sentences), cosine, seconds)
    return DistilResult(out, len(sentences), cosine, seconds, project)


def training_sentences(texts: Sequence[TrainingText], settings: DistilSettings) -> list[str]:
    """Distinct sentences of all texts, shuffled (seeded), at most ``max_sentences``."""
    distinct = list(dict.fromkeys(s for t in texts for s in t.sentences))
    if len(distinct) < MIN_SENTENCES:
        names = ", ".join(t.path for t in texts) or "(none)"
        raise InputError(
            f"{names}: {len(distinct)} distinct sentences; a student needs at least {MIN_SENTENCES} "
            "(and learns well from tens of thousands): give more English, one sentence a line"
        )
    order = np.random.default_rng(settings.seed).permutation(len(distinct))
    return [distinct[k] for k in order[: settings.max_sentences]]


def held_out_count(sentences: int, share: float) -> int:
    """Sentences kept out of training: the share asked for, at least 10 and at most 2,000."""
    return int(min(2000, max(10, round(sentences * share)), sentences // 2))


def teacher_table(teacher: SentenceEncoder, sentences: Sequence[str], dim: int) -> tuple[TokenTable, np.ndarray]:
    """Every sentence's token ids and teacher vectors projected by a PCA to ``dim`` (and the projection).

    Sentences without a token (nothing the tokenizer keeps) are left out: a row the student cannot
    attend to anywhere gives NaN, which must not reach the gradients."""
    ids, vectors, lengths = [], [], []
    starts = range(0, len(sentences), CHUNK_SENTENCES)
    chunks = (teacher.encode_uncached(sentences[s : s + CHUNK_SENTENCES]) for s in starts)
    first = [e for e in next(chunks) if len(e.ids)]
    if not first:
        raise InputError("the training text has no word the teacher's tokenizer reads: give English text")
    project = pca(_token_rows(first), dim)  # the first chunk of the shuffled text is a fair sample
    for encodings in itertools.chain([first], chunks):
        kept = [e for e in encodings if len(e.ids)]
        rows = _token_rows(kept)
        ids += [e.ids for e in kept]
        vectors.append((rows @ project if len(rows) else np.zeros((0, dim))).astype(np.float16))
        lengths += [len(e.ids) for e in kept]
    offsets = np.cumsum([0, *lengths]).astype(np.int64)
    return TokenTable(np.concatenate(ids).astype(np.int64), np.concatenate(vectors), offsets), project


def _token_rows(encodings: Sequence[Encoding]) -> np.ndarray:
    """All token vectors of some encodings, one row each (float32; zero rows when there are none)."""
    rows = [e.tokens for e in encodings if len(e.tokens)]
    return np.concatenate(rows).astype(np.float32) if rows else np.zeros((0, 0), np.float32)


def pca(vectors: np.ndarray, dim: int) -> np.ndarray:
    """The ``(width, dim)`` projection onto the first principal directions (uncentred, as cosines want)."""
    sample = vectors
    if len(vectors) > PCA_TOKENS:
        sample = vectors[np.random.default_rng(0).choice(len(vectors), PCA_TOKENS, replace=False)]
    _, _, basis = np.linalg.svd(sample, full_matrices=False)
    if len(basis) < dim:  # a tiny text: fewer directions than asked; pad with zeros
        basis = np.vstack([basis, np.zeros((dim - len(basis), basis.shape[1]), basis.dtype)])
    return basis[:dim].T.astype(np.float32)


_STATIC: dict[str, np.ndarray] = {}


def static_vectors(teacher: SentenceEncoder) -> np.ndarray:
    """Every vocabulary token encoded alone (``[CLS] token [SEP]``), unit length, one row per id.

    As many forward passes as a few thousand sentences (about 20 s on one core for MiniLM's 30,522
    tokens), so kept per teacher for the process: distilling twice pays once.
    """
    if teacher.source.identity not in _STATIC:
        teacher.load()
        _STATIC[teacher.source.identity] = _encode_vocabulary(teacher)
    return _STATIC[teacher.source.identity]


def _encode_vocabulary(teacher: SentenceEncoder) -> np.ndarray:
    import torch

    tokenizer, model = teacher._tokenizer, teacher._model
    if tokenizer.cls_token_id is None or tokenizer.sep_token_id is None:
        raise ModelError(
            f"--teacher {teacher.source.choice!r}: its tokenizer has no [CLS]/[SEP] tokens; "
            "distil a BERT-style sentence encoder (such as 'minilm')"
        )
    ids, rows = torch.arange(len(tokenizer)), []
    with torch.inference_mode():
        for start in range(0, len(ids), 1024):
            chunk = ids[start : start + 1024]
            cls = torch.full_like(chunk, tokenizer.cls_token_id)
            sep = torch.full_like(chunk, tokenizer.sep_token_id)
            inputs = torch.stack([cls, chunk, sep], 1)
            hidden = model(input_ids=inputs, attention_mask=torch.ones_like(inputs)).last_hidden_state
            rows.append(hidden[:, 1].numpy())
    table = np.concatenate(rows)
    return table / np.linalg.norm(table, axis=1, keepdims=True)


def idf_weights(table: TokenTable, sentences: Sequence[int]) -> np.ndarray:
    """Each token's ``log((n + 1) / (df + 1))`` over the training sentences: rare tokens count more,
    as they do in the aligner's token matching."""
    df = np.zeros(int(table.ids.max()) + 1 if len(table.ids) else 1, np.int64)
    for k in sentences:
        df[np.unique(table.sentence(k)[0])] += 1
    return np.log((len(sentences) + 1) / (df[table.ids] + 1)).astype(np.float32)


def train(
    static: np.ndarray,
    table: TokenTable,
    sentences: Sequence[int],
    settings: DistilSettings,
    shape: StudentShape,
    progress: Progress,
) -> Any:
    import torch

    torch.manual_seed(settings.seed)
    model = build_model(shape)
    with torch.no_grad():
        model.embedding.weight.copy_(torch.from_numpy(static))
    weights = torch.from_numpy(idf_weights(table, sentences))
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    per_epoch = math.ceil(len(sentences) / settings.batch_sentences)
    steps, step = settings.epochs * per_epoch, 0
    rng = np.random.default_rng(settings.seed)
    pool = np.asarray(list(sentences), np.int64)
    for epoch in range(settings.epochs):
        started, total = time.perf_counter(), 0.0
        order = rng.permutation(pool)
        for batch, mask, rows in padded_batches(table.ids, table.offsets, order, settings.batch_sentences):
            for group in optimiser.param_groups:
                group["lr"] = settings.learning_rate * 0.5 * (1 + math.cos(math.pi * step / steps))
            target = torch.from_numpy(table.vectors[rows].astype(np.float32))  # float16 at rest: half the memory
            cosine = torch.nn.functional.cosine_similarity(model(batch, mask)[mask], target, dim=-1)
            loss = 1 - (cosine * weights[rows]).sum() / weights[rows].sum().clamp(min=1e-9)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            step += 1
            total += float(loss.detach())
        seconds = time.perf_counter() - started
        progress(f"epoch {epoch + 1}/{settings.epochs}: loss {total / per_epoch:.4f} ({seconds:.0f} s)")
    return model.eval()


def agreement(model: Any, table: TokenTable, sentences: Sequence[int]) -> float:
    """Mean cosine of the student's token vectors with the teacher's (projected) over ``sentences``."""
    import torch

    found, total = 0.0, 0
    with torch.inference_mode():
        for batch, mask, rows in padded_batches(table.ids, table.offsets, list(sentences), 64):
            guess = model(batch, mask)[mask]
            truth = torch.from_numpy(table.vectors[rows].astype(np.float32))
            found += float(torch.nn.functional.cosine_similarity(guess, truth, dim=-1).sum())
            total += len(rows)
    return found / max(total, 1)


def save(
    out: Path,
    model: Any,
    teacher: SentenceEncoder,
    shape: StudentShape,
    settings: DistilSettings,
    texts: Sequence[TrainingText],
    sentences: int,
    cosine: float,
    seconds: float,
) -> None:
    """The folder ``align -> embedding_model`` takes: config, weights, the teacher's tokenizer.

    Written into a hidden sibling folder first and renamed into place, so that a process killed
    while writing leaves no half a student where the aligner would find it.
    """
    import torch
    import transformers
    from safetensors.torch import save_file

    from pipeline import __version__

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    teacher._tokenizer.save_pretrained(staging)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(staging / WEIGHTS_FILE))
    training = {k: v for k, v in asdict(settings).items() if k != "shape"}
    config = {
        "format": FORMAT,
        "architecture": asdict(shape),
        "teacher": {"name": teacher.source.choice, "identity": teacher.source.identity},
        "training": {
            **training,
            "sentences": sentences,
            "texts": [{"path": t.path, "sha256": t.sha256, "sentences": len(t.sentences)} for t in texts],
            "held_out_cosine": round(cosine, 4),
            "seconds": round(seconds, 1),
        },
        "versions": {"pipeline": __version__, "torch": torch.__version__, "transformers": transformers.__version__},
    }
    (staging / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    if out.is_dir():
        out.rmdir()  # empty (the command refuses any other), so replaced by the rename
    staging.rename(out)
