"""``pipeline score`` on one core: the defaults (BLEU and chrF) against the old ones (all four metrics and
both paired tests), and what each metric costs.

Every measurement is a fresh ``python -m pipeline score`` process pinned to one core (``taskset -c 0``
where it exists, and one thread for the numerical libraries), timed from start to exit, its output
discarded; old and new defaults must print the same BLEU and chrF scores.

    python benchmarks/score_speed.py [--cases wmt22 articles metrics] [--systems 12] [--skip-old]

``wmt22``: the 12 WMT22 zh-en systems, both references, ``--docs docs.tsv``. ``articles``: one system
(NiuTrans) on 50 article-length lines, each 10 consecutive segments of a WMT22 document joined by a
space (references joined alike), reference A. ``metrics``: each metric alone on one system, both
references, no intervals. Reads ../shared/data/wmt22-zh-en; exits with a message when it is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WMT = ROOT.parent / "shared" / "data" / "wmt22-zh-en"

#: What ``pipeline score`` computed by default before BLEU and chrF became the default.
OLD_DEFAULTS = ["--metrics", "bleu", "chrf", "chrf++", "ter", "--paired", "both"]

#: Segments joined into one article-length line, and how many such lines.
ARTICLE_SEGMENTS, ARTICLES = 10, 50


def one_core() -> tuple[list[str], dict[str, str]]:
    """The command prefix and environment that keep a process on one core."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env |= dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1")
    return (["taskset", "-c", "0"] if shutil.which("taskset") else []), env


