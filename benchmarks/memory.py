"""Memory on large inputs: peak resident memory of ``pipeline run`` over inputs of growing size (tiny model).

    python benchmarks/memory.py [--sizes 50 200] [--shard-documents 64] [--keep DIR] [--apply] [--json]

Input. A JSON Lines file of Chinese documents with English references, generated under a temporary
folder (never committed), ``--sizes`` megabytes each (UTF-8 bytes of the file). Documents are windows
of 60-240 aligned sentence pairs of a MAC-Dev chapter (``../shared/data/mac-dev``, pairs by the gold
alignment) or of the seed article (``examples/seed``), grouped into paragraphs of 1-5 pairs; every
document has its own window, so documents differ, and 2% of the pairs get a chapter number put in
front (``第417回：`` / ``Part 417: ``), so there are new sentences all through the input. Every tenth
document has no reference. The same seed gives the same file.

Run. ``python -m pipeline run`` in a process of its own for each size, with the tiny random-weight
MarianMT (built into ``models/`` on first use), greedy, ``max_new_tokens: 16``, ``threads: 1``; the
dp aligner without the model bridge (``retranslate: false``: the tiny model's nonsense would send
every link back to the model); BLEU and chrF without bootstrap; every format (tsv, moses, jsonl,
parquet, tmx, review) with ``pairs: both`` and ``drop_duplicates``. Sentences repeat across
documents, so translation dedup and the translation cache translate each distinct sentence once:
translation time grows with the distinct sentences, not with the input.

Measured: peak resident set size of the run's process (``ru_maxrss`` from ``os.wait4``), its RSS every
second (from ``/proc``, to show the peak is reached early and stays), wall time, and the stage
timings of the run's manifest. ``--json`` prints the figures as one JSON object on the last line.

``--apply``: then ``pipeline apply`` in a process of its own on each run, measured the same way, with a
review made from the run's ``aligned.tsv``: every tenth link rejected, the one after it accepted, and
one in 97 of the rest fixed (``en_fixed``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SEED = ROOT / "examples" / "seed"
MODEL = ROOT / "models" / "tiny-opus-mt-zh-en"
VARY = 0.02

Unit = tuple[str, str]


# ---------------------------------------------------------------------------------------------
# input


def _links(path: Path) -> list[tuple[list[int], list[int]]]:
    """Gold links of a MAC-Dev chapter: ``[0,1]:[0]`` a line."""
    links = []
    for line in path.read_text(encoding="utf-8").splitlines():
        src, ref = re.findall(r"\[([\d,\s]*)\]", line)[:2]
        links.append(([int(i) for i in src.split(",") if i.strip()], [int(i) for i in ref.split(",") if i.strip()]))
    return links


def sources() -> list[list[Unit]]:
    """Aligned units (Chinese, English) of each MAC-Dev chapter and of the seed article."""
    chapters = []
    for align in sorted((DATA / "mac-dev").glob("*.gold.align")):
        stem = align.name.removesuffix(".gold.align")
        zh = (DATA / "mac-dev" / f"{stem}.zh.sents").read_text(encoding="utf-8").splitlines()
        en = (DATA / "mac-dev" / f"{stem}.en.sents").read_text(encoding="utf-8").splitlines()
        units = [("".join(zh[i] for i in s), " ".join(en[j] for j in r)) for s, r in _links(align) if s and r]
        chapters.append(units)
    zh = [p.strip(" \u3000") for p in (SEED / "covid-cooperation.zh.txt").read_text(encoding="utf-8").splitlines()]
    en = [p.strip() for p in (SEED / "covid-cooperation.en.txt").read_text(encoding="utf-8").splitlines()]
    chapters.append([(z, e) for z, e in zip(zh, en, strict=True) if z and e])
    return chapters


def document(number: int, chapters: list[list[Unit]]) -> dict[str, str]:
    rng = random.Random(number)
    units = rng.choice(chapters)
    size = min(len(units), rng.randint(60, 240))
    start = rng.randrange(len(units) - size + 1)
    window = list(units[start : start + size])
    for i, (zh, en) in enumerate(window):
        if rng.random() < VARY:
            n = rng.randint(1, 1000)
            window[i] = (f"第{n}回：{zh}", f"Part {n}: {en}")
    paragraphs: list[list[Unit]] = []
    while window:
        take = rng.randint(1, 5)
        paragraphs.append(window[:take])
        window = window[take:]
    record = {"id": f"doc{number:06d}", "zh": "\n".join("".join(z for z, _ in p) for p in paragraphs)}
    if number % 10 != 9:
        record["en"] = "\n".join(" ".join(e for _, e in p) for p in paragraphs)
    return record


def write_input(path: Path, megabytes: float, chapters: list[list[Unit]]) -> int:
    """Documents until the file holds ``megabytes`` MB; returns how many."""
    target = int(megabytes * 1_000_000)
    written = count = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < target:
            line = json.dumps(document(count, chapters), ensure_ascii=False) + "\n"
            handle.write(line)
            written += len(line.encode("utf-8"))
            count += 1
    return count


def config(docs: Path, out: Path, shard_documents: int) -> dict[str, Any]:
    return {
        "run": {"name": "memory", "output_dir": str(out), "shard_documents": shard_documents},
        "ingest": {"name": "jsonl", "path": str(docs)},
        "translate": {
            "model": str(MODEL),
            "if_missing": "build-tiny",
            "device": "cpu",
            "threads": 1,
            "num_beams": 1,
            "max_new_tokens": 16,
            "progress": False,
        },
        "align": {"name": "dp", "retranslate": False},
        "score": {"metrics": ["bleu", "chrf"], "bootstrap": 0},
        "export": {
            "formats": ["tsv", "moses", "jsonl", "parquet", "tmx", "review"],
            "pairs": "both",
            "filters": {"drop_duplicates": True},
        },
    }


# ---------------------------------------------------------------------------------------------
# measuring


def _rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else None


def run_measured(config_path: Path) -> dict[str, Any]:
    """``pipeline run`` in a child process: its peak RSS, its RSS every second, wall time."""
    return measure(["run", str(config_path)])


def measure(arguments: list[str]) -> dict[str, Any]:
    """``python -m pipeline ARGUMENTS`` in a child process: its peak RSS, its RSS every second, wall time."""
    started = time.perf_counter()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    child = subprocess.Popen(
        [sys.executable, "-m", "pipeline", *arguments],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    samples: list[tuple[float, float]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(1.0):
            rss = _rss_mb(child.pid)
            if rss is not None:
                samples.append((round(time.perf_counter() - started, 1), round(rss, 1)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = ""
    if child.stdout is not None:  # always, with stdout=PIPE; closed once read
        with child.stdout:
            output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"pipeline {arguments[0]} failed ({child.returncode}):\n{output[-4000:]}")
    return {"peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "wall_seconds": round(wall, 1), "rss_samples": samples}


def write_review(aligned: Path, path: Path) -> None:
    """A reviewed copy of ``aligned``: every tenth link rejected, the next accepted, one in 97 of the rest fixed."""
    # aligned.tsv escapes tabs and line breaks inside texts, so a line is a record and a tab a field break
    with aligned.open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as out:
        header = source.readline()
        columns = header.rstrip("\n").split("\t")
        status, en_fixed = columns.index("status"), columns.index("en_fixed")
        out.write(header)
        for number, line in enumerate(source, 1):
            fields = line.rstrip("\n").split("\t")
            if number % 10 == 0:
                fields[status] = "reject"
            elif number % 10 == 1:
                fields[status] = "accept"
            elif number % 97 == 2:
                fields[status], fields[en_fixed] = "fix", "A fixed sentence."
            out.write("\t".join(fields) + "\n")


def describe_run(run_dir: Path) -> dict[str, Any]:
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    run = manifest["run"]
    counts = report["counts"]
    return {
        "documents": counts["documents"],
        "shards": len(run["shards"]),
        "sentences_zh": counts["sentences"]["zh"],
        "sentences_en": counts["sentences"]["en"],
        "links": counts["links"],
        "segments_translated": run["translation"]["segments_translated"],
        "timings_seconds": run["timings_seconds"],
        "left_out": report.get("left_out", {}),
        "outputs_mb": {p.name: round(p.stat().st_size / 1e6, 1) for p in sorted(run_dir.iterdir()) if p.is_file()},
    }


def _profile(samples: list[tuple[float, float]]) -> str:
    """RSS at a tenth, a quarter, half, three quarters and the end of the run."""
    if not samples:
        return "-"
    picks = [samples[min(len(samples) - 1, int(f * len(samples)))] for f in (0.1, 0.25, 0.5, 0.75, 1.0)]
    return " / ".join(f"{rss:.0f}" for _, rss in picks[:-1]) + f" / {samples[-1][1]:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=float, default=[50, 200], help="input sizes in MB")
    parser.add_argument("--shard-documents", type=int, default=64)
    parser.add_argument("--keep", type=Path, help="keep inputs and run folders here instead of a temporary folder")
    parser.add_argument("--apply", action="store_true", help="also measure `pipeline apply` on each run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (DATA / "mac-dev").is_dir():
        raise SystemExit(f"MAC-Dev not found in {DATA / 'mac-dev'}: the input is made from it")
    chapters = sources()
    results = []
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as temporary:
        work = args.keep or Path(temporary)
        for size in args.sizes:
            folder = work / f"{size:g}MB"
            folder.mkdir(parents=True, exist_ok=True)
            docs = folder / "docs.jsonl"
            count = write_input(docs, size, chapters)
            config_path = folder / "memory.yaml"
            config_path.write_text(yaml.safe_dump(config(docs, folder / "out", args.shard_documents)), "utf-8")
            measured = run_measured(config_path)
            result = {"input_mb": round(docs.stat().st_size / 1e6, 1), "documents_written": count, **measured}
            result.update(describe_run(folder / "out" / "memory"))
            results.append(result)
            print(
                f"{result['input_mb']:7.1f} MB  {result['documents']:6d} docs  {result['links']:8d} links  "
                f"peak RSS {result['peak_rss_mb']:7.1f} MB  wall {result['wall_seconds']:7.1f} s  "
                f"RSS at 10/25/50/75/100%: {_profile(measured['rss_samples'])} MB",
                flush=True,
            )
            if args.apply:
                run_dir = folder / "out" / "memory"
                write_review(run_dir / "aligned.tsv", folder / "reviewed.tsv")
                applied = measure(["apply", str(folder / "reviewed.tsv"), "--run", str(run_dir)])
                result["apply"] = applied
                print(
                    f"{'':7s}    pipeline apply: peak RSS {applied['peak_rss_mb']:7.1f} MB  "
                    f"wall {applied['wall_seconds']:7.1f} s",
                    flush=True,
                )
    if args.json:
        for result in results:
            result["rss_samples"] = result["rss_samples"][:: max(1, len(result["rss_samples"]) // 50)]
            if "apply" in result:
                result["apply"]["rss_samples"] = result["apply"]["rss_samples"][
                    :: max(1, len(result["apply"]["rss_samples"]) // 50)
                ]
        print(json.dumps({"runs": results}))


if __name__ == "__main__":
    main()
