"""`pipeline apply`: a good review rewrites the corpus; a broken one is refused whole, with file, line
and reason, and leaves the run folder as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from oracle import page_data, render_page, select_pairs, write_selection

from pipeline.errors import InputError
from pipeline.export.corpus import CorpusExporter
from pipeline.export.rows import NO_DECISION, Decision
from pipeline.export.tsv import COLUMNS, format_tsv, read_link_rows, read_tsv
from pipeline.io import sha256_file
from pipeline.registry import EXPORTERS
from pipeline.review import apply as apply_module
from pipeline.review.apply import apply_review, load_run
from pipeline.review.reviewed import MAX_SHOWN

FORMATS = {"formats": ["tsv", "moses", "jsonl", "tmx", "review"]}
STATUS, ZH_FIXED, EN_FIXED, NOTE = (COLUMNS.index(c) for c in ("status", "zh_fixed", "en_fixed", "note"))


def review_of(run: Path, tmp_path: Path, edit: Callable[[list[list[str]]], object] = lambda rows: None) -> Path:
    """A reviewed copy of the run's aligned.tsv, changed by ``edit`` (rows without the header)."""
    header, rows = read_tsv(run / "aligned.tsv")
    edit(rows)
    path = tmp_path / "reviewed-by-me.tsv"
    path.write_text(format_tsv(header, rows), encoding="utf-8")
    return path


def snapshot(run: Path) -> dict[str, str]:
    return {p.name: sha256_file(p) for p in sorted(run.iterdir()) if p.is_file()}


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_an_empty_review_rewrites_the_same_corpus(sample_run: Callable[..., Path], tmp_path: Path) -> None:
    run = sample_run(FORMATS)
    before = snapshot(run)
    result = apply_review(review_of(run, tmp_path), run)
    after = snapshot(run)
    for name in ("corpus.zh", "corpus.en", "corpus.jsonl", "aligned.tsv"):
        assert after[name] == before[name], name
    assert result.decisions == {"accept": 0, "reject": 0, "fix": 0, "undecided": 7, "notes": 0}
    assert read_tsv(run / "reviewed.tsv") == read_tsv(run / "aligned.tsv")


def test_decisions_reach_every_corpus_file_and_the_manifest(sample_run: Callable[..., Path], tmp_path: Path) -> None:
    run = sample_run(FORMATS)
    zh_before = lines(run / "corpus.zh")

    def decide(rows: list[list[str]]) -> None:
        rows[0][STATUS] = "accept"
        rows[1][STATUS] = " Reject "  # case and spaces forgiven
        rows[4][STATUS], rows[4][EN_FIXED], rows[4][NOTE] = "fix", "The meeting\twas in Beijing.", "tab kept"
        del rows[5:]  # rows left out: no decision

    result = apply_review(review_of(run, tmp_path, decide), run)
    assert result.decisions == {"accept": 1, "reject": 1, "fix": 1, "undecided": 4, "notes": 1}
    zh, en = lines(run / "corpus.zh"), lines(run / "corpus.en")
    assert zh == zh_before[:1] + zh_before[2:] and len(zh) == len(en)  # link a:1 rejected (b:1 is the same text)
    assert "The meeting was in Beijing." in en  # one line in Moses
    records = [json.loads(line) for line in lines(run / "corpus.jsonl")]
    fixed = [r for r in records if r["id"] == "a:4"]
    assert fixed[0]["en"] == "The meeting\twas in Beijing." and fixed[0]["status"] == "fix"
    assert "a:1" not in {r["id"] for r in records}
    assert 'tuid="a:1"' not in (run / "corpus.tmx").read_text(encoding="utf-8")
    _, reviewed = read_tsv(run / "reviewed.tsv")
    assert [r[STATUS] for r in reviewed] == ["accept", "reject", "", "", "fix", "", ""]

    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    [review] = manifest["reviews"]
    assert review["decisions"] == result.decisions
    assert review["file"]["sha256"] == sha256_file(tmp_path / "reviewed-by-me.tsv")
    assert review["export"]["origins"]["reference"]["removed"]["review_reject"] == 1
    recorded = {Path(o["path"]).name: o["sha256"] for o in manifest["outputs"]}
    assert all(recorded[p.name] == sha256_file(p) for p in run.iterdir() if p.name in recorded)
    assert {"corpus.zh", "corpus.tmx", "review.html", "reviewed.tsv"} <= set(recorded)


