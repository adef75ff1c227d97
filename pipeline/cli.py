"""Command line: parse arguments, call the library, turn typed errors into messages and exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.errors import PipelineError

EPILOG = "Exit codes: 0 ok, 2 config error, 3 input error, 4 model error, 5 stage error, 130 interrupted."


def _add_config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", type=Path, help="YAML run config, e.g. configs/seed.yaml")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.SUB=VALUE",
        help="override a config value (repeatable), e.g. --set translate.batch_size=8",
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline", description="Chinese->English translation and alignment pipeline.", epilog=EPILOG
    )
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="only print errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run all stages of a config", epilog=EPILOG)
    _add_config_arguments(run)
    run.add_argument("--output", type=Path, help="run folder (default: run.output_dir/<run name>)")
    run.set_defaults(handler=cmd_run)

    validate = commands.add_parser("validate", help="check a config without running it", epilog=EPILOG)
    _add_config_arguments(validate)
    validate.set_defaults(handler=cmd_validate)

    apply = commands.add_parser(
        "apply", help="check a reviewed TSV against its run, then rewrite the run's corpus files", epilog=EPILOG
    )
    apply.add_argument("reviewed", type=Path, help="the reviewed TSV (review.html's download, or an edited copy)")
    apply.add_argument("--run", dest="run_dir", type=Path, required=True, help="the run folder it was made from")
    apply.set_defaults(handler=cmd_apply)

    segment = commands.add_parser(
        "segment",
        help="split text into sentences, one per output line",
        description="Each input line is a paragraph; prints one sentence per line. Uses the segment section "
        "of --config (default: zh-rules / en-rules with default settings).",
        epilog=EPILOG,
    )
    segment.add_argument("--lang", choices=["zh", "en"], required=True)
    segment.add_argument("files", nargs="*", type=Path, help="input files (standard input when none)")
    segment.add_argument("--config", type=Path, help="take the segmenter from this run config's segment section")
    segment.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.SUB=VALUE",
        help="override a segment setting (repeatable), e.g. --set segment.zh.split_at_semicolon=true",
    )
    segment.set_defaults(handler=cmd_segment)

    models = commands.add_parser("models", help="get, build or list models (translation, and the aligner's students)")
    model_commands = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    tiny = model_commands.add_parser("build-tiny", help="build the tiny random-weight MarianMT test model offline")
    tiny.add_argument("folder", type=Path)
    tiny.set_defaults(handler=cmd_build_tiny)
    pull = model_commands.add_parser("pull", help="download a hub model into the local model store")
    pull.add_argument("model", help="hub id, e.g. Helsinki-NLP/opus-mt-zh-en")
    pull.add_argument("--revision", default="main")
    pull.add_argument("--models-dir", type=Path, default=Path("models"))
    pull.set_defaults(handler=cmd_pull)
    listing = model_commands.add_parser("list", help="list the models in the local model store, with sizes")
    listing.add_argument("--models-dir", type=Path, default=Path("models"))
    listing.set_defaults(handler=cmd_list_models)
    _add_distil_command(model_commands)
    _add_score_command(commands)
    report = commands.add_parser("report", help="write report.json and report.html of a finished run again")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the run folder, e.g. outputs/seed")
    report.set_defaults(handler=cmd_report)
    _add_align_commands(commands)
    return parser


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum``."""

    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {text!r}")
        return int(text)

    return parse


_count = _at_least(0)
_positive = _at_least(1)


