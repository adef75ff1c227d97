"""Translation speed: MarianMT as its model card shows it, against our two backends, in one run.

    python benchmarks/translate_speed.py [--sentences 300] [--decoding both] [--threads 1] [--json]
    python benchmarks/translate_speed.py --cuda-sweep [--sentences 2000]      # on a CUDA machine

Systems, each in its own process (so peak memory is its own), on the same sentences:
  (a) the model card: ``MarianTokenizer`` + ``MarianMTModel.generate`` on padded batches of 16, in input order;
  (b) our ``marian`` backend (token-budget batches sorted by length, dedup, inference mode);
  (c) our ``ctranslate2`` backend, int8.

The model is a random-weight MarianMT with opus-mt-zh-en's exact architecture (d_model 512, 6+6
layers, 8 heads, FFN 2048, vocabulary 65,001, tied embeddings, the same special tokens and
generation config), with SentencePiece models trained here on WMT22 and MAC-Dev text; it is built
once into ``models/bench-opus-mt-zh-en-arch/``.

Output lengths. A random model never ends a sentence, so ``</s>`` gets a -10^4 bias (it is never
chosen early) and every system is stopped at a fixed length per sentence: TARGET_RATIO times the
sentence's source tokens, the length real MT of the same text has. (a) and (b) get a logits
processor that forces ``</s>`` after that many tokens; (c) gets a CTranslate2 callback that stops
the example (greedy), or, as CTranslate2 has no per-example stop in beam search, decodes each batch
to its longest sentence's length (extra work for (c), counted against it and reported). So every
system does the work a real model's outputs would ask of it: an unsorted batch runs as long as its
longest sentence. ``--uniform`` gives every sentence 40 tokens instead, through the same
``max_new_tokens`` everywhere (the setup of the issue's orientation figures). The run checks that
the outputs agree.
The repetition guard is off in (b) and (c): a random model's word salad would trip it on almost
every sentence, which a real model does not; the check itself costs microseconds a sentence.

Sentences: the seed article's Chinese sentences, then MAC-Dev's (``../shared/data``), the first N.
``--json`` prints one JSON object on the last line, with ``ratio_b_over_a`` and ``ratio_c_over_a``
(time of a over time of b or c, the smaller over the decodings run) and the figures per decoding.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.errors import PipelineError  # noqa: E402
from pipeline.ingest.base import paragraphs_from_text  # noqa: E402
from pipeline.segment.zh_rules import ChineseRuleSegmenter  # noqa: E402
from pipeline.translate.passthrough import quick_translation  # noqa: E402
from pipeline.translate.tiny import TinySpec, build_tiny  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
MODELS = ROOT / "models"
BENCH_MODEL = MODELS / "bench-opus-mt-zh-en-arch"
OUTPUT_TOKENS = 40
#: Output tokens per source token of real zh-en MT with these vocabularies (1.60 on MAC-Dev's MT, 1.58 on
#: WMT22's reference A), which sets each sentence's output length in greedy runs.
TARGET_RATIO = 1.6
CARD_BATCH = 16
DECODINGS = {"greedy": 1, "beam4": 4}
#: opus-mt-zh-en's published config.json and generation config, with trained-here vocabularies.
OPUS_SPEC = TinySpec(
    d_model=512,
    layers=6,
    heads=8,
    ffn=2048,
    max_positions=512,
    max_length=512,
    num_beams=4,
    zh_pieces=32000,
    en_pieces=32000,
    vocab_size=65001,
)


# ---------------------------------------------------------------------------------------------
# data and model


def bench_sentences(n: int) -> list[str]:
    """The seed article's Chinese sentences, then MAC-Dev's, the first ``n``."""
    seed = (ROOT / "examples/seed/covid-cooperation.zh.txt").read_text(encoding="utf-8")
    splitter = ChineseRuleSegmenter()
    out = [s for p in paragraphs_from_text(seed) for s in splitter.split(p.text)]
    mac = sorted((DATA / "mac-dev").glob("*.zh.sents"))
    if len(out) < n and not mac:
        sys.exit(f"{DATA / 'mac-dev'} is absent: only {len(out)} seed sentences; use --sentences {len(out)}")
    for path in mac:
        out.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    if len(out) < n:
        sys.exit(f"only {len(out)} sentences available; use --sentences {len(out)} or fewer")
    return out[:n]


def _lines(*paths: Path) -> list[str]:
    return [line for p in paths if p.is_file() for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def ensure_bench_model() -> Path:
    """Build the opus-mt-zh-en-shaped random model once; ``</s>`` gets a large negative bias."""
    if (BENCH_MODEL / "model.safetensors").is_file():
        return BENCH_MODEL
    import torch
    from transformers import MarianMTModel

    zh = _lines(DATA / "wmt22-zh-en/src.zh", *sorted((DATA / "mac-dev").glob("*.zh.sents")))
    en = _lines(DATA / "wmt22-zh-en/ref.A.en", *sorted((DATA / "mac-dev").glob("*.en.sents")))
    if not zh or not en:
        sys.exit(f"{DATA} is absent: the benchmark model's SentencePiece models are trained on WMT22 and MAC-Dev")
    tmp = BENCH_MODEL.with_name(BENCH_MODEL.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)  # left by an interrupted build
    build_tiny(tmp, OPUS_SPEC, (zh, en))
    model = MarianMTModel.from_pretrained(tmp)
    with torch.no_grad():
        model.final_logits_bias[0, model.config.eos_token_id] = -1e4  # a random model must not stop early
    model.save_pretrained(tmp, safe_serialization=True)
    tmp.rename(BENCH_MODEL)
    return BENCH_MODEL


# ---------------------------------------------------------------------------------------------
# the three systems (each runs in a worker process)


Run = Callable[[list[str]], tuple[list[str], list[int]]]


def target_length(source_tokens: int) -> int:
    """A real model's output length for a source of this many subword tokens (</s> excluded)."""
    return max(1, round(TARGET_RATIO * source_tokens))


