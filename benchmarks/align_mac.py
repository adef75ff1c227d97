"""Alignment accuracy on MAC-Dev (Bertalign's Chinese-English literary dev set).

Uses the gold sentence splits, the external machine translation in ``NNN.mt.sents`` and the gold
links, and scores with Vecalign's strict and lax precision/recall/F1 (``pipeline align-eval``'s
code, :mod:`pipeline.align.evaluate`), the measure the published results use (Gale-Church 0.485
... Bertalign 0.911).

    python benchmarks/align_mac.py [--aligner dp|gale-church] [--set align.KEY=VALUE ...]
    python benchmarks/align_mac.py --ablation      # the signal ablation table of docs/benchmarks.md
    python benchmarks/align_mac.py --sweep         # one setting at a time around the defaults
    python benchmarks/align_mac.py --loo           # tuned on five chapters, tested on the sixth
    python benchmarks/align_mac.py --confidence    # reliability of the links' confidences
    python benchmarks/align_mac.py --embedding minilm [--ablation | --sweep | --loo | --confidence]
                                                   # the same with the sentence encoder on (pip install '.[embed]')
    python benchmarks/align_mac.py --embedding minilm --static-tokens [--set ...]
                                                   # an experiment: static token vectors instead of the encoder's
    python benchmarks/align_mac.py --embedding minilm --cascade
                                                   # an estimate: the encoder only where the lexical aligner is unsure

Reads ../shared/data/mac-dev; exits with a message when it is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

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

#: With ``--embedding``: the encoder's signals, one removed at a time, and their settings swept.
EMBEDDING_ABLATION: list[tuple[str, str, list[str]]] = [
    ("`dp` + encoder (token matching)", "dp", []),
    ("+ sentence vectors (0.3)", "dp", ["sentence_weight=0.3"]),
    ("sentence vectors (0.3) instead of token matching", "dp", ["token_weight=0", "sentence_weight=0.3"]),
    ("- token matching (lexical signals, skip penalty 0.25)", "dp", ["token_weight=0"]),
    ("- lexical cosine and evidence", "dp", ["lexical_weight=0"]),
    ("- length agreement", "dp", ["length_exponent=0"]),
]
EMBEDDING_SWEEP: dict[str, list[str]] = {
    "skip_penalty": ["0.1", "0.25", "0.4"],
    "token_weight": ["0.5", "0.75", "1.0"],
    "sentence_weight": ["0", "0.15", "0.3", "0.45"],
    "length_exponent": ["0.45", "0.6", "0.8"],
    "evidence_weight": ["0.1", "0.15", "0.25"],
    "quote_weight": ["0.05", "0.1", "0.15"],
}
#: Overrides added to every run (``--embedding NAME`` sets ``embedding_model=NAME``).
BASE: list[str] = []


def run(aligner_name: str, overrides: list[str]) -> tuple[Scores, list[Scores], float, str]:
    """(total, per chapter, seconds spent aligning, aligner signature)."""
    total, chapters, seconds, signature, _, _ = run_links(aligner_name, overrides)
    return total, chapters, seconds, signature


def run_links(aligner_name: str, overrides: list[str]) -> tuple[Scores, list[Scores], float, str, list, list]:
    """As :func:`run`, plus the gold and test links of every chapter."""
    aligner = build_aligner(aligner_name, [*BASE, *overrides] if aligner_name == "dp" else overrides)
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
    return score_documents(golds, tests), chapters, seconds, aligner.signature(), golds, tests


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
    for label, name, overrides in EMBEDDING_ABLATION if BASE else ABLATION:
        total, chapters, _, _ = run(name, overrides)
        per = " ".join(f"{c.f1_strict:.3f}" for c in chapters)
        print(
            f"| {label} | {total.precision_strict:.3f} | {total.recall_strict:.3f} | "
            f"**{total.f1_strict:.3f}** | {total.f1_lax:.3f} | {per} |"
        )


def sweep() -> None:
    for key, values in (EMBEDDING_SWEEP if BASE else SWEEP).items():
        cells = [f"{value}: {run('dp', [f'{key}={value}'])[0].f1_strict:.3f}" for value in values]
        print(f"{key}: " + ", ".join(cells))


def leave_one_out() -> None:
    """Tune on five chapters, test on the sixth: how much of the F1 comes from fitting MAC-Dev.

    The candidates are the defaults and every one-setting change of :data:`SWEEP`; for each
    held-out chapter the candidate with the best strict F1 on the other five is applied to it.
    """
    grid = EMBEDDING_SWEEP if BASE else SWEEP
    candidates = [[]] + [[f"{key}={value}"] for key, values in grid.items() for value in values]
    results = [run_links("dp", overrides) for overrides in candidates]
    golds = results[0][4]
    held_out_tests = []
    for k in range(len(golds)):
        rest = [c for c in range(len(golds)) if c != k]

        def fit(r: tuple, rest: list[int] = rest) -> float:
            return score_documents([r[4][c] for c in rest], [r[5][c] for c in rest]).f1_strict

        best = max(range(len(candidates)), key=lambda c: fit(results[c]))
        held_out_tests.append(results[best][5][k])
        chosen = " ".join(candidates[best]) or "defaults"
        f1 = score_documents([golds[k]], [results[best][5][k]]).f1_strict
        print(f"chapter {k + 1:03d}: tuned on the other five -> {chosen}; held-out strict F1 {f1:.3f}")
    total = score_documents(golds, held_out_tests)
    print(f"leave-one-chapter-out strict F1 {total.f1_strict:.3f} (defaults on all six: {results[0][0].f1_strict:.3f})")


def confidence() -> None:
    """How well the links' confidences separate right links from wrong ones (reliability table)."""
    aligner = build_aligner("dp", BASE)
    pairs: list[tuple[float, bool]] = []
    for gold_file in sorted(MAC.glob("*.gold.align")):
        stem = gold_file.name.split(".")[0]
        zh, en, mt = (read_sentences(MAC / f"{stem}.{kind}.sents") for kind in ("zh", "en", "mt"))
        gold = set(read_links(gold_file))
        pairs += [(b.score, (b.src, b.ref) in gold) for b in aligner.align(zh, mt, en)]
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


