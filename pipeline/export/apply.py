"""``pipeline apply REVIEWED.tsv --run RUN_DIR``: check a reviewed TSV against its run, then rewrite the
run's corpus files so that they honour the decisions, and record the review in ``manifest.json``.

The run's own ``aligned.tsv`` is the reference: a reviewed row must name a link of the run
(``doc_id`` + ``link_id``) and carry that link's ``src_ids``, ``ref_ids``, ``zh``, ``mt`` and ``en``
unchanged (corrections go in ``zh_fixed`` / ``en_fixed``), so a review of another run or a row
edited in the wrong column is refused. Score columns and ``link_type`` are not compared: a
spreadsheet may reformat them. Rows may be left out (no decision) but not repeated.

Nothing is half-applied: every problem in the file is collected first and reported with its line;
only a file without problems is applied. The new files are written into a staging folder inside the
run folder and then renamed into place, the manifest last. The decisions are kept as
``reviewed.tsv`` (every link, review columns filled in) and ``review.html`` is rewritten with them,
so the next look starts where this one ended. Applying again starts again from ``aligned.tsv``:
the latest review replaces the earlier ones, which stay listed in the manifest.
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
from pipeline.export.corpus import (
    NO_DECISION,
    CorpusExporter,
    Decision,
    LinkKey,
    LinkRow,
    Selection,
    read_link_rows,
    select_pairs,
)
from pipeline.export.review import FILENAME as REVIEW_PAGE
from pipeline.export.review import write_review_page
from pipeline.export.tsv import COLUMNS, LINK_COLUMNS, STATUSES, format_tsv, numbered_records
from pipeline.io import atomic_write_json, atomic_write_text, sha256_file
from pipeline.manifest import file_record, now
from pipeline.registry import EXPORTERS

ALIGNED = "aligned.tsv"
REVIEWED = "reviewed.tsv"
#: Columns a reviewed row must carry exactly as the run wrote them.
IDENTITY = ("src_ids", "ref_ids", "zh", "mt", "en")
MAX_SHOWN = 30  # problems listed in one error; the count says how many more


@dataclass
class Run:
    """A finished run folder: its manifest, its config and its links."""

    folder: Path
    manifest: dict[str, Any]
    config: Config
    rows: list[LinkRow]

    @property
    def by_key(self) -> dict[LinkKey, LinkRow]:
        return {row.key: row for row in self.rows}


@dataclass
class ApplyResult:
    run_dir: Path
    decisions: dict[str, int]
    selection: Selection
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
    """Read a run folder's manifest, config and ``aligned.tsv``."""
    manifest = _read_manifest(run_dir)
    config = config_module.validate(manifest["config"], str(run_dir / "manifest.json"))
    aligned = run_dir / ALIGNED
    if not aligned.is_file():
        raise InputError(f"{aligned}: not found; reviews need the run's aligned TSV (export -> formats: [tsv, ...])")
    _check_unchanged(aligned, manifest)
    return Run(run_dir, manifest, config, list(read_link_rows(aligned)))


# ---------------------------------------------------------------------------------------------
# the reviewed file


def _header_problems(header: Sequence[str]) -> list[str]:
    problems = []
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    repeated = sorted(c for c, n in Counter(header).items() if n > 1)
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}; the header must name all of: {' '.join(COLUMNS)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(map(repr, unknown))}; valid columns: {' '.join(COLUMNS)}")
    if repeated:
        problems.append(f"repeated column(s) {', '.join(repeated)}")
    return problems


def _decision(values: Mapping[str, str]) -> tuple[Decision | None, list[str]]:
    status = values["status"].strip().lower()
    zh_fixed = values["zh_fixed"] if values["zh_fixed"].strip() else ""
    en_fixed = values["en_fixed"] if values["en_fixed"].strip() else ""
    if status not in ("", *STATUSES):
        valid = ", ".join(STATUSES)
        return None, [f"status {values['status']!r} is not one of {valid} (or empty for no decision)"]
    if status == "fix" and not (zh_fixed or en_fixed):
        return None, ["status is 'fix' but zh_fixed and en_fixed are empty; put the corrected text there"]
    if status != "fix" and (zh_fixed or en_fixed):
        shown = repr(status) if status else "empty"
        return None, [f"zh_fixed/en_fixed hold text but status is {shown}; set status to 'fix' to use it"]
    return Decision(status, zh_fixed, en_fixed, values["note"]), []