def fixed_lengths(lengths: list[int], beams: int, eos: int) -> Any:
    """A logits processor that ends row i with </s> right after its ``lengths[i]``-th token."""
    import torch
    from transformers import LogitsProcessor, LogitsProcessorList

    class FixedLengths(LogitsProcessor):
        def __init__(self) -> None:
            self.lengths = torch.tensor(lengths).repeat_interleave(beams)

        def __call__(self, input_ids: Any, scores: Any) -> Any:
            done = self.lengths == input_ids.shape[1] - 1  # the decoder start token is not an output
            if done.any():
                scores[done] = float("-inf")
                scores[done, eos] = 0.0
            return scores

    return LogitsProcessorList([FixedLengths()])


def model_card(model: Path, beams: int, threads: int, lengths: dict[str, int] | None) -> Run:
    """(a) The model card's usage: padded batches of 16 in input order."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    torch.set_num_threads(threads)
    tokenizer = MarianTokenizer.from_pretrained(model)
    marian = MarianMTModel.from_pretrained(model)
    pad, eos = marian.config.pad_token_id, marian.config.eos_token_id
    limit = max(lengths.values()) + 1 if lengths else OUTPUT_TOKENS + 1

    def run(texts: list[str]) -> tuple[list[str], list[int]]:
        outputs: list[str] = []
        counts: list[int] = []
        for start in range(0, len(texts), CARD_BATCH):
            chunk = texts[start : start + CARD_BATCH]
            extra = {"logits_processor": fixed_lengths([lengths[t] for t in chunk], beams, eos)} if lengths else {}
            batch = tokenizer(chunk, return_tensors="pt", padding=True)
            generated = marian.generate(**batch, num_beams=beams, max_new_tokens=limit, **extra)
            outputs.extend(tokenizer.batch_decode(generated, skip_special_tokens=True))
            counts.extend(int(((row != pad) & (row != eos)).sum()) for row in generated)
        return outputs, counts

    return run


def our_settings(model: Path, beams: int, threads: int, limit: int) -> dict[str, Any]:
    return {
        "model": str(model),
        "models_dir": MODELS,
        "num_beams": beams,
        "max_new_tokens": limit,
        "threads": threads,
        "device": "cpu",
        "cache": False,
        "progress": False,
        "repetition": {"enabled": False},
    }


def ours(system: str, model: Path, beams: int, threads: int, lengths: dict[str, int] | None) -> Run:
    """(b) our marian backend, (c) our ctranslate2 backend (int8), stopped at the same lengths as (a)."""
    from pipeline.config import CTranslate2Settings, MarianSettings
    from pipeline.translate.ct2 import CTranslate2Translator
    from pipeline.translate.marian import MarianTranslator

    settings = our_settings(model, beams, threads, max(lengths.values()) + 1 if lengths else OUTPUT_TOKENS + 1)

    class Marian(MarianTranslator):
        def _generate(self, texts: list[str], extra: dict[str, Any]) -> list[str]:
            if lengths:
                extra = {**extra, "logits_processor": fixed_lengths([lengths[t] for t in texts], beams, 0)}
            return super()._generate(texts, extra)

    decoded: dict[str, int] = {}  # (c): tokens each sentence was decoded to

    class CT2(CTranslate2Translator):
        def _translate(self, texts: list[str], extra: dict[str, Any]) -> list[str]:
            if not lengths:
                return super()._translate(texts, extra)
            todo = [lengths[t] for t in texts]
            if beams == 1:  # CTranslate2 stops one example when its callback says so
                decoded.update(zip(texts, todo, strict=True))
                extra = {**extra, "callback": lambda step: step.step + 1 >= todo[step.batch_id]}
                return super()._translate(texts, extra)
            # beam search has no per-example stop: the batch decodes to its longest sentence (more work for c)
            decoded.update((t, max(todo)) for t in texts)
            full = self.decoding
            if full is None:
                raise RuntimeError("not loaded")
            self.decoding = replace(full, max_new_tokens=max(todo) + 1)
            try:
                return super()._translate(texts, extra)
            finally:
                self.decoding = full

    translator = (
        Marian(MarianSettings(**settings))
        if system == "b"
        else CT2(CTranslate2Settings(name="ctranslate2", quantization="int8", **settings))
    )
    translator.load()
    # -1: no model tokens (a segment passed through without the model, e.g. "……")
    return lambda texts: ([t.text for t in translator.translate(texts)], [decoded.get(t, -1) for t in texts])


def worker(system: str, model: Path, texts: list[str], beams: int, threads: int, lengths: dict[str, int] | None):
    """Load one system, warm it up on two sentences, then time it on all of them."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # "both max_new_tokens and max_length" on every call: the same for all
    hf_logging.disable_progress_bar()
    make = model_card if system == "a" else lambda *a: ours(system, *a)
    run = make(model, beams, threads, lengths)
    run(texts[:2])  # one-off costs (lazy initialisation, first allocations), the same for all
    started = time.perf_counter()
    outputs, counts = run(texts)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_rss_mb": round(peak_mb, 1), "outputs": outputs, "target_tokens": counts}


