"""JSONL ingest: {"id", "zh", "en"} per line; errors name the file and the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import JsonlIngest
from pipeline.errors import InputError
from pipeline.ingest.jsonl import JsonlReader


def jsonl(tmp_path: Path, *lines: str) -> JsonlReader:
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return JsonlReader(JsonlIngest(name="jsonl", path=path))


def test_reads_documents_with_and_without_reference(tmp_path: Path) -> None:
    reader = jsonl(
        tmp_path,
        json.dumps({"id": "a", "zh": "\u3000\u3000第一段。\n第二段。", "en": "First.\nSecond."}, ensure_ascii=False),
        "",
        json.dumps({"id": "b", "zh": "只有中文。"}, ensure_ascii=False),
    )
    a, b = list(reader.read())
    assert [p.text for p in a.source] == ["第一段。", "第二段。"]
    assert [p.text for p in a.reference or ()] == ["First.", "Second."]
    assert b.reference is None
    assert b.source_path.endswith("docs.jsonl:3")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"docs.jsonl, line 1: not valid JSON"),
        ("[1, 2]", r"line 1: expected an object"),
        ('{"zh": "x"}', r'line 1: "id" must be a string, got missing'),
        ('{"id": "a", "zh": 3}', r'line 1: "zh" must be a string, got a int'),
    ],
)
def test_bad_lines_are_refused_with_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        list(jsonl(tmp_path, line).read())


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    reader = jsonl(tmp_path, '{"id": "a", "zh": "x"}', '{"id": "a", "zh": "y"}')
    with pytest.raises(InputError, match="line 2: document id 'a' already used on line 1"):
        list(reader.read())


def test_unknown_keys_are_reported_as_warnings(tmp_path: Path) -> None:
    reader = jsonl(tmp_path, '{"id": "a", "zh": "x", "source": "web"}')
    list(reader.read())
    assert "ignored keys ['source']" in reader.warnings[0]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="ingest -> path"):
        JsonlReader(JsonlIngest(name="jsonl", path=tmp_path / "none.jsonl"))
