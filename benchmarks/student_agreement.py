"""How close to the encoder must a student come to align as well? Strict F1 on MAC-Dev against the
cosine of token vectors with the encoder's, along two paths:

- **towards the teacher**: each token vector is ``alpha`` x the encoder's (projected by the
  student's PCA) + ``1 - alpha`` x the student's, normalised; alpha 0 is the student, 1 the encoder;
- **random noise**: the encoder's projected vectors plus Gaussian noise of growing size, normalised.

The encodings go into the aligner's encoder cache, so the search is the product's own
(``align.embedding_model: STUDENT_DIR``, the encoder's default weights). The PCA is recomputed as
``pipeline models distil-encoder`` computed it: from the teacher's vectors of the first 4,096
sentences of the shuffled training text, so the same ``--extra`` files as the student's (and the
WMT22 English, which ``benchmarks/align_student.py`` always adds) must be given.

    python benchmarks/student_agreement.py STUDENT_DIR [--extra austen.en]

Needs ``pip install '.[embed]'`` and ../shared/data (MAC-Dev, WMT22); exits with a message otherwise.
About two minutes on one core.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import align_mac  # noqa: E402
import align_student  # noqa: E402

from pipeline.align import embed, student  # noqa: E402


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


def projection(texts: list[student.TrainingText], teacher: embed.SentenceEncoder, dim: int) -> np.ndarray:
    """The student's PCA, as :func:`pipeline.align.student.teacher_table` fitted it."""
    sentences = student.training_sentences(texts, student.DistilSettings())[: student.CHUNK_SENTENCES]
    encodings = [e for e in teacher.encode_uncached(sentences) if len(e.ids)]
    return student.pca(np.concatenate([e.tokens for e in encodings]).astype(np.float32), dim)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("student", type=Path, help="a folder written by pipeline models distil-encoder")
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="the student's other training files")
    args = parser.parse_args()
    if not (align_mac.MAC.is_dir() and align_student.WMT.is_dir()):
        print(f"skipped: needs {align_mac.MAC} and {align_student.WMT} (in ../shared/data)")
        return 0
    if embed.problem("minilm"):
        print(f"skipped: {embed.problem('minilm')}")
        return 0
    folder = str(args.student.resolve())
    texts = [*align_student.wmt_english(), *(student.read_training_text(p) for p in args.extra)]
    teacher = embed.SentenceEncoder(embed.resolve("minilm"))
    mine = student.StudentEncoder(embed.resolve(folder))
    mac = align_student.mac_texts()
    students = mine.encode_uncached(mac)
    project = projection(texts, teacher, students[0].tokens.shape[1])
    teachers = [unit(e.tokens.astype(np.float32) @ project) for e in teacher.encode_uncached(mac)]
    ours = [e.tokens.astype(np.float32) for e in students]
    align_mac.BASE[:] = [f"embedding_model={folder}"]
    cache = embed.encoder_for(embed.resolve(folder))

    def row(label: str, vectors: list[np.ndarray]) -> None:
        cache._cache.clear()
        for text, tokens, original in zip(mac, vectors, students, strict=True):
            mean = tokens.sum(0)
            sentence = (mean / (np.linalg.norm(mean) + 1e-9)).astype(np.float32)
            cache._cache[text] = embed.Encoding(sentence, tokens.astype(np.float16), original.ids)
        total, chapters, _, _ = align_mac.run("dp", [])
        cosine = np.mean(np.concatenate([(a * b).sum(1) for a, b in zip(vectors, teachers, strict=True)]))
        per = " ".join(f"{c.f1_strict:.3f}" for c in chapters)
        print(f"| {label} | {cosine:.3f} | **{total.f1_strict:.4f}** | {per} |", flush=True)

    print("| token vectors | cosine with the encoder's | strict F1 | per chapter |")
    print("|---|---|---|---|")
    for alpha in (0.0, 0.25, 0.5, 0.75, 0.9, 1.0):
        mixed = [unit(alpha * t + (1 - alpha) * s) for t, s in zip(teachers, ours, strict=True)]
        row(f"towards the encoder, alpha {alpha}", mixed)
    rng = np.random.default_rng(0)
    for sigma in (0.05, 0.08, 0.12):
        noisy = [unit(t + sigma * rng.standard_normal(t.shape).astype(np.float32)) for t in teachers]
        row(f"encoder + noise {sigma}", noisy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