def run_worker(args: argparse.Namespace) -> None:
    job = json.loads(Path(args.texts).read_text(encoding="utf-8"))
    result = worker(args.worker, Path(args.model), job["texts"], args.beams, args.threads, job["lengths"])
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# the comparison


def spawn(system: str, model: Path, texts_file: Path, beams: int, threads: int, tmp: Path) -> dict[str, Any]:
    result = tmp / f"{system}-{beams}.json"
    command = [sys.executable, __file__, "--worker", system, "--model", str(model), "--texts", str(texts_file)]
    command += ["--beams", str(beams), "--threads", str(threads), "--result", str(result)]
    subprocess.run(command, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return json.loads(result.read_text(encoding="utf-8"))


def agreement(outputs: list[str], reference: list[str]) -> float:
    """Share of outputs equal to the reference ones (1.0 when there is nothing to compare)."""
    return round(sum(o == r for o, r in zip(outputs, reference, strict=True)) / max(1, len(reference)), 4)


def sentence_lengths(model: Path, texts: list[str]) -> dict[str, int]:
    """Each sentence's output length: TARGET_RATIO times its source tokens."""
    from transformers import MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(model)
    return {t: target_length(len(ids) - 1) for t, ids in zip(texts, tokenizer(texts)["input_ids"], strict=True)}


def compare(model: Path, texts: list[str], beams: int, threads: int, lengths: dict[str, int] | None) -> dict[str, Any]:
    """Run the three systems, one process each, and put their figures side by side."""
    with tempfile.TemporaryDirectory() as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps({"texts": texts, "lengths": lengths}, ensure_ascii=False), encoding="utf-8")
        runs = {s: spawn(s, model, texts_file, beams, threads, Path(tmp)) for s in ("a", "b", "c")}
    tokens = sum(runs["a"]["target_tokens"])
    expected = [lengths[t] for t in texts] if lengths else [OUTPUT_TOKENS] * len(texts)
    figures: dict[str, Any] = {}
    for system, run in runs.items():
        figures[system] = {
            "seconds": round(run["seconds"], 2),
            "sentences_per_s": round(len(texts) / run["seconds"], 2),
            "target_tokens_per_s": round(tokens / run["seconds"], 1),
            "peak_rss_mb": run["peak_rss_mb"],
        }
    reference = runs["a"]["outputs"]
    c_tokens = runs["c"]["target_tokens"] if lengths else expected
    same_length = [i for i, n in enumerate(c_tokens) if n == expected[i]]
    return {
        **figures,
        "ratio_b_over_a": round(runs["a"]["seconds"] / runs["b"]["seconds"], 2),
        "ratio_c_over_a": round(runs["a"]["seconds"] / runs["c"]["seconds"], 2),
        "identical_b_a": agreement(runs["b"]["outputs"], reference),
        "identical_c_a": agreement([runs["c"]["outputs"][i] for i in same_length], [reference[i] for i in same_length]),
        "c_extra_tokens": sum(n - e for n, e in zip(c_tokens, expected, strict=True) if n >= 0),
        "passed_through_by_b_and_c": sum(1 for t in texts if quick_translation(t) is not None),
        "target_tokens": tokens,
        "lengths": "per sentence" if lengths else f"{OUTPUT_TOKENS} tokens each",
        "outputs_have_their_length": runs["a"]["target_tokens"] == expected,
    }


