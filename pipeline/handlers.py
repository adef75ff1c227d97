"""What each command does once its arguments are parsed (:mod:`pipeline.cli`): call the library and print.

Each handler imports what it needs when it runs, so ``pipeline --help`` and a light command load
neither torch nor the aligner's dictionary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline import config, runner

    cfg = config.load(args.config, args.overrides)
    result = runner.run(cfg, args.config, args.output, command=["pipeline", *sys.argv[1:]])
    for warning in result.report["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    for score in result.report["scores"]:
        print(score["text"])
    print(f"run folder: {result.run_dir}")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from pipeline import reference

    sys.stdout.write(reference.json_schema() if args.json else reference.render())
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pipeline import config
    from pipeline.preflight import check_files

    check_files(config.load(args.config, args.overrides))
    print(f"{args.config}: valid")
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    from pipeline.review.apply import apply_review

    result = apply_review(args.reviewed, args.run_dir, command=["pipeline", *sys.argv[1:]])
    print("\n".join(result.lines()))
    return 0


def cmd_segment(args: argparse.Namespace) -> int:
    from pipeline import config
    from pipeline.ingest.base import paragraphs_from_text, read_inputs
    from pipeline.registry import SEGMENTERS

    data = config.read_yaml(args.config) if args.config else {}
    data.setdefault("ingest", {"sources": ["-"]})  # this command reads its own input: only the encoding is used
    cfg = config.validate(config.apply_overrides(data, args.overrides), str(args.config) if args.config else None)
    settings = cfg.segment.zh if args.lang == "zh" else cfg.segment.en
    segmenter = SEGMENTERS.load(settings.name)(settings)
    if args.eval:
        return _evaluate_segmenter(segmenter, args.eval, args.lang)
    for decoded in read_inputs(args.files, cfg.ingest.encoding, args.lang):
        for note in [] if args.quiet else decoded.notes:
            print(f"warning: {note}", file=sys.stderr)
        for paragraph in paragraphs_from_text(decoded.text):
            for sentence in segmenter.split(paragraph.text):
                print(sentence)
    return 0


def _evaluate_segmenter(segmenter: Any, gold_files: list[Path], lang: str) -> int:
    """Boundary precision, recall and F1 of ``segmenter`` against gold files, one sentence a line."""
    from pipeline.segment.evaluate import BoundaryCounts, read_gold, score_paragraphs

    total = BoundaryCounts()
    for path in gold_files:
        counts = score_paragraphs(read_gold(path), lang, segmenter.spans)
        print(
            f"{path}: P {counts.precision:.4f} R {counts.recall:.4f} F1 {counts.f1:.4f} ({counts.hits} right, "
            f"{counts.extra} extra, {counts.missed} missed)"
        )
        total += counts
    if len(gold_files) > 1:
        print(f"all: P {total.precision:.4f} R {total.recall:.4f} F1 {total.f1:.4f}")
    return 0


def cmd_build_tiny(args: argparse.Namespace) -> int:
    from pipeline.translate.tiny import build_tiny

    print(f"tiny model written to {build_tiny(args.folder)}")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from pipeline.errors import ModelError
    from pipeline.translate.models import download

    try:
        path = download(args.model, args.revision, args.models_dir)
    except Exception as exc:
        raise ModelError(f"cannot download {args.model!r}: {type(exc).__name__}: {exc}") from None
    print(f"{args.model} ({path.name}) is in {path}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    import json

    from pipeline.config import SacrebleuSettings
    from pipeline.score.systems import evaluate, format_text, to_json

    options = {"tokenize": args.tokenize, "lowercase": args.lowercase, "bootstrap": args.bootstrap}
    settings = SacrebleuSettings(**options, **({"metrics": args.metrics} if args.metrics else {}))
    tests = {"both": ("bs", "ar"), "bs": ("bs",), "ar": ("ar",), "none": ()}[args.paired]
    result = evaluate(args.hyp, args.ref, args.docs, settings, tests, args.paired_samples, _shows_progress(args))
    print(json.dumps(to_json(result), ensure_ascii=False, indent=2) if args.json else format_text(result))
    return 0


def _shows_progress(args: argparse.Namespace) -> bool:
    """Progress bars only on a terminal: a log file or a pipe would receive every redraw."""
    return not args.quiet and sys.stderr.isatty()


def cmd_report(args: argparse.Namespace) -> int:
    from pipeline.report.regenerate import regenerate

    for path in regenerate(args.run_dir):
        print(f"wrote {path}")
    return 0


def cmd_align(args: argparse.Namespace) -> int:
    from pipeline.align.commands import align_files, build_aligner
    from pipeline.align.evaluate import format_link

    aligner = build_aligner(args.aligner, args.overrides)
    for bead in align_files(aligner, args.zh, args.en, args.mt):
        print(format_link(bead))
    return 0


def cmd_align_dir(args: argparse.Namespace) -> int:
    from pipeline.align.commands import align_folder, build_aligner

    written = align_folder(build_aligner(args.aligner, args.overrides), args.folder, args.out)
    print(f"{len(written)} alignments written to {args.out}")
    return 0


def cmd_align_eval(args: argparse.Namespace) -> int:
    from pipeline.align.commands import evaluation_report

    print(evaluation_report(args.gold, args.test, args.json))
    return 0


def cmd_build_lexicon(args: argparse.Namespace) -> int:
    from pipeline.align import lexicon

    built = lexicon.load(args.models_dir)
    print(f"{built.identity}: {len(built.words)} headwords in {lexicon.folder_of(args.models_dir)}")
    return 0


def cmd_list_models(args: argparse.Namespace) -> int:
    from pipeline.translate.models import list_models

    found = list_models(args.models_dir)
    if not found:
        print(f"no models in {args.models_dir}/ (get one with `pipeline models pull` or `pipeline models build-tiny`)")
        return 0
    rows = [("kind", "name", "version", "size", "path")]
    rows += [(m.kind, m.name, m.version, f"{m.bytes / 1e6:.1f} MB", str(m.path)) for m in found]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[4])
    print(f"total {sum(m.bytes for m in found) / 1e6:.1f} MB")
    return 0
