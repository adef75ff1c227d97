"""Alignment accuracy on MAC-Dev (Bertalign's Chinese-English literary test set).

Uses the gold sentence splits, the external machine translation in ``NNN.mt.sents`` and the gold
links; scores with Vecalign's strict precision/recall/F1 (``score.py``: precision over all test
links including 1-0/0-1, recall over all gold links against test links with both sides), the
measure the published results use (Gale-Church 0.485 ... Bertalign 0.911).

    python benchmarks/align_mac.py [--set align.similarity_weight=4 ...]

Reads ../shared/data/mac-dev; exits with a message when it is absent.
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import config  # noqa: E402
from pipeline.registry import ALIGNERS  # noqa: E402

MAC = ROOT.parent / "shared" / "data" / "mac-dev"
Link = tuple[tuple[int, ...], tuple[int, ...]]


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n")


def gold_links(path: Path) -> list[Link]:
    out = []
    for line in lines(path):
        src, tgt = line.split(":")
        out.append((tuple(ast.literal_eval(src)), tuple(ast.literal_eval(tgt))))
    return out


def strict_counts(gold: list[Link], test: list[Link]) -> tuple[int, int, int, int]:
    """(precision hits, test links, recall hits, gold links) as Vecalign's score.py counts them."""
    gold_set = set(gold)
    test_links = [t for t in test if t != ((), ())]
    p_hits = sum(1 for t in test_links if t in gold_set)
    test_both = {t for t in test if t[0] and t[1]}
    gold_links_ = [g for g in gold if g != ((), ())]
    r_hits = sum(1 for g in gold_links_ if g in test_both)
    return p_hits, len(test_links), r_hits, len(gold_links_)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="align.KEY=VALUE")
    args = parser.parse_args()
    if not MAC.is_dir():
        print(f"skipped: {MAC} not found (MAC-Dev lives in ../shared/data)")
        return 0
    cfg = config.validate(config.apply_overrides({"ingest": {"sources": ["-"]}}, args.overrides))
    aligner = ALIGNERS.load(cfg.align.name)(cfg.align)
    totals = [0, 0, 0, 0]
    started = time.perf_counter()
    for gold_file in sorted(MAC.glob("*.gold.align")):
        stem = gold_file.name.split(".")[0]
        zh, en, mt = (lines(MAC / f"{stem}.{kind}.sents") for kind in ("zh", "en", "mt"))
        beads = aligner.align(zh, mt, en)
        counts = strict_counts(gold_links(gold_file), [(b.src, b.ref) for b in beads])
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        p, r = counts[0] / max(counts[1], 1), counts[2] / max(counts[3], 1)
        print(f"{stem}: zh {len(zh):4d}  en {len(en):4d}  P {p:.3f}  R {r:.3f}  F1 {2 * p * r / max(p + r, 1e-9):.3f}")
    p, r = totals[0] / totals[1], totals[2] / totals[3]
    seconds = time.perf_counter() - started
    print(f"MAC-Dev strict: P {p:.3f}  R {r:.3f}  F1 {2 * p * r / (p + r):.3f}  ({seconds:.1f} s)")
    print(f"aligner: {aligner.signature()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