def print_table(name: str, result: dict[str, Any]) -> None:
    print(f"\n{name}: {result['target_tokens']} target tokens, output lengths {result['lengths']}")
    print(f"{'system':<32}{'seconds':>9}{'sent/s':>9}{'tok/s':>9}{'peak MB':>9}")
    labels = {"a": "(a) model card, batch 16", "b": "(b) ours, marian", "c": "(c) ours, ctranslate2 int8"}
    for system, label in labels.items():
        f = result[system]
        row = f"{label:<32}{f['seconds']:>9}{f['sentences_per_s']:>9}{f['target_tokens_per_s']:>9}"
        print(row + f"{f['peak_rss_mb']:>9}")
    print(f"b/a {result['ratio_b_over_a']}x   c/a {result['ratio_c_over_a']}x   ", end="")
    print(f"identical outputs: b {result['identical_b_a']:.1%}, c {result['identical_c_a']:.1%} of a's", end="")
    print(f"   c decoded {result['c_extra_tokens']} extra tokens" if result["c_extra_tokens"] else "")


def cpu_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    model = ensure_bench_model()
    prepare_ct2(model)
    texts = bench_sentences(args.sentences)
    distinct = len(set(texts))
    print(f"{len(texts)} sentences ({distinct} distinct), {args.threads} threads")
    per_sentence = None if args.uniform else sentence_lengths(model, texts)
    decodings = DECODINGS if args.decoding == "both" else {args.decoding: DECODINGS[args.decoding]}
    results = {name: compare(model, texts, beams, args.threads, per_sentence) for name, beams in decodings.items()}
    for name, result in results.items():
        print_table(name, result)
    return {
        "sentences": len(texts),
        "distinct": distinct,
        "threads": args.threads,
        **results,
        "ratio_b_over_a": min(r["ratio_b_over_a"] for r in results.values()),
        "ratio_c_over_a": min(r["ratio_c_over_a"] for r in results.values()),
    }