def use_static_tokens(choice: str) -> None:
    """Replace the encoder's forward pass by static token vectors (an experiment, not a backend).

    As model2vec distils a static model: every vocabulary token is encoded alone (``[CLS] token
    [SEP]``) once, and its output vector stands for it in every sentence; a sentence's vector is
    the mean of its tokens'. Aligning then costs no forward pass per sentence: does token
    matching keep its gain without context?
    """
    import torch

    from pipeline.align.embed import Encoding, SentenceEncoder, resolve
    from pipeline.align.student import static_vectors

    torch.set_num_threads(1)
    encoder = SentenceEncoder(resolve(choice))
    started = time.perf_counter()
    table = static_vectors(encoder)
    tokenizer = encoder._tokenizer
    print(f"static vectors of {len(table)} tokens in {time.perf_counter() - started:.1f} s (not counted below)")

    def forward(self: SentenceEncoder, texts: list[str], ids: list[list[int]]) -> list[Encoding]:
        out = []
        for token_ids in ids:
            token_ids = np.asarray(token_ids or [tokenizer.unk_token_id], dtype=np.int64)
            vectors = table[token_ids]
            mean = vectors.mean(0)
            sentence = (mean / (np.linalg.norm(mean) + 1e-9)).astype(np.float32)
            out.append(Encoding(sentence, vectors.astype(np.float16), token_ids))
        return out

    SentenceEncoder._forward = forward  # type: ignore[method-assign]
    SentenceEncoder.load = lambda self: setattr(self, "_tokenizer", tokenizer)  # type: ignore[method-assign]


def _boundaries(beads: list[tuple[tuple[int, ...], tuple[int, ...], float]]) -> list[tuple[int, int]]:
    """The grid points a path passes through between its links, (0, 0) first."""
    points, i, j = [(0, 0)], 0, 0
    for src, ref, _ in beads:
        i, j = i + len(src), j + len(ref)
        points.append((i, j))
    return points


def _spliced(lexical: list, encoded: list, threshold: float, extend: int) -> tuple[list, int]:
    """The lexical links, with each run of links below ``threshold`` (widened by ``extend`` links each
    side) replaced by the encoder's links between the same two grid points, where the encoder's path
    passes through both; and how many sentences (both sides) those runs hold."""
    points, encoder_points = _boundaries(lexical), set(_boundaries(encoded))
    unsure = [c < threshold for *_, c in lexical]
    marked = [any(unsure[max(0, k - extend) : k + extend + 1]) for k in range(len(lexical))]
    out, covered, k = [], 0, 0
    while k < len(lexical):
        if not marked[k]:
            out.append(lexical[k])
            k += 1
            continue
        start = k
        while k < len(lexical) and marked[k]:
            k += 1
        (i0, j0), (i1, j1) = points[start], points[k]
        covered += (i1 - i0) + (j1 - j0)
        if (i0, j0) in encoder_points and (i1, j1) in encoder_points:
            i = j = 0
            for bead in encoded:
                if i0 <= i and j0 <= j and i + len(bead[0]) <= i1 and j + len(bead[1]) <= j1:
                    out.append(bead)
                i, j = i + len(bead[0]), j + len(bead[1])
        else:
            out.extend(lexical[start:k])
    return out, covered


