"""Every file in tests/bad_inputs gives a clear error or a correct result, never a silent loss."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import TextIngest
from pipeline.errors import InputError
from pipeline.ingest.decode import decode
from pipeline.ingest.text import TextReader

BAD = Path(__file__).resolve().parent.parent / "bad_inputs"

SIMPLIFIED = [
    "今天，中国专家组抵达万象。老挝副总理表示衷心感谢。",
    "“真诚感谢中国鼎力相助”",
    "相信在两国人民共同努力下，一定能够早日打赢这场疫情防控阻击战。",
]
TRADITIONAL = [
    "今天，中國專家組抵達萬象。寮國副總理表示衷心感謝。",
    "「真誠感謝中國鼎力相助」",
    "相信在兩國人民共同努力下，一定能夠早日打贏這場疫情防控阻擊戰。",
]

# file -> (paragraphs expected, a phrase the warnings must contain, or None for no warning)
READABLE = {
    "utf8.zh.txt": (SIMPLIFIED, None),
    "utf8-bom.zh.txt": (SIMPLIFIED, None),
    "gb18030.zh.txt": (SIMPLIFIED, "decoded as gb18030 (detected"),
    "big5.zh.txt": (TRADITIONAL, "decoded as big5 (detected"),
    "utf16le-bom.zh.txt": (SIMPLIFIED, None),
    "utf16be-bom.zh.txt": (SIMPLIFIED, None),
    "utf16le-nobom.zh.txt": (SIMPLIFIED, "decoded as utf-16-le (detected"),
    "crlf.zh.txt": (SIMPLIFIED, None),
    "cr.zh.txt": (SIMPLIFIED, None),
    "nul-and-controls.zh.txt": (SIMPLIFIED, "removed 2 control characters"),
    "zero-width.zh.txt": (SIMPLIFIED, "removed 2 zero-width characters"),
    "line-separators.zh.txt": (SIMPLIFIED, None),
    "empty.zh.txt": ([], "empty document; nothing to translate"),
    "blank-lines-only.zh.txt": ([], "empty document; nothing to translate"),
}

REFUSED = {
    "not-text.zh.txt": "not a text file, it is a PDF file; extract its text first",
    "docx-renamed.zh.txt": "not a text file, it is a ZIP archive (also .docx/.xlsx/.epub)",
    "binary.zh.txt": "cannot tell its text encoding, or it is not text",
}


def test_every_file_in_bad_inputs_has_an_expectation() -> None:
    assert {p.name for p in BAD.glob("*.txt")} == set(READABLE) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(READABLE))
def test_readable_files_give_the_same_paragraphs(name: str) -> None:
    expected, warning = READABLE[name]
    reader = TextReader(TextIngest(sources=[str(BAD / name)]))
    [doc] = list(reader.read())
    assert [p.text for p in doc.source] == expected
    if warning is None:
        assert reader.warnings == []
    else:
        assert any(warning in w and name in w for w in reader.warnings), reader.warnings


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_files_that_are_not_text_are_refused_with_the_reason(name: str) -> None:
    reader = TextReader(TextIngest(sources=[str(BAD / name)]))
    with pytest.raises(InputError) as info:
        list(reader.read())
    assert name in str(info.value) and REFUSED[name] in str(info.value)


def test_an_explicit_encoding_overrides_detection() -> None:
    reader = TextReader(TextIngest(sources=[str(BAD / "gb18030.zh.txt")], encoding="gb18030"))
    [doc] = list(reader.read())
    assert [p.text for p in doc.source] == SIMPLIFIED and reader.warnings == []


def test_a_wrong_explicit_encoding_names_file_line_and_fix() -> None:
    reader = TextReader(TextIngest(sources=[str(BAD / "gb18030.zh.txt")], encoding="utf-8"))
    with pytest.raises(InputError, match=r"gb18030.zh.txt, line 1: not valid utf-8 .*ingest -> encoding"):
        list(reader.read())


def test_an_unknown_encoding_name_is_a_config_problem() -> None:
    with pytest.raises(InputError, match="ingest -> encoding: unknown encoding 'klingon'"):
        decode(b"abc", "klingon", Path("x.txt"))


def test_english_in_utf16_without_bom_is_not_mistaken_for_utf8() -> None:
    decoded = decode("Hello world. Plain English text.\nSecond line.\n".encode("utf-16-le"), "auto", Path("x"))
    assert decoded.text.startswith("Hello world.") and decoded.encoding == "utf-16-le"


def test_a_path_that_does_not_exist_and_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="matches no file"):
        TextReader(TextIngest(sources=[str(tmp_path / "missing.zh.txt")]))
    (tmp_path / "docs").mkdir()
    with pytest.raises(InputError, match=r"is a folder; name its files, e.g. '.*docs/\*.txt'"):
        TextReader(TextIngest(sources=[str(tmp_path / "docs")]))


def test_empty_reference_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.zh.txt").write_text("甲。", encoding="utf-8")
    (tmp_path / "a.en.txt").write_text("", encoding="utf-8")
    reader = TextReader(TextIngest(sources=[str(tmp_path / "a.zh.txt")], references=[str(tmp_path / "a.en.txt")]))
    [doc] = list(reader.read())
    assert doc.reference == ()
    assert any("empty reference" in w for w in reader.warnings)
