"""``pipeline apply REVIEWED.tsv --run RUN_DIR``: check a reviewed TSV against its run, then rewrite the
run's corpus files so that they honour the decisions, and record the review in ``manifest.json``.

Nothing is half-applied: every problem in the file is found first (:mod:`pipeline.review.reviewed`);
only a file without problems is applied. Memory does not grow with the run: the run's links and the
review's decisions wait in an SQLite index (:class:`RunIndex`), and the files are written in one pass
over ``aligned.tsv``. The new files are written into a staging folder inside the run folder and then
renamed into place, the manifest last. The decisions are kept as ``reviewed.tsv`` (every link, review
columns filled in) and ``review.html`` is rewritten with them, so the next look starts where this one
ended. Applying again starts again from ``aligned.tsv``: the latest review replaces the earlier ones,
which stay listed in the manifest.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import config as config_module
from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.export.corpus import CorpusExporter, Selector
from pipeline.export.rows import NO_DECISION, LinkRow
from pipeline.export.stream import ExportPass
from pipeline.export.tsv import COLUMNS, escape, read_link_rows, tsv_writer
from pipeline.io import AtomicFile, atomic_write_json, sha256_file
from pipeline.manifest import file_record, now
from pipeline.registry import EXPORTERS
from pipeline.review.index import RunIndex
from pipeline.review.page import FILENAME as REVIEW_PAGE
from pipeline.review.page import ReviewPage, outside_of
from pipeline.review.reviewed import read_review

ALIGNED = "aligned.tsv"
REVIEWED = "reviewed.tsv"
INDEX = "index.sqlite"  # in the staging folder, removed with it


@dataclass
class Run:
    """A finished run folder: its manifest, its config and its ``aligned.tsv`` (read when needed)."""

    folder: Path
    manifest: dict[str, Any]
    config: Config
    aligned: Path

    def rows(self) -> Iterator[LinkRow]:
        return read_link_rows(self.aligned)

    def mismatched(self) -> list[str]:
        """Documents the aligner found not to be translated by their reference (from the manifest)."""
        documents = (self.manifest.get("alignment") or {}).get("documents") or {}
        return [doc for doc, notes in documents.items() if isinstance(notes, dict) and notes.get("mismatched")]


@dataclass
class ApplyResult:
    run_dir: Path
    decisions: dict[str, int]
    selection: Selector
    files: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What the command prints."""
        d = self.decisions
        out = [
            f"review applied to {self.run_dir}: {d['accept']} accepted, {d['reject']} rejected, "
            f"{d['fix']} fixed, {d['undecided']} undecided"
        ]
        for origin, counts in self.selection.counts.items():
            out.append(f"{origin} pairs written: {counts.written} of {counts.links} links")
        out += [f"wrote {p}" for p in self.files]
        return out


# ---------------------------------------------------------------------------------------------
# the run