def _row_problems(values: Mapping[str, str], run: Mapping[LinkKey, LinkRow]) -> tuple[LinkKey | None, list[str]]:
    try:
        key = (values["doc_id"], int(values["link_id"].strip()))
    except ValueError:
        return None, [f"link_id {values['link_id']!r} is not a whole number"]
    row = run.get(key)
    if row is None:
        known = sum(1 for k in run if k[0] == key[0])
        hint = f"document {key[0]!r} has links 0-{known - 1}" if known else f"the run has no document {key[0]!r}"
        return None, [f"unknown link id {key[0]}:{key[1]} ({hint}); is this a review of another run?"]
    original = dict(zip(LINK_COLUMNS, row.fields, strict=True))
    changed = [c for c in IDENTITY if values[c] != original[c]]
    if changed:
        return None, [
            f"link {row.id}: {', '.join(changed)} differ(s) from the run's aligned.tsv; "
            "put corrections in zh_fixed / en_fixed and leave the run's columns as they are"
        ]
    return key, []


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    if not path.is_file():
        raise InputError(f"{path}: reviewed TSV not found")
    yield from numbered_records(path)


def read_review(path: Path, run: Run) -> dict[LinkKey, Decision]:
    """The decisions of a reviewed TSV; :class:`InputError` lists every problem with its line."""
    records = _records(path)
    _, header = next(records, (1, []))
    header_problems = _header_problems(header)
    if header_problems:
        raise _refusal(path, [(1, p) for p in header_problems])
    by_key = run.by_key
    decisions: dict[LinkKey, Decision] = {}
    first_seen: dict[LinkKey, int] = {}
    problems: list[tuple[int, str]] = []
    for line, fields in records:
        if not any(fields):
            continue  # a blank line, as spreadsheets leave at the end
        if len(fields) != len(header):
            problems.append((line, f"{len(fields)} fields, expected {len(header)} (a tab or quote inside a text?)"))
            continue
        values = dict(zip(header, fields, strict=True))
        key, found = _row_problems(values, by_key)
        decision, found_too = _decision(values)
        problems += [(line, p) for p in found + found_too]
        if key is None or decision is None:
            continue
        if key in first_seen:
            problems.append((line, f"link {key[0]}:{key[1]} appears again (first on line {first_seen[key]})"))
            continue
        first_seen[key] = line
        decisions[key] = decision
    if problems:
        raise _refusal(path, problems)
    return decisions


def _refusal(path: Path, problems: Sequence[tuple[int, str]]) -> InputError:
    shown = [f"  {path}:{line}: {message}" for line, message in problems[:MAX_SHOWN]]
    if len(problems) > MAX_SHOWN:
        shown.append(f"  ... and {len(problems) - MAX_SHOWN} more")
    count = len(problems)
    return InputError(f"{path}: {count} problem{'s' if count != 1 else ''}; nothing was applied:\n" + "\n".join(shown))


# ---------------------------------------------------------------------------------------------
# writing


def _decision_counts(rows: Sequence[LinkRow], decisions: Mapping[LinkKey, Decision]) -> dict[str, int]:
    counts = Counter(decisions[r.key].status if r.key in decisions else "" for r in rows)
    return {
        "accept": counts["accept"],
        "reject": counts["reject"],
        "fix": counts["fix"],
        "undecided": counts[""],
        "notes": sum(1 for d in decisions.values() if d.note),
    }


def _write_outputs(run: Run, decisions: Mapping[LinkKey, Decision], selection: Selection, stage: Path) -> list[Path]:
    """Every file the review changes, written into ``stage``."""
    written: list[Path] = []
    for name in run.config.export.formats:
        exporter = EXPORTERS.load(name)(run.config.export)
        if isinstance(exporter, CorpusExporter):
            written += exporter.write(selection, stage)
    if "review" in run.config.export.formats:
        limit = run.config.export.review_max_links
        written.append(write_review_page(stage / REVIEW_PAGE, run.folder.name, run.rows, decisions, selection, limit))
    rows = ([*r.fields, *decisions.get(r.key, NO_DECISION).fields()] for r in run.rows)
    atomic_write_text(stage / REVIEWED, format_tsv(COLUMNS, rows))
    written.append(stage / REVIEWED)
    return written


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
    """Check ``reviewed`` against the run in ``run_dir``; if it holds no problem, rewrite the corpus files."""
    run = load_run(run_dir)
    decisions = read_review(reviewed, run)
    reviewed_record = file_record(reviewed)  # before writing: the file may be the run's own reviewed.tsv
    selection = select_pairs(run.rows, run.config.export, decisions)
    stage = Path(tempfile.mkdtemp(dir=run_dir, prefix=".apply-"))
    try:
        staged = _write_outputs(run, decisions, selection, stage)
        files = []
        for path in staged:  # renames within one folder: each is atomic, and none can fail for space
            os.replace(path, run_dir / path.name)
            files.append(run_dir / path.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    result = ApplyResult(run_dir, _decision_counts(run.rows, decisions), selection, files)
    _record_review(run, reviewed_record, result, command)
    return result
