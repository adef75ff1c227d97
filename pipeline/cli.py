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
from pipeline.handlers import (
    cmd_align,
    cmd_align_dir,
    cmd_align_eval,
    cmd_apply,
    cmd_build_lexicon,
    cmd_build_tiny,
    cmd_config,
    cmd_list_models,
    cmd_pull,
    cmd_report,
    cmd_run,
    cmd_score,
    cmd_segment,
    cmd_validate,
)

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
    _add_run_commands(commands)
    _add_segment_command(commands)
    model_commands = _add_models_commands(commands)
    _add_score_command(commands)
    report = commands.add_parser("report", help="write report.json and report.html of a finished run again")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the run folder, e.g. outputs/seed")
    report.set_defaults(handler=cmd_report)
    _add_align_commands(commands)
    for subcommands in (commands, model_commands):
        _quiet_after_the_command(subcommands)
    return parser


#: argparse names no public type for a group of subcommands.
Commands = argparse._SubParsersAction


def _add_run_commands(commands: Commands) -> None:
    """run, config, validate, apply: the commands about a run config and its folder."""
    run = commands.add_parser("run", help="run all stages of a config", epilog=EPILOG)
    _add_config_arguments(run)
    run.add_argument("--output", type=Path, help="run folder (default: run.output_dir/<run name>)")
    run.set_defaults(handler=cmd_run)

    reference = commands.add_parser(
        "config", help="print the configuration reference (every section, backend and key)", epilog=EPILOG
    )
    reference.add_argument("--schema", action="store_true", help="the reference as Markdown (docs/config.md)")
    reference.add_argument("--json", action="store_true", help="the config's JSON Schema instead")
    reference.set_defaults(handler=cmd_config)

    validate = commands.add_parser(
        "validate", help="check a config and that the files it names exist, without running it", epilog=EPILOG
    )
    _add_config_arguments(validate)
    validate.set_defaults(handler=cmd_validate)

    apply = commands.add_parser(
        "apply", help="check a reviewed TSV against its run, then rewrite the run's corpus files", epilog=EPILOG
    )
    apply.add_argument("reviewed", type=Path, help="the reviewed TSV (review.html's download, or an edited copy)")
    apply.add_argument("--run", dest="run_dir", type=Path, required=True, help="the run folder it was made from")
    apply.set_defaults(handler=cmd_apply)


def _add_segment_command(commands: Commands) -> None:
    segment = commands.add_parser(
        "segment",
        help="split text into sentences, one per output line",
        description="Each input line is a paragraph; prints one sentence per line. Uses the segment section "
        "of --config (default: zh-rules / en-rules with default settings). Inputs are decoded as a run decodes "
        "its documents (ingest -> encoding, default auto); what was not UTF-8 is said on standard error.",
        epilog=EPILOG,
    )
    segment.add_argument("--lang", choices=["zh", "en"], required=True)
    segment.add_argument("files", nargs="*", type=Path, help="input files (standard input when none)")
    segment.add_argument("--config", type=Path, help="take the segmenter from this run config's segment section")
    segment.add_argument(
        "--eval",
        type=Path,
        nargs="+",
        metavar="GOLD",
        help="instead of splitting input, score the segmenter's boundaries against gold files (one sentence "
        "a line, a blank line between paragraphs): precision, recall, F1",
    )
    segment.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.SUB=VALUE",
        help="override a setting (repeatable), e.g. --set segment.zh.split_at_semicolon=true or "
        "--set ingest.encoding=gb18030",
    )
    segment.set_defaults(handler=cmd_segment)


def _add_models_commands(commands: Commands) -> Commands:
    models = commands.add_parser(
        "models", help="get, build or list models (translation models and the aligner's dictionary)"
    )
    model_commands = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    tiny = model_commands.add_parser("build-tiny", help="build the tiny random-weight MarianMT test model offline")
    tiny.add_argument("folder", type=Path)
    tiny.set_defaults(handler=cmd_build_tiny)
    pull = model_commands.add_parser("pull", help="download a hub model into the local model store")
    pull.add_argument("model", help="hub id, e.g. Helsinki-NLP/opus-mt-zh-en")
    pull.add_argument("--revision", default="main")
    pull.add_argument("--models-dir", type=Path, default=Path("models"))
    pull.set_defaults(handler=cmd_pull)
    lexicon = model_commands.add_parser(
        "build-lexicon", help="preprocess the aligner's dictionary (CC-CEDICT) into the model store now"
    )
    lexicon.add_argument("--models-dir", type=Path, default=Path("models"))
    lexicon.set_defaults(handler=cmd_build_lexicon)
    listing = model_commands.add_parser("list", help="list the models in the local model store, with sizes")
    listing.add_argument("--models-dir", type=Path, default=Path("models"))
    listing.set_defaults(handler=cmd_list_models)
    return model_commands


def _quiet_after_the_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``-q`` after the command too (``pipeline run X -q``). Its default there is SUPPRESS: argparse sets a
    subcommand's defaults over what the main parser parsed, so a default would undo ``pipeline -q run X``."""
    for subcommand in commands.choices.values():
        subcommand.add_argument(
            "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="only print errors"
        )


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum``."""

    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {text!r}")
        return int(text)

    return parse


_count = _at_least(0)


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
            help="override an aligner setting (repeatable), e.g. --set align.bridge_weight=0",
        )

    align = commands.add_parser(
        "align", help="align pre-split sentence files; prints one [i, j]:[k]:score link a line", epilog=EPILOG
    )
    align.add_argument("--zh", type=Path, required=True, help="Chinese sentences, one a line")
    align.add_argument("--en", type=Path, required=True, help="English reference sentences, one a line")
    align.add_argument(
        "--mt", type=Path, help="machine translation, line-parallel to --zh (optional: without it, the texts alone)"
    )
    aligner_options(align)
    align.set_defaults(handler=cmd_align)

    align_dir = commands.add_parser(
        "align-dir", help="align every NNN.zh.sents/NNN.en.sents (and NNN.mt.sents if there) of a folder", epilog=EPILOG
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
