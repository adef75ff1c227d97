"""The distilled student (``pipeline models distil-encoder``) on MAC-Dev: strict F1 and time on one core.

Distils all-MiniLM-L6-v2 with the product's own code (:mod:`pipeline.align.student`, the recipe of
``pipeline models distil-encoder``) on English that holds no MAC-Dev text: the English of WMT22
zh-en (both references and the 12 systems' outputs, about 23,000 news sentences) and any
``--extra`` files, one sentence a line. Then aligns MAC-Dev's six chapters with the student as
``align -> embedding_model``, torch and BLAS on one thread, and reports strict F1, the seconds spent
aligning (the student's encoding included), and how close the student's token vectors come to the
teacher's on MAC-Dev (cosine, in the student's PCA space).

    python benchmarks/align_student.py [--extra FILE ...] [--sample-mac SHARE] [--epochs 6] [--keep DIR]

The figures in docs/benchmarks.md used ``--extra austen.en``: the six novels of Jane Austen from
Debian's ``r-cran-janeaustenr`` package, split into sentences (``python benchmarks/austen.py``
writes the file). About 35 minutes on two cores for 54,000 sentences. Needs ``pip install
'.[embed]'`` and ../shared/data (MAC-Dev and WMT22); exits with a message otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import align_mac  # noqa: E402

from pipeline.align import embed, student  # noqa: E402

WMT = ROOT.parent / "shared" / "data" / "wmt22-zh-en"


def wmt_english() -> list[student.TrainingText]:
    """The references and system outputs of WMT22 zh-en, one training text per file."""
    files = [WMT / "ref.A.en", WMT / "ref.B.en", *sorted((WMT / "systems").glob("*.en"))]
    return [student.read_training_text(path) for path in files]


def mac_texts() -> list[str]:
    """Every distinct English sentence of MAC-Dev: references and machine translations."""
    paths = sorted(align_mac.MAC.glob("*.en.sents")) + sorted(align_mac.MAC.glob("*.mt.sents"))
    return list(dict.fromkeys(s for p in paths for s in student.read_training_text(p).sentences))


def fidelity(folder: Path, teacher: embed.SentenceEncoder, projection: np.ndarray, texts: list[str]) -> float:
    """Mean cosine of the student's token vectors with the teacher's projected ones, over ``texts``."""
    mine = student.StudentEncoder(embed.resolve(str(folder))).encode_uncached(texts)
    theirs = teacher.encode_uncached(texts)
    a = np.concatenate([m.tokens for m in mine]).astype(np.float32)
    b = np.concatenate([t.tokens for t in theirs]).astype(np.float32) @ projection
    return float(np.mean((a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-9)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="more English, one sentence a line")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--keep", type=Path, help="write the student here (default: a temporary folder)")
    parser.add_argument(
        "--sample-mac",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="also distil on this share of MAC-Dev's English sentences (seeded; text only, no alignments), "
        "as a user distils on a sample of the corpus to align",
    )
    args = parser.parse_args()
    if not (align_mac.MAC.is_dir() and WMT.is_dir()):
        print(f"skipped: needs {align_mac.MAC} and {WMT} (in ../shared/data)")
        return 0
    if embed.problem("minilm"):
        print(f"skipped: {embed.problem('minilm')}")
        return 0
    import torch
    from threadpoolctl import threadpool_limits

    texts = [*wmt_english(), *(student.read_training_text(p) for p in args.extra)]
    if args.sample_mac:
        every = mac_texts()
        chosen = np.random.default_rng(1).permutation(len(every))[: round(len(every) * args.sample_mac)]
        sample = [every[k] for k in sorted(chosen)]
        digest = hashlib.sha256("\n".join(sample).encode("utf-8")).hexdigest()
        texts.append(student.TrainingText(f"MAC-Dev sample ({args.sample_mac:.0%})", digest, sample))
    teacher = embed.SentenceEncoder(embed.resolve("minilm"))
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch) / "student"
        settings = student.DistilSettings(epochs=args.epochs)
        result = student.distil(texts, teacher, folder, settings, progress=lambda line: print(line, flush=True))
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        with threadpool_limits(limits=1):
            started = time.perf_counter()
            align_mac.BASE[:] = [f"embedding_model={folder}"]
            total, chapters, seconds, signature = align_mac.run("dp", [])
            wall = time.perf_counter() - started
        torch.set_num_threads(threads)
        cosine = fidelity(folder, teacher, result.projection, mac_texts())
    per = " ".join(f"{c.f1_strict:.3f}" for c in chapters)
    print(f"student: {result.sentences} training sentences, {result.seconds:.0f} s to distil")
    held = result.held_out_cosine
    print(f"cosine with the teacher: {held:.3f} held out of the training text, {cosine:.3f} on MAC-Dev")
    print("| student | cosine on MAC-Dev | strict F1 | per chapter | aligning, one core |")
    print("|---|---|---|---|---|")
    label = " + ".join(["WMT22 English", *(p.name for p in args.extra)])
    label += f" + {args.sample_mac:.0%} of MAC-Dev's English" if args.sample_mac else ""
    print(f"| {label} | {cosine:.3f} | **{total.f1_strict:.3f}** | {per} | {seconds:.2f} s ({wall:.2f} s wall) |")
    print(f"aligner: {signature}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
