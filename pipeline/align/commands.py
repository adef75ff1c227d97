"""The alignment commands: ``pipeline align``, ``align-dir`` and ``align-eval``.

They work on pre-split files, one sentence a line, in the layout of MAC (Bertalign's test set):
``NNN.zh.sents``, ``NNN.en.sents`` and, when there is one, ``NNN.mt.sents`` (the machine
translation, line-parallel to ``NNN.zh.sents``); links go to ``NNN.align`` in Vecalign's format
(:mod:`.evaluate`). Without a translation the aligners work from the texts alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pipeline import config
from pipeline.align.base import Aligner, Bead
from pipeline.align.evaluate import evaluate_folders, format_link, format_table
from pipeline.errors import InputError
from pipeline.io import atomic_write_text
from pipeline.registry import ALIGNERS


def build_aligner(name: str, overrides: Sequence[str] = ()) -> Aligner:
    """The aligner ``name`` with ``align.KEY=VALUE`` overrides, validated like a run config."""
    keys = [item if item.startswith("align.") else f"align.{item}" for item in overrides]
    data = config.apply_overrides({"ingest": {"sources": ["-"]}, "align": {"name": name}}, keys)
    settings = config.validate(data, "command line").align
    return ALIGNERS.load(settings.name)(settings)


def read_sentences(path: Path) -> list[str]:
    """One sentence per line; every line counts, so that parallel files stay parallel."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"sentence file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path} as UTF-8 text: {exc}") from None


def align_files(aligner: Aligner, zh: Path, en: Path, mt: Path | None) -> list[Bead]:
    """Align the sentences of ``zh`` to those of ``en``, through the line-parallel translations in ``mt`` if given."""
    sources, references = read_sentences(zh), read_sentences(en)
    translations = None
    if mt is not None:
        translations = read_sentences(mt)
        if len(translations) != len(sources):
            raise InputError(
                f"{mt} has {len(translations)} lines but {zh} has {len(sources)}: "
                "the translation file must be line-parallel to the Chinese file (one translation a line)"
            )
    return aligner.align(sources, translations, references)


def align_folder(aligner: Aligner, folder: Path, out: Path) -> list[Path]:
    """Align every ``NNN`` of ``folder`` and write ``out/NNN.align``; returns the files written."""
    if not folder.is_dir():
        raise InputError(f"not a folder: {folder}")
    stems = sorted(p.name.removesuffix(".zh.sents") for p in folder.glob("*.zh.sents"))
    if not stems:
        raise InputError(
            f"{folder}: no NNN.zh.sents files (expected NNN.zh.sents, NNN.en.sents, optionally NNN.mt.sents)"
        )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem in stems:
        en = folder / f"{stem}.en.sents"
        if not en.is_file():
            raise InputError(f"{folder}: {stem}.zh.sents has no {stem}.en.sents beside it")
        mt = folder / f"{stem}.mt.sents"
        beads = align_files(aligner, folder / f"{stem}.zh.sents", en, mt if mt.is_file() else None)
        target = out / f"{stem}.align"
        atomic_write_text(target, "".join(format_link(b) + "\n" for b in beads))
        written.append(target)
    return written


def evaluation_report(gold_dir: Path, test_dir: Path, as_json: bool) -> str:
    """The ``align-eval`` output: a table, or JSON."""
    evaluation = evaluate_folders(gold_dir, test_dir)
    if as_json:
        return json.dumps(evaluation.as_dict(), indent=2)
    return format_table(evaluation)
