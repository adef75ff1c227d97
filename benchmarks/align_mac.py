"""Alignment accuracy on MAC-Dev (Bertalign's Chinese-English literary dev set), signal by signal.

Uses the gold sentence splits, the external machine translation in ``NNN.mt.sents`` (or none) and
the gold links, and scores with Vecalign's strict and lax precision/recall/F1 (``pipeline
align-eval``'s code, :mod:`pipeline.align.evaluate`), the measure the published results use
(Gale-Church 0.485 ... Bertalign 0.911).

    python benchmarks/align_mac.py [--no-mt] [--set align.KEY=VALUE ...]   # per chapter
    python benchmarks/align_mac.py --ablation       # each signal left out, with and without the MT
    python benchmarks/align_mac.py --confidence     # reliability of the links' confidences
    python benchmarks/align_mac.py --mismatch       # text_match_rate of each chapter with its own English
                                                    # and with the next chapter's
    python benchmarks/align_mac.py --jieba [--no-mt] # an experiment: jieba's segmentation instead of the
                                                    # dictionary's forward maximum matching (pip install jieba)

Weak and absent translations, and leave-one-chapter-out figures: benchmarks/align_robustness.py.
Reads ../shared/data/mac-dev; exits with a message when it is absent.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import mac

from pipeline.align.commands import build_aligner
from pipeline.align.dp import DPAligner
from pipeline.align.evaluate import Scores, score_documents
from pipeline.align.scoring import Weights

#: (label, weights changed): each signal of the default aligner left out in turn.
ABLATION: list[tuple[str, dict[str, float]]] = [
    ("`dp`, all signals (default)", {}),
    ("- dictionary (Chinese words -> reference)", {"zh_weight": 0.0}),
    ("- dictionary (reference words -> Chinese)", {"en_weight": 0.0}),
    ("- both dictionary directions", {"zh_weight": 0.0, "en_weight": 0.0}),
    ("- length model", {"length_weight": 0.0}),
    ("- quotation structure", {"quote_weight": 0.0}),
    ("- question marks", {"question_weight": 0.0}),
    ("- shape priors (uniform)", {"prior_weight": 0.0}),
    ("- translation words", {"mt_weight": 0.0}),
    ("- translation text similarity", {"similarity_weight": 0.0}),
]


def run(chapters: list[mac.Chapter], condition: str, weights: Weights) -> tuple[Scores, list[Scores], float]:
    aligner = DPAligner(weights=weights)
    golds, tests, per = [], [], []
    started = time.perf_counter()
    for c in chapters:
        test = [(b.src, b.ref) for b in aligner.align(c.zh, c.mt[condition], c.en)]
        golds.append(c.gold)
        tests.append(test)
        per.append(score_documents([c.gold], [test]))
    return score_documents(golds, tests), per, time.perf_counter() - started


def report(chapters: list[mac.Chapter], condition: str, overrides: list[str]) -> None:
    aligner = build_aligner("dp", overrides)
    golds, tests = [], []
    for c in chapters:
        beads = aligner.align(c.zh, c.mt[condition], c.en)
        golds.append(c.gold)
        tests.append([(b.src, b.ref) for b in beads])
        s = score_documents([c.gold], [tests[-1]])
        trust = aligner.document_notes().bridge_trust
        print(
            f"{c.stem}: strict P {s.precision_strict:.3f} R {s.recall_strict:.3f} F1 {s.f1_strict:.3f}  trust {trust}"
        )
    total = score_documents(golds, tests)
    print(
        f"MAC-Dev strict: P {total.precision_strict:.3f} R {total.recall_strict:.3f} F1 {total.f1_strict:.3f}  "
        f"lax F1 {total.f1_lax:.3f}"
    )
    print(f"aligner: {aligner.signature()}")


def ablation(chapters: list[mac.Chapter]) -> None:
    print("| aligner | strict F1, supplied MT | strict F1, no MT | per chapter (supplied MT) |")
    print("|---|---|---|---|")
    for label, change in ABLATION:
        weights = dataclasses.replace(Weights(), **change)
        with_mt, per, _ = run(chapters, "mt", weights)
        without, _, _ = run(chapters, "none", weights)
        cells = " ".join(f"{c.f1_strict:.3f}" for c in per)
        print(f"| {label} | **{with_mt.f1_strict:.3f}** | {without.f1_strict:.3f} | {cells} |")


def confidence(chapters: list[mac.Chapter], condition: str) -> None:
    """How well the links' confidences separate right links from wrong ones (reliability table)."""
    aligner = DPAligner()
    pairs: list[tuple[float, bool]] = []
    for c in chapters:
        gold = set(c.gold)
        pairs += [(b.score, (b.src, b.ref) in gold) for b in aligner.align(c.zh, c.mt[condition], c.en)]
    right = [c for c, ok in pairs if ok]
    wrong = [c for c, ok in pairs if not ok]
    auc = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong) / max(len(right) * len(wrong), 1)
    print(f"links {len(pairs)}, right {len(right)}; ROC AUC of the confidence {auc:.3f}")
    print("| confidence | links | mean confidence | share right |")
    print("|---|---|---|---|")
    for low, high in [(0.0, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 1.01)]:
        inside = [(c, ok) for c, ok in pairs if low <= c < high]
        if inside:
            mean = sum(c for c, _ in inside) / len(inside)
            share = sum(ok for _, ok in inside) / len(inside)
            print(f"| {low:.2f}-{min(high, 1.0):.2f} | {len(inside)} | {mean:.2f} | {share:.2f} |")


def mismatch(chapters: list[mac.Chapter]) -> None:
    """How often the Chinese words find their dictionary matches beyond chance, right and wrong pairs."""
    aligner = DPAligner()
    for k, c in enumerate(chapters):
        other = chapters[(k + 1) % len(chapters)]
        rates = []
        for english in (c.en, other.en):
            aligner.align(c.zh, None, english)
            rates.append(aligner.document_notes().text_match_rate)
        print(f"{c.stem}: with its English {rates[0]:.3f}, with {other.stem}'s {rates[1]:.3f}")


def use_jieba() -> None:
    """Cut the Chinese into jieba's words (its dictionary, no HMM) instead of the lexicon's headwords."""
    import jieba

    from pipeline.align import chinese

    jieba.setLogLevel(60)
    started = time.perf_counter()
    jieba.initialize()
    print(f"jieba loaded in {time.perf_counter() - started:.2f} s")
    chinese.segment = lambda text, lexicon: jieba.lcut(text, HMM=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-mt", action="store_true", help="align without the machine translation")
    parser.add_argument("--ablation", action="store_true", help="each signal left out in turn")
    parser.add_argument("--confidence", action="store_true", help="reliability of the confidences")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="align.KEY=VALUE")
    parser.add_argument("--jieba", action="store_true", help="segment the Chinese with jieba (an experiment)")
    parser.add_argument("--mismatch", action="store_true", help="text_match_rate of right and wrong pairs")
    args = parser.parse_args()
    if args.jieba:
        use_jieba()
    chapters = mac.chapters(["mt", "none"])
    condition = "none" if args.no_mt else "mt"
    if args.mismatch:
        mismatch(chapters)
    elif args.ablation:
        ablation(chapters)
    elif args.confidence:
        confidence(chapters, condition)
    else:
        report(chapters, condition, args.overrides)


if __name__ == "__main__":
    main()
