"""A reviewed TSV read and checked against its run, a record at a time.

The run's own ``aligned.tsv`` is the reference: a reviewed row must name a link of the run
(``doc_id`` + ``link_id``) and carry that link's ``src_ids``, ``ref_ids``, ``zh``, ``mt`` and ``en``
unchanged (corrections go in ``zh_fixed`` / ``en_fixed``), so a review of another run or a row
edited in the wrong column is refused. Score columns and ``link_type`` are not compared: a
spreadsheet may reformat them. Rows may be left out (no decision) but not repeated. Every problem in
the file is found first and reported with its line (the first :data:`MAX_SHOWN`, and how many more).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.export.rows import Decision, LinkKey
from pipeline.export.tsv import COLUMNS, STATUSES, numbered_records
from pipeline.review.index import IDENTITY, RunIndex, identity

MAX_SHOWN = 30  # problems listed in one error; the count says how many more


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
    stored, earlier = found
    given = identity([values[c] for c in IDENTITY])
    changed = [c for k, c in enumerate(IDENTITY) if given[8 * k : 8 * k + 8] != stored[8 * k : 8 * k + 8]]
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
