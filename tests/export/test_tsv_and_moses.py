"""The aligned TSV survives any text; the Moses corpus is line-aligned."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from oracle import export

from pipeline.export.moses import MosesExporter
from pipeline.export.tsv import COLUMNS, TsvExporter, escape, format_tsv, read_tsv, unescape
from pipeline.records import AlignedDocument, Link, ScoreResult, Sentence, Translation

NASTY = [
    "tab\there",
    "new\nline",
    "cr\rhere",
    'say "hi"',
    '"quoted at start"',
    "back\\slash",
    "\\t literal",
    "",
    "中文\t“引号”",
]


@pytest.mark.parametrize("text", NASTY)
def test_escape_round_trip(text: str) -> None:
    assert unescape(escape(text)) == text
    assert "\t" not in escape(text) and "\n" not in escape(text)


def test_random_text_round_trips_through_a_file(tmp_path: Path) -> None:
    rng = random.Random(3)
    alphabet = "ab \"\\\t\n\r,;中文”“'x"
    rows = [["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20))) for _ in range(4)] for _ in range(300)]
    path = tmp_path / "t.tsv"
    path.write_text(format_tsv(["a", "b", "c", "d"], rows), encoding="utf-8")
    header, back = read_tsv(path)
    assert header == ["a", "b", "c", "d"] and back == rows
    assert len(path.read_text(encoding="utf-8").split("\n")) == len(rows) + 2  # one physical line per row


def document() -> AlignedDocument:
    zh = ("他说：“好。”", "第二句\t有制表符。", "没有参考。")
    en = ('"Good," he said.', "The second\nsentence.")
    return AlignedDocument(
        id="doc",
        sources=tuple(Sentence("doc", "zh", i, 0, 0, len(t), t) for i, t in enumerate(zh)),
        references=tuple(Sentence("doc", "en", i, 0, 0, len(t), t) for i, t in enumerate(en)),
        translations=(
            Translation("He said: good."),
            Translation("Second sentence.", ("clause-split",)),
            Translation("No reference."),
        ),
        links=(Link("doc", 0, (0,), (0,), 0.91234), Link("doc", 1, (1,), (1,), 0.5), Link("doc", 2, (2,), (), 0.01)),
    )


def scores() -> ScoreResult:
    return ScoreResult(
        (),
        {("doc", 0): 55.5, ("doc", 1): 12.0, ("doc", 2): None},
        {("doc", 0): 30.0, ("doc", 1): 5.25, ("doc", 2): None},
        2,
        1,
    )


def test_tsv_has_the_documented_columns_and_one_row_per_link(tmp_path: Path) -> None:
    [path] = export(TsvExporter(), [document()], scores(), tmp_path)
    header, rows = read_tsv(path)
    assert tuple(header) == COLUMNS
    assert [r[:4] for r in rows] == [["doc", "0", "0", "0"], ["doc", "1", "1", "1"], ["doc", "2", "2", ""]]
    assert rows[0][4:12] == [
        "他说：“好。”",
        "He said: good.",
        '"Good," he said.',
        "1-1",
        "0.9123",
        "55.50",
        "30.00",
        "",
    ]
    assert all(r[12:] == ["", "", "", ""] for r in rows), "the review columns are written empty"
    assert rows[1][4] == "第二句\t有制表符。" and rows[1][6] == "The second\nsentence."
    assert rows[1][11] == "clause-split"
    assert rows[2][6:12] == ["", "1-0", "0.0100", "", "", ""]


def test_tsv_reads_as_plain_csv_with_a_tab_delimiter(tmp_path: Path) -> None:
    [path] = export(TsvExporter(), [document()], scores(), tmp_path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    assert all(len(r) == len(COLUMNS) for r in rows)
    assert rows[1][6] == '"Good," he said.'  # what pandas and spreadsheets show


def test_moses_corpus_is_line_aligned_and_excludes_one_sided_links(tmp_path: Path) -> None:
    zh_path, en_path = export(MosesExporter(), [document()], scores(), tmp_path)
    zh = zh_path.read_text(encoding="utf-8").split("\n")
    en = en_path.read_text(encoding="utf-8").split("\n")
    assert zh == ["他说：“好。”", "第二句 有制表符。", ""]
    assert en == ['"Good," he said.', "The second sentence.", ""]
