"""A large file is read a chunk at a time: the lines and notes are those of the whole file decoded at once."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from pipeline.config import JsonlIngest
from pipeline.errors import InputError
from pipeline.ingest import decode as decode_module
from pipeline.ingest.decode import decode, stream_lines
from pipeline.ingest.jsonl import JsonlReader

BAD = Path(__file__).resolve().parent.parent / "bad_inputs"
TEXT = "今天，中国专家组抵达万象。\r\n老挝\u2028副总理\x00表示\u200b感谢。\n“真诚感谢”\n"
TRADITIONAL = "今天，中國專家組抵達萬象。\r\n寮國副總理\x00表示感謝。\n「真誠感謝」\n"  # what Big5 can hold


def whole(path: Path, encoding: str) -> tuple[list[str], list[str]] | str:
    try:
        decoded = decode(path.read_bytes(), encoding, path)
    except InputError as exc:
        return str(exc)
    return decoded.notes, decoded.text.split("\n")


def streamed(path: Path, encoding: str) -> tuple[list[str], list[str]] | str | None:
    try:
        result = stream_lines(path, encoding)
    except InputError as exc:
        return str(exc)
    return None if result is None else (result[0], list(result[1]))


@pytest.mark.parametrize("chunk", [1, 5, 1 << 20])
@pytest.mark.parametrize("path", sorted(BAD.glob("*.txt")), ids=lambda p: p.name)
def test_streamed_lines_and_notes_are_the_whole_files(path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decode_module, "_STREAM_CHUNK", chunk)
    got = streamed(path, "auto")
    if got is not None:  # None: the file needs detection, and is decoded whole
        assert got == whole(path, "auto")


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gb18030", "big5"])
def test_a_named_or_marked_encoding_is_streamed(tmp_path: Path, codec: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decode_module, "_STREAM_CHUNK", 3)
    path = tmp_path / "text.txt"
    path.write_bytes((TRADITIONAL if codec == "big5" else TEXT).encode(codec))
    named = "utf-16-le" if codec == "utf-16-le" else codec
    got = streamed(path, named)
    assert got is not None and got == whole(path, named)
    if codec in ("utf-8-sig", "utf-16"):  # marked by a byte order mark: auto reads it as named
        assert streamed(path, "auto") == whole(path, "auto")


def test_undecodable_or_detected_files_are_left_to_the_whole_file_path(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("中文\n".encode("gb18030"))
    assert stream_lines(path, "auto") is None and stream_lines(path, "utf-8") is None
    assert stream_lines(path, "no-such-codec") is None


def test_a_jsonl_file_is_read_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decode_module, "_STREAM_CHUNK", 16)
    records = [{"id": f"d{i}", "zh": f"第{i}句。\n第二段。", "en": f"Sentence {i}."} for i in range(20)]
    path = tmp_path / "docs.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + "\r\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode())
    reader = JsonlReader(JsonlIngest(name="jsonl", path=path))
    docs = list(reader.read())
    assert [d.id for d in docs] == [r["id"] for r in records]
    assert [p.text for p in docs[3].source] == ["第3句。", "第二段。"] and docs[19].source_path == f"{path}:20"
    assert reader.warnings == []
