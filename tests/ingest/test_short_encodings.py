"""Short files (a few characters) in every encoding Chinese sources and English references come in,
read alike by a run's reader and by ``pipeline segment`` (files and standard input).

Regression (issue 21): ``你好。今天天气很好。`` in GB18030, 21 bytes, was read as Korean (``콱봤。쏟莖莖폭붤봤。``,
cp949), ``pipeline segment`` said nothing, read standard input as text and ignored ``--set ingest.encoding``.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import JsonlIngest, TextIngest
from pipeline.ingest.jsonl import JsonlReader
from pipeline.ingest.text import TextReader

GREETING = "你好。今天天气很好。"
GREETING_TRADITIONAL = "你好。今天天氣很好。"

# name -> (bytes of the file, its text, a phrase the note must hold or None for no note)
CHINESE: dict[str, tuple[bytes, str, str | None]] = {
    "gb18030 (the issue's 21 bytes)": ((GREETING + "\n").encode("gb18030"), GREETING, "decoded as gb18030"),
    "gb18030, traditional characters": (GREETING_TRADITIONAL.encode("gb18030"), GREETING_TRADITIONAL, "gb18030"),
    "gb18030, four-byte characters": ("𠮷野家的饭。".encode("gb18030"), "𠮷野家的饭。", "decoded as gb18030"),
    "gbk subset": ("汪淼问。".encode("gbk"), "汪淼问。", "decoded as gb18030"),
    "gbk, two characters": ("中文".encode("gbk"), "中文", "decoded as gb18030"),
    "big5": (GREETING_TRADITIONAL.encode("big5"), GREETING_TRADITIONAL, "decoded as big5"),
    "big5, three characters": ("中國人".encode("big5"), "中國人", "decoded as big5"),
    "utf-16-le with bom": (codecs.BOM_UTF16_LE + "好。".encode("utf-16-le"), "好。", None),
    "utf-16-be with bom": (codecs.BOM_UTF16_BE + "好。".encode("utf-16-be"), "好。", None),
    "utf-8": ("好。".encode(), "好。", None),
    "utf-8 with bom": (codecs.BOM_UTF8 + "好。".encode(), "好。", None),
}

# English references: cp1252 (Windows) and Latin-1 text, which cp1252 reads the same for every letter
ENGLISH: dict[str, tuple[bytes, str, str | None]] = {
    "cp1252 quotes and dashes": ("“Fine,” he said — naïvely.".encode("cp1252"), "“Fine,” he said — naïvely.", "cp1252"),
    "latin-1 letters": ("Zürich, Ångström, café.".encode("latin-1"), "Zürich, Ångström, café.", "cp1252"),
    "utf-8": (b"Fine, he said.", "Fine, he said.", None),
}


def read_source(tmp_path: Path, data: bytes) -> tuple[list[str], list[str]]:
    (tmp_path / "a.zh.txt").write_bytes(data)
    reader = TextReader(TextIngest(sources=[str(tmp_path / "a.zh.txt")]))
    [doc] = list(reader.read())
    return [p.text for p in doc.source], reader.warnings


def assert_note(notes: list[str] | str, phrase: str | None) -> None:
    text = "\n".join(notes) if isinstance(notes, list) else notes
    if phrase is None:
        assert "decoded as" not in text, text
    else:
        assert phrase in text and "not UTF-8" in text, text


@pytest.mark.parametrize("name", CHINESE)
def test_a_run_reads_a_short_chinese_source(tmp_path: Path, name: str) -> None:
    data, text, note = CHINESE[name]
    paragraphs, warnings = read_source(tmp_path, data)
    assert paragraphs == [text]
    assert_note(warnings, note)


@pytest.mark.parametrize("name", ENGLISH)
def test_a_run_reads_a_short_english_reference(tmp_path: Path, name: str) -> None:
    data, text, note = ENGLISH[name]
    (tmp_path / "a.zh.txt").write_text("好。", encoding="utf-8")
    (tmp_path / "a.en.txt").write_bytes(data)
    reader = TextReader(TextIngest(sources=[str(tmp_path / "a.zh.txt")], references=[str(tmp_path / "a.en.txt")]))
    [doc] = list(reader.read())
    assert doc.reference is not None and [p.text for p in doc.reference] == [text]
    assert_note(reader.warnings, note)


def test_a_short_jsonl_file_in_gb18030_is_read_as_chinese(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(f'{{"id": "a", "zh": "{GREETING}", "en": "Hello."}}\n'.encode("gb18030"))
    reader = JsonlReader(JsonlIngest(name="jsonl", path=path))
    [doc] = list(reader.read())
    assert [p.text for p in doc.source] == [GREETING]
    assert_note(reader.warnings, "decoded as gb18030")


def segment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], stdin: bytes = b""
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(["segment", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def sentences(text: str, lang: str) -> list[str]:
    from pipeline.registry import SEGMENTERS

    return SEGMENTERS.load(f"{lang}-rules")().split(text)


@pytest.mark.parametrize("from_stdin", [False, True], ids=["file", "stdin"])
@pytest.mark.parametrize(("lang", "name"), [*(("zh", n) for n in CHINESE), *(("en", n) for n in ENGLISH)])
def test_pipeline_segment_reads_as_a_run_does_and_says_what_it_decoded(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lang: str,
    name: str,
    from_stdin: bool,
) -> None:
    data, text, note = (CHINESE if lang == "zh" else ENGLISH)[name]
    path = tmp_path / "input.txt"
    path.write_bytes(data)
    args = ["--lang", lang] + ([] if from_stdin else [str(path)])
    code, out, err = segment(monkeypatch, capsys, args, data if from_stdin else b"")
    assert code == 0, err
    assert out.splitlines() == sentences(text, lang)
    assert_note(err, note)
    if note is not None:
        assert ("<stdin>" if from_stdin else str(path)) in err


def test_pipeline_segment_takes_ingest_encoding_from_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = "你好。中国。".encode("gb18030")  # also valid Big5, with other characters
    path = tmp_path / "input.txt"
    path.write_bytes(data)
    code, out, err = segment(monkeypatch, capsys, ["--lang", "zh", str(path), "--set", "ingest.encoding=big5"])
    assert code == 0 and "".join(out.split()) == data.decode("big5") != "你好。中国。"
    assert err == ""  # an encoding that was asked for is not news
    code, out, err = segment(monkeypatch, capsys, ["--lang", "zh", "--set", "ingest.encoding=gb18030"], data)
    assert code == 0 and out.splitlines() == ["你好。", "中国。"] and err == ""


def test_pipeline_segment_with_a_wrong_encoding_names_the_input_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(GREETING.encode("gb18030"))
    code, _, err = segment(monkeypatch, capsys, ["--lang", "zh", str(path), "--set", "ingest.encoding=utf-8"])
    assert code == 3
    assert f"{path}, line 1: not valid utf-8" in err and "ingest -> encoding" in err


def test_pipeline_segment_takes_ingest_encoding_from_a_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("ingest: {sources: [x.zh.txt], encoding: big5}\n", encoding="utf-8")
    data = GREETING.encode("gb18030")
    code, out, _ = segment(monkeypatch, capsys, ["--lang", "zh", "--config", str(config)], data)
    assert code == 0 and "".join(out.split()) == data.decode("big5")