def _add_distil_command(model_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    distil = model_commands.add_parser(
        "distil-encoder",
        help="distil a small, fast student of the aligner's sentence encoder on your English",
        description="Trains a small student of the aligner's sentence encoder, from English text alone (no "
        "alignments): the references and translations of the corpus to align, or more text of its kind. Use "
        "the folder as align -> embedding_model; it runs on NumPy, without torch. On MAC-Dev a student aligns "
        "at strict F1 0.907-0.912 in about 2.2 s on one core, against the teacher's 0.920 in 12.5 s "
        "(bfloat16; 27 s in float32) and the lexical aligner's 0.902 in 0.4 s (docs/benchmarks.md).",
    )
    distil.add_argument(
        "--text", type=Path, nargs="+", required=True, metavar="FILE", help="English, UTF-8, one sentence a line"
    )
    distil.add_argument("--out", type=Path, required=True, metavar="DIR", help="new or empty folder for the student")
    distil.add_argument("--teacher", default="minilm", help="encoder to distil: 'minilm' or a model folder")
    distil.add_argument("--epochs", type=_positive, default=6, metavar="N")
    distil.add_argument("--max-sentences", type=_positive, default=200_000, metavar="N", help="sampled down to N")
    distil.add_argument("--dim", type=_positive, default=128, metavar="N", help="width of the student's vectors")
    distil.add_argument("--layers", type=_positive, default=2, metavar="N", help="transformer layers")
    distil.set_defaults(handler=cmd_distil_encoder)


def _add_score_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    score = commands.add_parser(
        "score",
        help="score existing system outputs (line-aligned text) without translating",
        description="Each --hyp file is one system, named by its file stem; all --ref files together are the "
        "references. Scores BLEU and chrF, each with its sacrebleu signature and a 95% bootstrap confidence "
        "interval; --metrics adds chrF++ and TER (slow on long segments). With several systems, --paired tests "
        "each against the first (paired bootstrap and approximate randomization, as sacrebleu).",
        epilog=EPILOG,
    )
    score.add_argument("--hyp", nargs="+", type=Path, required=True, metavar="FILE", help="system outputs")
    score.add_argument("--ref", nargs="+", type=Path, required=True, metavar="FILE", help="reference translations")
    score.add_argument(
        "--docs", type=Path, metavar="FILE", help="document of each line (WMT docs.tsv or one id a line)"
    )
    score.add_argument("--json", action="store_true", help="print every score with its signature as JSON")
    score.add_argument("--metrics", nargs="+", choices=["bleu", "chrf", "chrf++", "ter"], help="default: bleu chrf")
    score.add_argument("--tokenize", choices=["13a", "intl", "char", "none"], default="13a", help="BLEU tokenizer")
    score.add_argument("--lowercase", action="store_true", help="case-insensitive BLEU and chrF")
    score.add_argument("--bootstrap", type=_count, default=1000, metavar="N", help="resamples for 95%% CIs (0: none)")
    score.add_argument(
        "--paired",
        choices=["both", "bs", "ar", "none"],
        default="none",
        help="significance tests against the first --hyp: bs (paired bootstrap), ar (approximate randomization), "
        "both, or none (the default)",
    )
    score.add_argument("--paired-samples", type=_count, default=0, metavar="N", help="0: 1000 for bs, 10000 for ar")
    score.set_defaults(handler=cmd_score)


def _add_align_commands(commands: argparse._SubParsersAction) -> None:
    def aligner_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--aligner", default="dp", help="aligner backend: dp (default) or gale-church")
        parser.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="align.KEY=VALUE",
            help="override an aligner setting (repeatable), e.g. --set align.skip_penalty=0.3",
        )

    align = commands.add_parser(
        "align", help="align pre-split sentence files; prints one [i, j]:[k]:score link a line", epilog=EPILOG
    )
    align.add_argument("--zh", type=Path, required=True, help="Chinese sentences, one a line")
    align.add_argument("--en", type=Path, required=True, help="English reference sentences, one a line")
    align.add_argument("--mt", type=Path, help="machine translation, line-parallel to --zh (needed by dp)")
    aligner_options(align)
    align.set_defaults(handler=cmd_align)

    align_dir = commands.add_parser(
        "align-dir", help="align every NNN.zh.sents/NNN.en.sents/NNN.mt.sents of a folder", epilog=EPILOG
    )
    align_dir.add_argument("folder", type=Path, metavar="DIR")
    align_dir.add_argument("--out", type=Path, required=True, help="folder for the NNN.align files")
    aligner_options(align_dir)
    align_dir.set_defaults(handler=cmd_align_dir)

    evaluate = commands.add_parser(
        "align-eval", help="strict and lax precision/recall/F1 of NNN.align files against gold", epilog=EPILOG
    )
    evaluate.add_argument("gold", type=Path, metavar="GOLD_DIR", help="NNN.gold.align or NNN.align files")
    evaluate.add_argument("test", type=Path, metavar="TEST_DIR", help="NNN.align files")
    evaluate.add_argument("--json", action="store_true", help="print JSON instead of a table")
    evaluate.set_defaults(handler=cmd_align_eval)


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