def prepare_ct2(model: Path, quantization: str = "int8") -> None:
    """Convert once before timing anything (the conversion is cached in models/ctranslate2/)."""
    from pipeline.translate.ct2 import ensure_converted
    from pipeline.translate.models import resolve

    ensure_converted(resolve(str(model), "main", MODELS), MODELS, quantization)


# ---------------------------------------------------------------------------------------------
# CUDA: batch sizes swept (written for a lent accelerator; not run on this project's CPU machines)


def cuda_sweep(args: argparse.Namespace) -> dict[str, Any]:
    """Sentences/s on CUDA for each batch size: model card (float32 and float16), ours (float16)."""
    import torch

    from pipeline.config import CTranslate2Settings, MarianSettings
    from pipeline.translate.ct2 import CTranslate2Translator
    from pipeline.translate.marian import MarianTranslator

    if not torch.cuda.is_available():
        sys.exit("--cuda-sweep needs a CUDA device")
    model = ensure_bench_model()
    prepare_ct2(model, "float16")
    texts = bench_sentences(args.sentences)
    rows = []
    for batch in (16, 32, 64, 128, 256):
        settings = {
            **our_settings(model, 1, 1, OUTPUT_TOKENS + 1),
            "device": "cuda",
            "batch_size": batch,
            "max_tokens": batch * 64,
        }
        systems = {
            "b_marian_fp16": MarianTranslator(MarianSettings(**settings, dtype="float16")),
            "c_ct2_fp16": CTranslate2Translator(
                CTranslate2Settings(name="ctranslate2", quantization="float16", **settings)
            ),
        }
        row: dict[str, Any] = {"batch": batch, **card_on_cuda(model, texts, batch)}
        for name, translator in systems.items():
            translator.load()
            translator.translate(texts[:batch])  # warm-up
            torch.cuda.synchronize()
            started = time.perf_counter()
            translator.translate(texts)
            torch.cuda.synchronize()
            row[name] = round(len(texts) / (time.perf_counter() - started), 1)
            translator.close()
        rows.append(row)
        print(json.dumps(row))
    return {"cuda_sweep": rows, "sentences": len(texts), "gpu": torch.cuda.get_device_name()}


def card_on_cuda(model: Path, texts: list[str], batch: int) -> dict[str, float]:
    """The model card's loop on CUDA, in float32 and in float16, at one batch size."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(model)
    out = {}
    for dtype in (torch.float32, torch.float16):
        marian = MarianMTModel.from_pretrained(model, dtype=dtype).to("cuda")
        started = time.perf_counter()
        for start in range(0, len(texts), batch):
            inputs = tokenizer(texts[start : start + batch], return_tensors="pt", padding=True).to("cuda")
            marian.generate(**inputs, num_beams=1, max_new_tokens=OUTPUT_TOKENS + 1)
        torch.cuda.synchronize()
        out[f"a_card_{str(dtype).removeprefix('torch.')}"] = round(len(texts) / (time.perf_counter() - started), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--decoding", choices=["greedy", "beam4", "both"], default="both")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object on the last line")
    parser.add_argument("--uniform", action="store_true", help=f"every output {OUTPUT_TOKENS} tokens")
    parser.add_argument("--cuda-sweep", action="store_true", help="sweep batch sizes on a CUDA device")
    parser.add_argument("--worker", choices=["a", "b", "c"], help=argparse.SUPPRESS)
    for hidden in ("--model", "--texts", "--result"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    parser.add_argument("--beams", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args)
        return
    try:
        result = cuda_sweep(args) if args.cuda_sweep else cpu_benchmark(args)
    except PipelineError as exc:
        sys.exit(f"error: {exc}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
