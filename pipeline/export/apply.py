"""``pipeline apply REVIEWED.tsv --run RUN_DIR``: check a reviewed TSV against its run, then rewrite the
run's corpus files so that they honour the decisions, and record the review in ``manifest.json``.

The run's own ``aligned.tsv`` is the reference: a reviewed row must name a link of the run
(``doc_id`` + ``link_id``) and carry that link's ``src_ids``, ``ref_ids``, ``zh``, ``mt`` and ``en``
unchanged (corrections go in ``zh_fixed`` / ``en_fixed``), so a review of another run or a row
edited in the wrong column is refused. Score columns and ``link_type`` are not compared: a
spreadsheet may reformat them. Rows may be left out (no decision) but not repeated.

Nothing is half-applied: every problem in the file is found first and reported with its line (the
first thirty, and how many more); only a file without problems is applied. Memory does not grow with
the run: the run's links and the review's decisions wait in an SQLite index (:class:`RunIndex`), and
the files are written in one pass over ``aligned.tsv``. The new files are written into a staging folder inside the
run folder and then renamed into place, the manifest last. The decisions are kept as
``reviewed.tsv`` (every link, review columns filled in) and ``review.html`` is rewritten with them,
so the next look starts where this one ended. Applying again starts again from ``aligned.tsv``:
the latest review replaces the earlier ones, which stay listed in the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import config as config_module
from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.export.corpus import CorpusExporter, Selector
from pipeline.export.review import FILENAME as REVIEW_PAGE
from pipeline.export.review import ReviewPage, outside_of
from pipeline.export.rows import LINK_COLUMNS, NO_DECISION, Decision, LinkKey, LinkRow
from pipeline.export.stream import ExportPass
from pipeline.export.tsv import COLUMNS, STATUSES, escape, numbered_records, read_link_rows, tsv_writer
from pipeline.io import AtomicFile, atomic_write_json, sha256_file
from pipeline.manifest import file_record, now
from pipeline.registry import EXPORTERS

ALIGNED = "aligned.tsv"
REVIEWED = "reviewed.tsv"
INDEX = "index.sqlite"  # in the staging folder, removed with it
#: Columns a reviewed row must carry exactly as the run wrote them.
IDENTITY = ("src_ids", "ref_ids", "zh", "mt", "en")
MAX_SHOWN = 30  # problems listed in one error; the count says how many more


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
# the index: the run's links and the review's decisions, on disk


def _identity(values: Sequence[str]) -> bytes:
    """An 8-byte digest of each :data:`IDENTITY` column, so a mismatch can name its column."""
    return b"".join(hashlib.blake2b(v.encode("utf-8"), digest_size=8).digest() for v in values)


_IDENTITY_AT = [LINK_COLUMNS.index(c) for c in IDENTITY]


class RunIndex(Mapping[LinkKey, Decision]):
    """The run's links and the review's decisions in an SQLite file of the staging folder.

    A reviewed row is checked against the digests of its link's identity columns, and the decisions
    wait here until the corpus is written: ``pipeline apply`` on a run of a million links holds
    SQLite's page cache, not a million rows. As a mapping it gives the decision of a link (links
    without one are absent); the last one looked up is kept, since every origin asks for it in turn.
    """

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE links (doc TEXT, link INTEGER, identity BLOB, line INTEGER,
                                PRIMARY KEY (doc, link)) WITHOUT ROWID;
            CREATE TABLE decisions (doc TEXT, link INTEGER, status TEXT, zh_fixed TEXT, en_fixed TEXT,
                                    note TEXT, PRIMARY KEY (doc, link)) WITHOUT ROWID;
            """
        )
        self._last: tuple[LinkKey, Decision | None] | None = None

    def add_links(self, rows: Iterable[LinkRow]) -> None:
        entries = ((r.doc_id, r.link_id, _identity([r.fields[i] for i in _IDENTITY_AT])) for r in rows)
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO links (doc, link, identity) VALUES (?, ?, ?)", entries)

    def link(self, key: LinkKey) -> tuple[bytes, int | None] | None:
        """The link's identity digests and the review line it was met on (None: not yet); None without the link."""
        found = self.db.execute("SELECT identity, line FROM links WHERE doc = ? AND link = ?", key).fetchone()
        return (found[0], found[1]) if found else None

    def links_in(self, doc_id: str) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM links WHERE doc = ?", (doc_id,)).fetchone()[0])

    def met_on(self, key: LinkKey, line: int) -> None:
        """Record that the review gives ``key`` on ``line`` (a second row for it is a problem)."""
        self.db.execute("UPDATE links SET line = ? WHERE doc = ? AND link = ?", (line, *key))

    def decide(self, key: LinkKey, decision: Decision) -> None:
        if decision != NO_DECISION:
            self.db.execute(
                "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?)",
                (*key, decision.status, decision.zh_fixed, decision.en_fixed, decision.note),
            )

    def notes(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM decisions WHERE note != ''").fetchone()[0])

    def __getitem__(self, key: LinkKey) -> Decision:
        if self._last is None or self._last[0] != key:
            found = self.db.execute(
                "SELECT status, zh_fixed, en_fixed, note FROM decisions WHERE doc = ? AND link = ?", key
            ).fetchone()
            self._last = (key, Decision(*found) if found else None)
        decision = self._last[1]
        if decision is None:
            raise KeyError(key)
        return decision

    def __iter__(self) -> Iterator[LinkKey]:
        return ((doc, link) for doc, link in self.db.execute("SELECT doc, link FROM decisions"))

    def __len__(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0])

    def close(self) -> None:
        self.db.close()


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


