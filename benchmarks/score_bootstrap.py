"""Bootstrap confidence intervals: time and peak memory of ours against ``sacrebleu``'s ``corpus_score``.

Scores one WMT22 zh-en system against reference A, repeated to the given number of segments, with
1000 bootstrap resamples; each measurement runs in a fresh process so that its peak memory (max RSS)
is its own. Both must give the same interval.

    python benchmarks/score_bootstrap.py [--segments 1875 20000] [--metric chrf++]

Reads ../shared/data/wmt22-zh-en; exits with a message when it is absent.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WMT = ROOT.parent / "shared" / "data" / "wmt22-zh-en"


def data(segments: int) -> tuple[list[str], list[list[str]]]:
    from pipeline.ingest.base import read_lines

    hyps = read_lines(WMT / "systems" / "NiuTrans.en")
    refs = read_lines(WMT / "ref.A.en")
    repeat = -(-segments // len(hyps))
    return (hyps * repeat)[:segments], [(refs * repeat)[:segments]]


def measure(which: str, segments: int, metric: str) -> dict[str, float | str]:
    hyps, refs = data(segments)
    started = time.perf_counter()
    if which == "sacrebleu":
        from pipeline.config import SacrebleuSettings
        from pipeline.score.metrics import build_metric

        score = build_metric(metric, SacrebleuSettings()).corpus_score(hyps, refs, n_bootstrap=1000)
        mean, half = float(score._mean), float(score._ci)
    else:
        from pipeline.config import SacrebleuSettings
        from pipeline.score.metrics import CorpusScorer

        scorer = CorpusScorer(SacrebleuSettings(metrics=[metric], bootstrap=1000), refs)  # type: ignore[list-item]
        [ours] = scorer.corpus(scorer.statistics(hyps))
        assert ours.ci is not None
        mean, half = ours.ci.mean, ours.ci.half_width
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"which": which, "seconds": round(seconds, 1), "peak_mb": round(peak_mb), "ci": f"{mean:.4f} ± {half:.4f}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", nargs="+", type=int, default=[1875, 20000])
    parser.add_argument("--metric", default="chrf++", choices=["bleu", "chrf", "chrf++", "ter"])
    parser.add_argument("--one", nargs=2, metavar=("WHICH", "SEGMENTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not (WMT / "ref.A.en").is_file():
        print(f"WMT22 data not found at {WMT}", file=sys.stderr)
        return 1
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]), args.metric)))
        return 0
    print(f"| segments | implementation | seconds | peak RSS (MB) | {args.metric} mean ± half-width |")
    print("|---|---|---|---|---|")
    for segments in args.segments:
        for which in ("sacrebleu", "pipeline"):
            command = [sys.executable, __file__, "--metric", args.metric, "--one", which, str(segments)]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            row = json.loads(out.stdout)
            print(f"| {segments} | {row['which']} | {row['seconds']} | {row['peak_mb']} | {row['ci']} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
