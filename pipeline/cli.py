"""Command line: parse arguments, call the library, turn typed errors into messages and exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
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

    segment = commands.add_parser("segment", help="split text into sentences, one per output line")
    segment.add_argument("--lang", choices=["zh", "en"], required=True)
    segment.add_argument("files", nargs="*", type=Path, help="input files (standard input when none)")
    segment.set_defaults(handler=cmd_segment)

    models = commands.add_parser("models", help="get or build translation models")
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
    return parser


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


def cmd_segment(args: argparse.Namespace) -> int:
    from pipeline.ingest.base import paragraphs_from_text, read_text_file
    from pipeline.registry import SEGMENTERS

    segmenter = SEGMENTERS.load(f"{args.lang}-rules")()
    texts = [read_text_file(p, "utf-8") for p in args.files] if args.files else [sys.stdin.read()]
    for text in texts:
        for paragraph in paragraphs_from_text(text):
            for sentence in segmenter.split(paragraph.text):
                print(sentence)
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
    logging.basicConfig(level=logging.ERROR if args.quiet else logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        return int(args.handler(args))
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