def _row_problems(values: Mapping[str, str], index: RunIndex) -> tuple[LinkKey | None, int | None, list[str]]:
    """The row's link, the line the review gave it on before (if it did), and what is wrong with the row."""
    try:
        key = (values["doc_id"], int(values["link_id"].strip()))
    except ValueError:
        return None, None, [f"link_id {values['link_id']!r} is not a whole number"]
    found = index.link(key)
    if found is None:
        known = index.links_in(key[0])
        hint = f"document {key[0]!r} has links 0-{known - 1}" if known else f"the run has no document {key[0]!r}"
        return None, None, [f"unknown link id {key[0]}:{key[1]} ({hint}); is this a review of another run?"]
    identity, earlier = found
    given = _identity([values[c] for c in IDENTITY])
    changed = [c for k, c in enumerate(IDENTITY) if given[8 * k : 8 * k + 8] != identity[8 * k : 8 * k + 8]]
    if changed:
        return (
            None,
            None,
            [
                f"link {key[0]}:{key[1]}: {', '.join(changed)} differ(s) from the run's aligned.tsv; "
                "put corrections in zh_fixed / en_fixed and leave the run's columns as they are"
            ],
        )
    return key, earlier, []


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    if not path.is_file():
        raise InputError(f"{path}: reviewed TSV not found")
    yield from numbered_records(path)


@dataclass
class Problems:
    """The problems of a file: the first :data:`MAX_SHOWN` with their lines, and how many in all."""

    path: Path
    shown: list[tuple[int, str]] = field(default_factory=list)
    count: int = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if len(self.shown) < MAX_SHOWN:
            self.shown.append((line, message))

    def refusal(self) -> InputError:
        listed = [f"  {self.path}:{line}: {message}" for line, message in self.shown]
        if self.count > len(self.shown):
            listed.append(f"  ... and {self.count - len(self.shown)} more")
        plural = "s" if self.count != 1 else ""
        return InputError(f"{self.path}: {self.count} problem{plural}; nothing was applied:\n" + "\n".join(listed))


def read_review(path: Path, index: RunIndex) -> RunIndex:
    """Check a reviewed TSV against the run's links in ``index`` and store its decisions there.

    The file is read a record at a time. :class:`InputError` lists every problem with its line
    (the first :data:`MAX_SHOWN` of them, and how many more).
    """
    records = _records(path)
    _, header = next(records, (1, []))
    problems = Problems(path)
    for problem in _header_problems(header):
        problems.add(1, problem)
    if problems.count:
        raise problems.refusal()
    for line, fields in records:
        if not any(fields):
            continue  # a blank line, as spreadsheets leave at the end
        if len(fields) != len(header):
            problems.add(line, f"{len(fields)} fields, expected {len(header)} (a tab or quote inside a text?)")
            continue
        values = dict(zip(header, fields, strict=True))
        key, earlier, found = _row_problems(values, index)
        decision, found_too = _decision(values)
        for problem in found + found_too:
            problems.add(line, problem)
        if key is None or decision is None:
            continue
        if earlier is not None:
            problems.add(line, f"link {key[0]}:{key[1]} appears again (first on line {earlier})")
            continue
        index.met_on(key, line)
        index.decide(key, decision)
    if problems.count:
        raise problems.refusal()
    return index


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
