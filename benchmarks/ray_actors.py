"""Ray executor throughput: the same shards with 1 and with 2 translation actors, in one run.

    python benchmarks/ray_actors.py [--documents 4] [--max-new-tokens 16] [--repeats 1] [--json]

The documents are copies of the seed article (62 Chinese sentences each, ids ``copy0``...), one document a
shard, so every shard has the same work; shards do not share a translation cache, so every shard
translates its sentences. The model has opus-mt-zh-en's architecture (d_model 512, 6+6 layers, 8 heads,
FFN 2048, vocabulary padded to 65,001) with random weights and SentencePiece models trained on the
package's small corpus; built once into ``models/bench-ray-opus-arch/``. A random model never stops
early, so every sentence decodes exactly ``--max-new-tokens`` tokens (greedy, one torch thread per actor,
one CPU reserved per actor).

One local Ray (``num_cpus=2``, no dashboard) is started first and not timed. What is timed is the
executor's whole job for a fresh run folder: starting the actors (each imports torch and loads the
model) and segmenting, translating and aligning every shard, i.e. what a run spends between ingest
and scoring. The local executor (in this process, its model already loaded) is timed the same way for
reference. Every configuration is run ``--repeats`` times in turn (1 actor, 2 actors, local, then again),
and its best time is reported; ``--json`` prints the figures as one JSON object on the last line, with
``ratio_2_over_1`` (1-actor time over 2-actor time).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pipeline.backends import build_shard_stages  # noqa: E402
from pipeline.config import Config, validate  # noqa: E402
from pipeline.executors.base import Executor  # noqa: E402
from pipeline.registry import EXECUTORS, READERS  # noqa: E402
from pipeline.stages import ShardStages, write_shards  # noqa: E402
from pipeline.store import StageStore  # noqa: E402
from pipeline.translate.tiny import TinySpec, build_tiny  # noqa: E402

MODEL = ROOT / "models" / "bench-ray-opus-arch"
SEED = ROOT / "examples" / "seed" / "covid-cooperation.zh.txt"
#: opus-mt-zh-en's sizes; the vocabularies are trained on the package's small corpus (pieces are shorter).
OPUS_ARCH = TinySpec(d_model=512, layers=6, heads=8, ffn=2048, max_length=512, num_beams=4, vocab_size=65001)


def model() -> Path:
    if not (MODEL / "model.safetensors").is_file():
        print(f"building {MODEL} (once)", file=sys.stderr)
        build_tiny(MODEL, OPUS_ARCH)
    return MODEL


def documents(folder: Path, count: int) -> None:
    text = SEED.read_text(encoding="utf-8")
    for n in range(count):
        (folder / f"copy{n}.zh.txt").write_text(text, encoding="utf-8")


def config(docs: Path, max_new_tokens: int, executor: dict[str, Any]) -> Config:
    return validate(
        {
            "run": {"shard_documents": 1},
            "ingest": {"name": "text", "sources": [str(docs / "*.zh.txt")]},
            "translate": {
                "model": str(model()),
                "device": "cpu",
                "threads": 1,
                "num_beams": 1,
                "max_new_tokens": max_new_tokens,
                "progress": False,
                "repetition": {"enabled": False},  # a random model's output would trip it everywhere
            },
            "executor": executor,
        }
    )


def timed_job(cfg: Config, stages: ShardStages, folder: Path) -> dict[str, Any]:
    """The executor's whole job on a fresh run folder: (wall seconds, sentences, actor-side seconds)."""
    store = StageStore(folder / "stages")
    reader = READERS.load(cfg.ingest.name)(cfg.ingest)
    shards = write_shards(reader.read(), store, cfg.run.shard_documents, cfg.run.shard_characters)
    executor: Executor = EXECUTORS.load(cfg.executor.name)(cfg.executor, cfg)
    before = stages.translator.stats.sentences
    started = time.perf_counter()
    results = executor.process(shards, stages, store)
    wall = time.perf_counter() - started
    executor.close()
    sentences = stages.translator.stats.sentences - before
    work = sum(sum(r.seconds.values()) for r in results)
    return {"seconds": round(wall, 2), "sentences": sentences, "shard_seconds": round(work, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=4, help="copies of the seed article, one shard each")
    parser.add_argument("--max-new-tokens", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object on the last line")
    args = parser.parse_args()

    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    work = Path(tempfile.mkdtemp(prefix="ray-actors-"))
    docs = work / "docs"
    docs.mkdir()
    documents(docs, args.documents)
    load_before = os.getloadavg()
    setups = {
        "1 actor": {"name": "ray", "num_actors": 1},
        "2 actors": {"name": "ray", "num_actors": 2},
        "local": {"name": "local"},
    }
    stages = build_shard_stages(config(docs, args.max_new_tokens, {"name": "local"}))  # the local executor's
    best: dict[str, dict[str, Any]] = {}
    for repeat in range(args.repeats):
        for name, executor in setups.items():
            cfg = config(docs, args.max_new_tokens, executor)
            figures = timed_job(cfg, stages, work / f"{name.replace(' ', '-')}-{repeat}")
            figures["sentences_per_second"] = round(figures["sentences"] / figures["seconds"], 2)
            print(f"{name}: {figures}", file=sys.stderr)
            if name not in best or figures["seconds"] < best[name]["seconds"]:
                best[name] = figures
    ray.shutdown()

    print("| executor | seconds | sentences/s | shard seconds (summed over actors) |")
    print("|---|---|---|---|")
    for name, figures in best.items():
        print(f"| {name} | {figures['seconds']} | {figures['sentences_per_second']} | {figures['shard_seconds']} |")
    ratio = round(best["1 actor"]["seconds"] / best["2 actors"]["seconds"], 2)
    print(f"2 actors over 1: {ratio}x")
    if args.json:
        record = {
            "ratio_2_over_1": ratio,
            "best": best,
            "documents": args.documents,
            "max_new_tokens": args.max_new_tokens,
            "repeats": args.repeats,
            "cpus": os.cpu_count(),
            "load_average_before_after": [load_before, os.getloadavg()],
            "ray": ray.__version__,
            "machine": platform.processor() or platform.machine(),
        }
        print(json.dumps(record))


if __name__ == "__main__":
    main()