def cascade() -> None:
    """An estimate of what running the encoder only around uncertain links would give.

    Both aligners run on every chapter (torch on one thread). Then, for each confidence threshold,
    the runs of lexical links below it are replaced by the encoder's links over the same stretch:
    an upper estimate of a cascade that would encode only the sentences of those stretches (a real
    one would search each stretch again with the encoder's scores, and estimate the encoder's chance
    levels from the encoded sentences alone). Time: the lexical aligner's, plus the encoder run's
    extra time scaled by the share of sentences encoded.
    """
    import torch

    torch.set_num_threads(1)
    lexical_aligner, encoder_aligner = build_aligner("dp", []), build_aligner("dp", BASE)
    chapters, lexical_seconds, encoder_seconds, sentences = [], 0.0, 0.0, 0
    for gold_file in sorted(MAC.glob("*.gold.align")):
        stem = gold_file.name.split(".")[0]
        zh, en, mt = (read_sentences(MAC / f"{stem}.{kind}.sents") for kind in ("zh", "en", "mt"))
        started = time.perf_counter()
        lexical = [(b.src, b.ref, b.score) for b in lexical_aligner.align(zh, mt, en)]
        lexical_seconds += time.perf_counter() - started
        started = time.perf_counter()
        encoded = [(b.src, b.ref, b.score) for b in encoder_aligner.align(zh, mt, en)]
        encoder_seconds += time.perf_counter() - started
        chapters.append((read_links(gold_file), lexical, encoded))
        sentences += len(zh) + len(en)
    golds = [gold for gold, _, _ in chapters]
    for label, index in (("lexical", 1), ("encoder everywhere", 2)):
        f1 = score_documents(golds, [[(s, r) for s, r, _ in c[index]] for c in chapters]).f1_strict
        seconds = lexical_seconds if index == 1 else encoder_seconds
        print(f"{label}: strict F1 {f1:.3f} in {seconds:.1f} s")
    print("| links revisited | widened by | strict F1 | sentences encoded | estimated time |")
    print("|---|---|---|---|---|")
    for threshold in (0.5, 0.8, 0.9, 0.95):
        for extend in (0, 1):
            spliced = [_spliced(lexical, encoded, threshold, extend) for _, lexical, encoded in chapters]
            f1 = score_documents(golds, [[(s, r) for s, r, _ in links] for links, _ in spliced]).f1_strict
            share = sum(covered for _, covered in spliced) / sentences
            seconds = lexical_seconds + share * max(encoder_seconds - lexical_seconds, 0.0)
            print(f"| confidence < {threshold} | {extend} | {f1:.3f} | {share:.0%} | {seconds:.1f} s |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aligner", default="dp")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="align.KEY=VALUE")
    parser.add_argument("--ablation", action="store_true", help="print the signal ablation table")
    parser.add_argument("--sweep", action="store_true", help="vary one setting at a time")
    parser.add_argument("--loo", action="store_true", help="tune on five chapters, test on the sixth")
    parser.add_argument("--confidence", action="store_true", help="how well confidences separate right links")
    parser.add_argument("--embedding", metavar="MODEL", help="turn the sentence encoder on (align.embedding_model)")
    parser.add_argument(
        "--static-tokens",
        action="store_true",
        help="with --embedding: static token vectors distilled from the encoder instead of a forward pass per sentence",
    )
    parser.add_argument(
        "--cascade",
        action="store_true",
        help="with --embedding: estimate the encoder used only around the lexical aligner's uncertain links",
    )
    args = parser.parse_args()
    if args.cascade and not args.embedding:
        parser.error("--cascade needs --embedding")
    if args.static_tokens:
        if not args.embedding:
            parser.error("--static-tokens needs --embedding")
        use_static_tokens(args.embedding)
    if args.embedding:
        BASE.append(f"embedding_model={args.embedding}")
    if not MAC.is_dir():
        print(f"skipped: {MAC} not found (MAC-Dev lives in ../shared/data)")
        return 0
    if args.ablation:
        ablation()
    elif args.sweep:
        sweep()
    elif args.loo:
        leave_one_out()
    elif args.confidence:
        confidence()
    elif args.cascade:
        cascade()
    else:
        report(args.aligner, args.overrides)
    return 0


if __name__ == "__main__":
    sys.exit(main())
