"""The aligned TSV as a review format: any text survives a round trip, pandas reads it, and every
record knows the line it starts on."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.export.rows import LINK_COLUMNS
from pipeline.export.tsv import COLUMNS, REVIEW_COLUMNS, escape, format_tsv, numbered_records, read_tsv

# Any text UTF-8 can hold (lone surrogates cannot be written to a file at all), with the
# characters the escaping rule is about made common.
TEXT = st.text(alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from('\t\n\r\\"“” ,')), max_size=40)


def test_review_columns_come_last_after_the_link_columns() -> None:
    assert (*LINK_COLUMNS, "status", "zh_fixed", "en_fixed", "note") == COLUMNS
    assert COLUMNS[:12] == (
        "doc_id",
        "link_id",
        "src_ids",
        "ref_ids",
        "zh",
        "mt",
        "en",
        "link_type",
        "align_score",
        "chrf",
        "bleu",
        "flags",
    )
    assert COLUMNS[12:] == REVIEW_COLUMNS


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(TEXT, min_size=3, max_size=3), max_size=8))
def test_any_text_written_and_read_back_is_unchanged(tmp_path_factory: pytest.TempPathFactory, rows: list) -> None:
    path = tmp_path_factory.mktemp("tsv") / "t.tsv"
    path.write_text(format_tsv(["a", "b", "c"], rows), encoding="utf-8")
    header, back = read_tsv(path)
    assert header == ["a", "b", "c"] and back == rows
    assert path.read_text(encoding="utf-8").count("\n") == len(rows) + 1  # one physical line per row


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(TEXT, min_size=3, max_size=3), min_size=1, max_size=8))
def test_pandas_reads_one_row_per_link_with_the_escaped_text(rows: list) -> None:
    pandas = pytest.importorskip("pandas", reason="pandas is a dev dependency (pip install -e '.[dev]')")
    text = format_tsv(["a", "b", "c"], rows)
    # keep_default_na=False: an empty field is "" and the word "NA" stays a word (README says so)
    frame = pandas.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["a", "b", "c"]
    assert frame.to_numpy().tolist() == [[escape(field) for field in row] for row in rows]


def test_numbered_records_give_the_line_each_record_starts_on(tmp_path: Path) -> None:
    # A spreadsheet writes a typed line break as a real one inside quotes: that record spans two lines.
    path = tmp_path / "r.tsv"
    path.write_text('h1\th2\na\tb\n"multi\nline"\tc\nd\te\n', encoding="utf-8")
    assert list(numbered_records(path)) == [
        (1, ["h1", "h2"]),
        (2, ["a", "b"]),
        (3, ["multi\nline", "c"]),
        (5, ["d", "e"]),
    ]


def test_a_file_that_is_not_utf8_is_refused_with_its_name_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_bytes("h\nok\n中文".encode("gb18030"))
    with pytest.raises(InputError, match=r"bad\.tsv:3: not valid UTF-8 .*save the file as UTF-8"):
        list(numbered_records(path))


def test_a_utf8_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.tsv"
    path.write_bytes("\ufeffdoc_id\tlink_id\na\t1\n".encode())
    assert list(numbered_records(path)) == [(1, ["doc_id", "link_id"]), (2, ["a", "1"])]


def test_a_text_longer_than_the_csv_modules_default_limit_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "long.tsv"
    long = "长" * 300_000  # csv.field_size_limit() is 131,072 characters by default
    path.write_text(format_tsv(["a"], [[long]]), encoding="utf-8")
    assert read_tsv(path) == (["a"], [[long]])
    assert list(numbered_records(path))[1] == (2, [long])


def test_a_field_with_a_quote_is_quoted_as_spreadsheets_expect() -> None:
    text = format_tsv(["a"], [['"quoted" start'], ["plain"]])
    assert text == 'a\n"""quoted"" start"\nplain\n'
    assert list(csv.reader(io.StringIO(text), delimiter="\t")) == [["a"], ['"quoted" start'], ["plain"]]