def test_the_review_page_is_rewritten_with_the_decisions(sample_run: Callable[..., Path], tmp_path: Path) -> None:
    run = sample_run(FORMATS)

    def decide(rows: list[list[str]]) -> None:
        rows[2][STATUS], rows[2][NOTE] = "reject", "misaligned: see <b>"

    apply_review(review_of(run, tmp_path, decide), run)
    page = (run / "review.html").read_text(encoding="utf-8")
    assert "misaligned: see \\u003cb\\u003e" in page


def test_applying_again_starts_from_the_run_not_from_the_last_review(
    sample_run: Callable[..., Path], tmp_path: Path
) -> None:
    run = sample_run(FORMATS)
    full = lines(run / "corpus.zh")
    apply_review(review_of(run, tmp_path, lambda rows: rows[0].__setitem__(STATUS, "reject")), run)
    assert len(lines(run / "corpus.zh")) == len(full) - 1
    apply_review(review_of(run, tmp_path, lambda rows: rows[1].__setitem__(STATUS, "reject")), run)
    assert lines(run / "corpus.zh") == [z for i, z in enumerate(full) if i != 1]
    assert len(json.loads((run / "manifest.json").read_text(encoding="utf-8"))["reviews"]) == 2


def test_a_review_edited_with_pandas_applies(sample_run: Callable[..., Path], tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas", reason="pandas is a dev dependency (pip install -e '.[dev]')")
    run = sample_run(FORMATS)
    frame = pandas.read_csv(run / "aligned.tsv", sep="\t", dtype=str, keep_default_na=False)
    frame.loc[0, "status"] = "reject"
    frame.to_csv(tmp_path / "pandas.tsv", sep="\t", index=False)
    result = apply_review(tmp_path / "pandas.tsv", run)
    assert result.decisions["reject"] == 1


def set_field(row: int, column: str, value: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        rows[row][COLUMNS.index(column)] = value

    return edit


BROKEN: list[tuple[str, Callable[[list[list[str]]], object], str]] = [
    ("bad status", set_field(0, "status", "maybe"), ":2: status 'maybe' is not one of accept, reject, fix"),
    ("unknown link", set_field(1, "link_id", "99"), ":3: unknown link id a:99 (document 'a' has links 0-4)"),
    ("unknown document", set_field(1, "doc_id", "zz"), ":3: unknown link id zz:1 (the run has no document 'zz')"),
    ("link id not a number", set_field(2, "link_id", "two"), ":4: link_id 'two' is not a whole number"),
    ("text edited in place", set_field(0, "en", "Edited."), ":2: link a:0: en differ(s) from the run's aligned.tsv"),
    ("ids changed", set_field(0, "src_ids", "0,1"), ":2: link a:0: src_ids differ(s)"),
    ("fix without text", set_field(3, "status", "fix"), ":5: status is 'fix' but zh_fixed and en_fixed are empty"),
    ("text without fix", set_field(3, "zh_fixed", "新"), ":5: zh_fixed/en_fixed hold text but status is empty"),
    ("repeated row", lambda rows: rows.append(list(rows[0])), ":9: link a:0 appears again (first on line 2)"),
    ("short row", lambda rows: rows.__setitem__(1, rows[1][:10]), ":3: 10 fields, expected 16"),
]


@pytest.mark.parametrize(("edit", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_review_is_refused_whole(
    sample_run: Callable[..., Path], tmp_path: Path, edit: Callable, message: str
) -> None:
    run = sample_run(FORMATS)

    def edit_and_decide(rows: list[list[str]]) -> None:
        rows[5][STATUS] = "reject"  # a good decision in the same file is not applied either
        edit(rows)

    before = snapshot(run)
    reviewed = review_of(run, tmp_path, edit_and_decide)
    with pytest.raises(InputError) as caught:
        apply_review(reviewed, run)
    assert f"{reviewed}{message}" in str(caught.value)
    assert "1 problem; nothing was applied" in str(caught.value)
    assert snapshot(run) == before
    assert not [p for p in run.iterdir() if p.name.startswith(".apply-")]


def test_every_problem_is_listed_at_once(sample_run: Callable[..., Path], tmp_path: Path) -> None:
    run = sample_run(FORMATS)

    def break_all(rows: list[list[str]]) -> None:
        for row in rows:
            row[STATUS] = "ok"

    with pytest.raises(InputError, match="7 problems; nothing was applied") as caught:
        apply_review(review_of(run, tmp_path, break_all), run)
    assert [line.split(": status")[0].rsplit(":", 1)[1] for line in str(caught.value).splitlines()[1:]] == [
        str(n) for n in range(2, 9)
    ]


def test_a_long_list_of_problems_is_cut_and_counted(sample_run: Callable[..., Path], tmp_path: Path) -> None:
    run = sample_run(FORMATS)
    reviewed = review_of(run, tmp_path, lambda rows: rows.extend([rows[0]] * 40))  # link a:0 forty times more
    with pytest.raises(InputError, match="40 problems; nothing was applied") as caught:
        apply_review(reviewed, run)
    listed = str(caught.value).splitlines()[1:]
    assert len(listed) == MAX_SHOWN + 1 and listed[-1] == "  ... and 10 more"
    assert listed[0].endswith(":9: link a:0 appears again (first on line 2)")


def test_apply_writes_what_the_whole_run_selected_in_memory_gives(
    sample_run: Callable[..., Path], tmp_path: Path
) -> None:
    """apply streams the run through an index on disk; the in-memory selection is its specification."""
    run = sample_run({**FORMATS, "pairs": "both", "filters": {"drop_duplicates": True}})

    def decide(rows: list[list[str]]) -> None:
        rows[0][STATUS], rows[0][NOTE] = "Accept", "fine"
        rows[1][STATUS] = "reject"
        rows[3][STATUS], rows[3][ZH_FIXED] = "fix", "改过的句子。"
        rows[6][NOTE] = "a note without a decision"

    reviewed = review_of(run, tmp_path, decide)
    links = list(read_link_rows(run / "aligned.tsv"))
    header, review_rows = read_tsv(reviewed)
    decisions = {}
    for fields in review_rows:
        values = dict(zip(header, fields, strict=True))
        decision = Decision(values["status"].strip().lower(), values["zh_fixed"], values["en_fixed"], values["note"])
        if decision != NO_DECISION:
            decisions[(values["doc_id"], int(values["link_id"]))] = decision

    apply_review(reviewed, run)

    settings = load_run(run).config.export
    selection = select_pairs(links, settings, decisions)
    for name in settings.formats:
        exporter = EXPORTERS.load(name)(settings)
        if isinstance(exporter, CorpusExporter):
            for path in write_selection(exporter, selection, tmp_path / "whole"):
                assert (run / path.name).read_bytes() == path.read_bytes(), path.name
    page = render_page(page_data(run.name, links, decisions, selection))
    assert (run / "review.html").read_text(encoding="utf-8") == page
    expected = [[*r.fields, *decisions.get(r.key, NO_DECISION).fields()] for r in links]
    assert read_tsv(run / "reviewed.tsv") == (list(COLUMNS), expected)
    assert not [p for p in run.iterdir() if p.name.startswith(".apply-")]


@pytest.mark.parametrize(
    ("header_edit", "message"),
    [
        (lambda h: h.remove("status"), "missing column(s) status"),
        (lambda h: h.append("Status"), "unknown column(s) 'Status'"),
    ],
)
def test_a_header_without_the_review_columns_is_refused(
    sample_run: Callable[..., Path], tmp_path: Path, header_edit: Callable, message: str
) -> None:
    run = sample_run(FORMATS)
    header, rows = read_tsv(run / "aligned.tsv")
    header_edit(header)
    path = tmp_path / "r.tsv"
    path.write_text(format_tsv(header, [r[: len(header)] for r in rows]), encoding="utf-8")
    with pytest.raises(InputError, match=":1: " + message.replace("(", r"\(").replace(")", r"\)")):
        apply_review(path, run)


def test_a_file_in_another_encoding_is_refused(sample_run: Callable[..., Path], tmp_path: Path) -> None:
    run = sample_run(FORMATS)
    path = tmp_path / "gbk.tsv"
    path.write_bytes((run / "aligned.tsv").read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(InputError, match="not valid UTF-8"):
        apply_review(path, run)


def test_the_runs_own_aligned_tsv_must_be_unchanged(sample_run: Callable[..., Path], tmp_path: Path) -> None:
    run = sample_run(FORMATS)
    reviewed = review_of(run, tmp_path)
    with (run / "aligned.tsv").open("a", encoding="utf-8") as handle:
        handle.write("a\t9\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n")
    with pytest.raises(InputError, match="aligned.tsv: changed since the run"):
        apply_review(reviewed, run)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda run: (run / "manifest.json").unlink(), "manifest.json: not found"),
        (lambda run: (run / "aligned.tsv").unlink(), "aligned.tsv: not found; reviews need the run's aligned TSV"),
    ],
)
def test_a_folder_that_is_not_a_run_is_refused(
    sample_run: Callable[..., Path], tmp_path: Path, setup: Callable, message: str
) -> None:
    run = sample_run(FORMATS)
    reviewed = review_of(run, tmp_path)
    setup(run)
    with pytest.raises(InputError, match=message):
        apply_review(reviewed, run)


def test_a_failure_while_writing_leaves_the_run_as_it_was(
    sample_run: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = sample_run(FORMATS)
    before = snapshot(run)
    reviewed = review_of(run, tmp_path, lambda rows: rows[0].__setitem__(STATUS, "reject"))

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(apply_module.ReviewPage, "close", disk_full)  # after the corpus files are staged
    with pytest.raises(OSError, match="No space"):
        apply_review(reviewed, run)
    assert snapshot(run) == before
    assert not [p for p in run.iterdir() if p.name.startswith(".apply-")]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, env=env)


@pytest.mark.slow
def test_apply_command_on_a_real_run(copy_run: Path, tmp_path: Path) -> None:
    good = review_of(copy_run, tmp_path, lambda rows: rows[0].__setitem__(STATUS, "reject"))
    out = cli("apply", str(good), "--run", str(copy_run), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "review applied to" in out.stdout and "1 rejected" in out.stdout
    assert "wrote " + str(copy_run / "corpus.parquet") in out.stdout

    bad = review_of(copy_run, tmp_path, set_field(0, "status", "yes"))
    out = cli("apply", str(bad), "--run", str(copy_run), cwd=tmp_path)
    assert out.returncode == 3
    assert f"error: {bad}: 1 problem; nothing was applied:\n  {bad}:2: status 'yes'" in out.stderr


def test_the_stored_review_can_be_applied_again(sample_run: Callable[..., Path], tmp_path: Path) -> None:
    run = sample_run(FORMATS)
    apply_review(review_of(run, tmp_path, lambda rows: rows[0].__setitem__(STATUS, "Reject")), run)
    stored = sha256_file(run / "reviewed.tsv")
    corpus = lines(run / "corpus.zh")
    apply_review(run / "reviewed.tsv", run)
    assert lines(run / "corpus.zh") == corpus and sha256_file(run / "reviewed.tsv") == stored
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reviews"][1]["file"]["sha256"] == stored