def _read_manifest(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "manifest.json"
    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: no such run folder (give the folder `pipeline run` wrote)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found; is {run_dir} a run folder written by `pipeline run`?") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the run manifest ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("config"), dict):
        raise InputError(f"{path}: not a run manifest (no 'config' object)")
    return manifest


def _check_unchanged(path: Path, manifest: Mapping[str, Any]) -> None:
    """``aligned.tsv`` is what reviews are checked against: refuse one edited since the run."""
    recorded = [o for o in manifest.get("outputs", []) if Path(str(o.get("path", ""))).name == ALIGNED]
    if recorded and recorded[0].get("sha256") != sha256_file(path):
        raise InputError(
            f"{path}: changed since the run (its SHA-256 differs from manifest.json); "
            "edit a copy for review and keep the run's aligned.tsv as written"
        )


def load_run(run_dir: Path) -> Run:
    """A run folder's manifest and config, and its ``aligned.tsv`` checked unchanged (not read yet)."""
    manifest = _read_manifest(run_dir)
    config = config_module.validate(manifest["config"], str(run_dir / "manifest.json"))
    aligned = run_dir / ALIGNED
    if not aligned.is_file():
        raise InputError(f"{aligned}: not found; reviews need the run's aligned TSV (export -> formats: [tsv, ...])")
    _check_unchanged(aligned, manifest)
    return Run(run_dir, manifest, config, aligned)


# ---------------------------------------------------------------------------------------------
# writing


def _write_outputs(run: Run, decisions: RunIndex, stage: Path) -> tuple[list[Path], Counter[str], Selector]:
    """Every file the review changes, written into ``stage`` in one pass over ``aligned.tsv``; with the
    count of each status over the run's links, and the selector that judged them."""
    settings = run.config.export
    chosen = (EXPORTERS.load(name)(settings) for name in settings.formats)
    corpus = [e for e in chosen if isinstance(e, CorpusExporter)]
    selector = Selector(settings, decisions, run.mismatched())
    statuses: Counter[str] = Counter()
    export = ExportPass(corpus, settings, stage, selector)
    page = None
    table = AtomicFile(stage / REVIEWED)
    try:
        if "review" in settings.formats:
            page = ReviewPage(stage / REVIEW_PAGE, run.folder.name, settings.review_max_links)
        writer = tsv_writer(table.handle)
        writer.writerow(COLUMNS)
        for row in run.rows():
            verdict = export.add_row(row)
            decision = decisions.get(row.key, NO_DECISION)
            statuses[decision.status] += 1
            if page is not None:
                page.add(row, decision, outside_of(verdict))
            writer.writerow([escape(f) for f in (*row.fields, *decision.fields())])
        written = export.close()
    except BaseException:
        export.discard()
        if page is not None:
            page.discard()
        table.discard()
        raise
    try:
        if page is not None:
            written.append(page.close())
        written.append(table.commit())
    except BaseException:
        table.discard()
        raise
    return written, statuses, selector


def _record_review(run: Run, reviewed: dict[str, Any], result: ApplyResult, command: Sequence[str]) -> None:
    manifest = run.manifest
    records = {p.name: file_record(p) for p in result.files}
    outputs = manifest.setdefault("outputs", [])
    for output in outputs:
        name = Path(str(output.get("path", ""))).name
        if name in records:
            output.update({k: v for k, v in records.pop(name).items() if k != "path"})
    outputs.extend(records.values())  # files the run itself did not write (reviewed.tsv)
    manifest.setdefault("reviews", []).append(
        {
            "applied": now(),
            "command": list(command),
            "file": reviewed,
            "decisions": result.decisions,
            "export": result.selection.summary(),
            "outputs": [file_record(p) for p in result.files],
        }
    )
    atomic_write_json(run.folder / "manifest.json", manifest)


def apply_review(reviewed: Path, run_dir: Path, command: Sequence[str] = ()) -> ApplyResult:
    """Check ``reviewed`` against the run in ``run_dir``; if it holds no problem, rewrite the corpus files.

    The run's ``aligned.tsv`` is read twice (into the index, then to write), the review once; what is
    held meanwhile is the index on disk, so memory does not grow with the run.
    """
    run = load_run(run_dir)
    stage = Path(tempfile.mkdtemp(dir=run_dir, prefix=".apply-"))
    index: RunIndex | None = None
    try:
        index = RunIndex(stage / INDEX)
        index.add_links(run.rows())
        read_review(reviewed, index)
        reviewed_record = file_record(reviewed)  # before writing: the file may be the run's own reviewed.tsv
        staged, statuses, selector = _write_outputs(run, index, stage)
        files = []
        for path in staged:  # renames within one folder: each is atomic, and none can fail for space
            os.replace(path, run_dir / path.name)
            files.append(run_dir / path.name)
        decisions = {
            "accept": statuses["accept"],
            "reject": statuses["reject"],
            "fix": statuses["fix"],
            "undecided": statuses[""],
            "notes": index.notes(),
        }
    finally:
        if index is not None:
            index.close()
        shutil.rmtree(stage, ignore_errors=True)
    result = ApplyResult(run_dir, decisions, selector, files)
    _record_review(run, reviewed_record, result, command)
    return result
