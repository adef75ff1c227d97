"""Alignment accuracy on MAC-Dev (Bertalign's Chinese-English literary dev set).

Uses the gold sentence splits, the external machine translation in ``NNN.mt.sents`` and the gold
links, and scores with Vecalign's strict and lax precision/recall/F1 (``pipeline align-eval``'s
code, :mod:`pipeline.align.evaluate`), the measure the published results use (Gale-Church 0.485
... Bertalign 0.911).

    python benchmarks/align_mac.py [--aligner dp|gale-church] [--set align.KEY=VALUE ...]
    python benchmarks/align_mac.py --ablation      # the signal ablation table of docs/benchmarks.md
    python benchmarks/align_mac.py --sweep         # one setting at a time around the defaults

Reads ../shared/data/mac-dev; exits with a message when it is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.align.commands import build_aligner, read_sentences  # noqa: E402
from pipeline.align.evaluate import Scores, read_links, score_documents  # noqa: E402

MAC = ROOT.parent / "shared" / "data" / "mac-dev"

ABLATION: list[tuple[str, str, list[str]]] = [
    ("`dp`, all signals (default)", "dp", []),
    ("- quotation structure", "dp", ["quote_weight=0"]),
    ("- evidence beyond chance", "dp", ["evidence_weight=0"]),
    ("- length agreement", "dp", ["length_exponent=0"]),
    ("similarity of the MT only", "dp", ["quote_weight=0", "evidence_weight=0", "length_exponent=0"]),
    ("- shapes 1-4, 4-1, 2-3, 3-2 (the issue's eight)", "dp", ["link_types=[1-1,1-2,2-1,2-2,1-3,3-1,1-0,0-1]"]),
    ("`gale-church` (lengths only)", "gale-church", []),
    ("`gale-church` + 1-3, 3-1", "gale-church", ["link_types=[1-1,1-2,2-1,2-2,1-3,3-1,1-0,0-1]"]),
]

SWEEP: dict[str, list[str]] = {
    "skip_penalty": ["0.05", "0.1", "0.2", "0.4"],
    "length_exponent": ["0.3", "0.45", "0.6", "0.8", "1.0"],
    "evidence_weight": ["0", "0.1", "0.15", "0.2", "0.3"],
    "quote_weight": ["0", "0.05", "0.1", "0.15", "0.2"],
}


def run(aligner_name: str, overrides: list[str]) -> tuple[Scores, list[Scores], float, str]:
    """(total, per chapter, seconds spent aligning, aligner signature)."""
    aligner = build_aligner(aligner_name, overrides)
    golds, tests, chapters = [], [], []
    seconds = 0.0
    for gold_file in sorted(MAC.glob("*.gold.align")):
        stem = gold_file.name.split(".")[0]
        zh, en, mt = (read_sentences(MAC / f"{stem}.{kind}.sents") for kind in ("zh", "en", "mt"))
        started = time.perf_counter()
        beads = aligner.align(zh, mt, en)
        seconds += time.perf_counter() - started
        gold, test = read_links(gold_file), [(b.src, b.ref) for b in beads]
        golds.append(gold)
        tests.append(test)
        chapters.append(score_documents([gold], [test]))
    return score_documents(golds, tests), chapters, seconds, aligner.signature()


def report(aligner_name: str, overrides: list[str]) -> None:
    total, chapters, seconds, signature = run(aligner_name, overrides)
    for number, s in enumerate(chapters, 1):
        print(f"{number:03d}: strict P {s.precision_strict:.3f} R {s.recall_strict:.3f} F1 {s.f1_strict:.3f}")
    print(
        f"MAC-Dev strict: P {total.precision_strict:.3f} R {total.recall_strict:.3f} F1 {total.f1_strict:.3f}  "
        f"lax F1 {total.f1_lax:.3f}  ({seconds:.2f} s aligning)"
    )
    print(f"aligner: {signature}")


def ablation() -> None:
    print("| aligner | strict P | strict R | strict F1 | lax F1 | per chapter (strict F1) |")
    print("|---|---|---|---|---|---|")
    for label, name, overrides in ABLATION:
        total, chapters, _, _ = run(name, overrides)
        per = " ".join(f"{c.f1_strict:.3f}" for c in chapters)
        print(
            f"| {label} | {total.precision_strict:.3f} | {total.recall_strict:.3f} | "
            f"**{total.f1_strict:.3f}** | {total.f1_lax:.3f} | {per} |"
        )


def sweep() -> None:
    for key, values in SWEEP.items():
        cells = [f"{value}: {run('dp', [f'{key}={value}'])[0].f1_strict:.3f}" for value in values]
        print(f"{key}: " + ", ".join(cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aligner", default="dp")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="align.KEY=VALUE")
    parser.add_argument("--ablation", action="store_true", help="print the signal ablation table")
    parser.add_argument("--sweep", action="store_true", help="vary one setting at a time")
    args = parser.parse_args()
    if not MAC.is_dir():
        print(f"skipped: {MAC} not found (MAC-Dev lives in ../shared/data)")
        return 0
    if args.ablation:
        ablation()
    elif args.sweep:
        sweep()
    else:
        report(args.aligner, args.overrides)
    return 0


if __name__ == "__main__":
    sys.exit(main())