def time_score(args: Sequence[str]) -> tuple[float, dict]:
    """Seconds of one ``pipeline score --json`` run, and its JSON."""
    prefix, env = one_core()
    command = [*prefix, sys.executable, "-m", "pipeline", "score", *args, "--json"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return seconds, json.loads(done.stdout)


def scores(result: dict, metrics: Sequence[str] = ("bleu", "chrf")) -> dict[tuple[str, str], float]:
    """Each system's score of each of ``metrics``."""
    return {
        (system["name"], m["metric"]): m["score"]
        for system in result["systems"]
        for m in system["scores"]
        if m["metric"] in metrics
    }


def shown(args: Sequence[str], folder: Path = WMT) -> str:
    """The command as a reader would type it in ``folder`` (all 12 systems as ``systems/*.en``)."""
    every_system = " ".join(str(p) for p in sorted((WMT / "systems").glob("*.en")))
    text = " ".join(str(a) for a in args).replace(every_system, str(WMT / "systems" / "*.en"))
    return f"pipeline score {text.replace(f'{folder}/', '')}"


def old_and_new(name: str, args: Sequence[str], skip_old: bool, folder: Path = WMT) -> None:
    """One row for the defaults and one for the old defaults, with the ratio (paths shown from ``folder``)."""
    new_seconds, new = time_score(args)
    print(f"| {name} | `{shown(args, folder)}` (BLEU, chrF, CIs) | {new_seconds:.1f} |", flush=True)
    if skip_old:
        return
    old_seconds, old = time_score([*args, *OLD_DEFAULTS])
    if scores(old) != scores(new):
        raise SystemExit(f"{name}: the old and new defaults give different BLEU or chrF scores")
    print(
        f"| {name} | `{shown([*args, *OLD_DEFAULTS], folder)}` (the old defaults) | {old_seconds:.1f} "
        f"({old_seconds / new_seconds:.1f} x) |",
        flush=True,
    )


def wmt22(systems: int, skip_old: bool) -> None:
    hyps = sorted((WMT / "systems").glob("*.en"))[:systems]
    args = ["--hyp", *hyps, "--ref", WMT / "ref.A.en", WMT / "ref.B.en", "--docs", WMT / "docs.tsv"]
    old_and_new(f"WMT22, {len(hyps)} systems", [str(a) for a in args], skip_old)


def join_articles(folder: Path) -> tuple[Path, Path]:
    """NiuTrans and reference A, every ``ARTICLE_SEGMENTS`` segments of a document on one line."""
    from pipeline.ingest.base import read_lines
    from pipeline.score.systems import read_documents

    doc_ids = read_documents(WMT / "docs.tsv")
    out = []
    for name in ("systems/NiuTrans.en", "ref.A.en"):
        lines = read_lines(WMT / name)
        by_doc: dict[str, list[str]] = {}
        for doc_id, line in zip(doc_ids, lines, strict=True):
            by_doc.setdefault(doc_id, []).append(line)
        joined = [
            " ".join(segments[start : start + ARTICLE_SEGMENTS])
            for segments in by_doc.values()
            for start in range(0, len(segments) - ARTICLE_SEGMENTS + 1, ARTICLE_SEGMENTS)
        ][:ARTICLES]
        path = folder / Path(name).name
        path.write_text("".join(f"{line}\n" for line in joined), encoding="utf-8")
        out.append(path)
    return out[0], out[1]


def articles(skip_old: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        hyp, ref = join_articles(Path(folder))
        name = f"{ARTICLES} article-length lines, 1 system"
        old_and_new(name, ["--hyp", str(hyp), "--ref", str(ref)], skip_old, Path(folder))


def each_metric() -> None:
    hyp = WMT / "systems" / "NiuTrans.en"
    for metric in ("bleu", "chrf", "chrf++", "ter"):
        args = ["--hyp", str(hyp), "--ref", str(WMT / "ref.A.en"), str(WMT / "ref.B.en")]
        seconds, _ = time_score([*args, "--metrics", metric, "--bootstrap", "0"])
        print(f"| one metric, 1 system | `{shown([*args, '--metrics', metric, '--bootstrap', '0'])}` | {seconds:.1f} |")


def ter_statistics(system: str) -> dict[str, float | bool]:
    """Seconds of sacrebleu's TER and of ours on one system's segments, both references, and whether every
    segment's statistics are the same (run in the process that measures it)."""
    from sacrebleu.metrics import TER

    from pipeline.ingest.base import read_lines
    from pipeline.score.ter import FastTER

    refs = [read_lines(WMT / "ref.A.en"), read_lines(WMT / "ref.B.en")]
    hyps = read_lines(WMT / "systems" / f"{system}.en")
    out: dict[str, float | bool] = {}
    rows = []
    for name, metric in (("sacrebleu", TER(references=refs)), ("ours", FastTER(references=refs))):
        started = time.perf_counter()
        rows.append(metric._extract_corpus_statistics(hyps, None))
        out[name] = time.perf_counter() - started
    out["equal"] = rows[0] == rows[1]
    return out


def each_system_ter(systems: int) -> None:
    """sacrebleu's TER against ours, system by system, each in a fresh process on one core."""
    prefix, env = one_core()
    total = {"sacrebleu": 0.0, "ours": 0.0}
    for path in sorted((WMT / "systems").glob("*.en"))[:systems]:
        command = [*prefix, sys.executable, __file__, "--ter-system", path.stem]
        row = json.loads(subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout)
        if not row["equal"]:
            raise SystemExit(f"{path.stem}: our TER statistics differ from sacrebleu's")
        total["sacrebleu"] += row["sacrebleu"]
        total["ours"] += row["ours"]
        print(f"| {path.stem}, both references | {row['sacrebleu']:.1f} | {row['ours']:.1f} |", flush=True)
    if systems:
        ratio = total["sacrebleu"] / total["ours"]
        summary = f"{total['sacrebleu']:.0f} | {total['ours']:.0f} ({ratio:.1f} x)"
        print(f"| all {systems} systems, every segment's statistics equal | {summary} |")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", nargs="+", choices=["wmt22", "articles", "metrics", "ter"], default=["wmt22", "articles"]
    )
    parser.add_argument("--systems", type=int, default=12, help="the first N WMT22 systems (sorted by name)")
    parser.add_argument("--skip-old", action="store_true", help="time only the defaults")
    parser.add_argument("--ter-system", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not (WMT / "ref.A.en").is_file():
        print(f"WMT22 data not found at {WMT}", file=sys.stderr)
        return 1
    if args.ter_system:
        print(json.dumps(ter_statistics(args.ter_system)))
        return 0
    if "ter" in args.cases:
        print("| TER statistics (one core) | sacrebleu (s) | ours (s) |\n|---|---|---|")
        each_system_ter(args.systems)
    if set(args.cases) == {"ter"}:
        return 0
    print("| case | command (one core) | seconds |\n|---|---|---|")
    if "articles" in args.cases:
        articles(args.skip_old)
    if "metrics" in args.cases:
        each_metric()
    if "wmt22" in args.cases:
        wmt22(args.systems, args.skip_old)
    return 0


if __name__ == "__main__":
    sys.exit(main())
