"""What ``pipeline validate`` checks beyond the config's own rules: the files and installed models the config
names exist.

A run finds a missing file only when it builds its backends (exit code 3); ``validate`` finds it too,
every such file at once, with the key that names it. Only what costs a look at the file system is
checked: the ingest files (``sources``/``references`` patterns each match a file, ``path`` is a file) and
precomputed translations (``translate.path``, and ``translate.source`` for ``format: lines``), and the
aligner's sentence encoder (``align.embedding_model``: an installed package or a folder). Translation
models are not looked for here: finding one may mean a download.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Config, JsonlIngest, PrecomputedSettings, Section, TextIngest
from pipeline.errors import InputError
from pipeline.ingest.text import expand


def _not_a_file(path: Path, key: str) -> list[str]:
    """The message a run gives for the same file (:func:`pipeline.translate.precomputed._require`)."""
    return [] if path.is_file() else [f"{key}: {path} is not a file (relative to {Path.cwd()})"]


def _text_ingest(ingest: TextIngest) -> list[str]:
    problems = []
    for key, patterns in (("sources", ingest.sources), ("references", ingest.references)):
        for pattern in patterns:
            try:
                expand([pattern], key)
            except InputError as exc:
                problems.append(str(exc))
    return problems


def _ingest(ingest: TextIngest | JsonlIngest) -> list[str]:
    if isinstance(ingest, JsonlIngest):
        return _not_a_file(ingest.path, "ingest -> path")
    return _text_ingest(ingest)


def _translate(translate: Section) -> list[str]:
    if not isinstance(translate, PrecomputedSettings):
        return []
    named = [("path", translate.path)] + ([("source", translate.source)] if translate.source else [])
    return [problem for key, path in named for problem in _not_a_file(path, f"translate -> {key}")]


def _align(align: Section) -> list[str]:
    choice = getattr(align, "embedding_model", None)
    if choice is None:
        return []
    from pipeline.align.embed import problem

    reason = problem(choice)
    return [f"align -> embedding_model: {reason}"] if reason else []


def file_problems(config: Config) -> list[str]:
    """Every file or installed model the config names that is not there, as ``key: what is wrong``."""
    return [*_ingest(config.ingest), *_translate(config.translate), *_align(config.align)]


def check_files(config: Config) -> None:
    """Raise :class:`InputError` listing every missing file (a run would stop on the first, exit code 3)."""
    problems = file_problems(config)
    if len(problems) == 1:
        raise InputError(problems[0])
    if problems:
        raise InputError(
            f"{len(problems)} files the config names are missing:\n" + "\n".join(f"  - {p}" for p in problems)
        )