def cmd_validate(args: argparse.Namespace) -> int:
    from pipeline import config

    config.load(args.config, args.overrides)
    print(f"{args.config}: valid")
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    from pipeline.export.apply import apply_review

    result = apply_review(args.reviewed, args.run_dir, command=["pipeline", *sys.argv[1:]])
    print("\n".join(result.lines()))
    return 0


def cmd_segment(args: argparse.Namespace) -> int:
    from pipeline import config
    from pipeline.ingest.base import paragraphs_from_text, read_text_file
    from pipeline.registry import SEGMENTERS

    data = config.read_yaml(args.config) if args.config else {}
    data.setdefault("ingest", {"sources": ["-"]})  # this command reads its own input: any ingest section will do
    cfg = config.validate(config.apply_overrides(data, args.overrides), str(args.config) if args.config else None)
    settings = cfg.segment.zh if args.lang == "zh" else cfg.segment.en
    segmenter = SEGMENTERS.load(settings.name)(settings)
    texts = [read_text_file(p, "auto").text for p in args.files] if args.files else [sys.stdin.read()]
    for text in texts:
        for paragraph in paragraphs_from_text(text):
            for sentence in segmenter.split(paragraph.text):
                print(sentence)
    return 0


def cmd_build_tiny(args: argparse.Namespace) -> int:
    from pipeline.translate.tiny import build_tiny

    print(f"tiny model written to {build_tiny(args.folder)}")
    return 0


def cmd_distil_encoder(args: argparse.Namespace) -> int:
    from pipeline.align import embed, student
    from pipeline.errors import InputError, ModelError

    reason = embed.problem(args.teacher)
    if reason is not None:
        raise ModelError(f"--teacher: {reason}")

    if args.dim % 4:
        raise InputError(f"--dim {args.dim}: must be a multiple of 4 (the student's 4 attention heads)")
    texts = [student.read_training_text(path) for path in args.text]
    teacher = embed.SentenceEncoder(embed.resolve(args.teacher))
    shape = student.StudentShape(dim=args.dim, layers=args.layers)
    settings = student.DistilSettings(epochs=args.epochs, max_sentences=args.max_sentences, shape=shape)
    result = student.distil(texts, teacher, args.out, settings, progress=lambda line: print(line, flush=True))
    print(
        f"student written to {result.folder} ({result.sentences} sentences, {result.seconds:.0f} s); "
        f"cosine with the teacher on held-out sentences: {result.held_out_cosine:.3f}. "
        f"Use it with: --set align.embedding_model={result.folder}"
    )
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
    from pipeline.export.report import regenerate

    for path in regenerate(args.run_dir):
        print(f"wrote {path}")
    return 0


def cmd_align(args: argparse.Namespace) -> int:
    from pipeline.align.commands import align_files, build_aligner
    from pipeline.align.evaluate import format_link

    aligner = build_aligner(args.aligner, args.overrides)
    for bead in align_files(aligner, args.zh, args.en, args.mt, args.aligner):
        print(format_link(bead))
    return 0


def cmd_align_dir(args: argparse.Namespace) -> int:
    from pipeline.align.commands import align_folder, build_aligner

    written = align_folder(build_aligner(args.aligner, args.overrides), args.folder, args.out, args.aligner)
    print(f"{len(written)} alignments written to {args.out}")
    return 0


def cmd_align_eval(args: argparse.Namespace) -> int:
    from pipeline.align.commands import evaluation_report

    print(evaluation_report(args.gold, args.test, args.json))
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


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    # Our own progress at INFO; other libraries (matplotlib, transformers, ray) only when they warn.
    logging.basicConfig(level=logging.ERROR if args.quiet else logging.WARNING, format="%(message)s", stream=sys.stderr)
    ours = logging.getLogger("pipeline")
    level = ours.level
    ours.setLevel(logging.ERROR if args.quiet else logging.INFO)
    tqdm_disable = os.environ.get("TQDM_DISABLE")
    if args.quiet:
        os.environ["TQDM_DISABLE"] = "1"  # progress bars too (tqdm reads this when a bar is made)
    try:
        return _handle(args)
    finally:
        # called in-process (tests, notebooks): leave the caller's logging and progress bars as they were
        ours.setLevel(level)
        if tqdm_disable is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = tqdm_disable


def _handle(args: argparse.Namespace) -> int:
    """The command's exit status; typed errors become their message and exit code."""
    try:
        return int(args.handler(args))
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`pipeline segment ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
