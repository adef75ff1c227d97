"""Plain-text ingest: one paragraph a line, indents stripped, references paired by document id."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import TextIngest
from pipeline.errors import InputError
from pipeline.ingest.base import paragraphs_from_text
from pipeline.ingest.text import TextReader, document_id


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("covid-cooperation.zh.txt", "covid-cooperation"),
        ("covid-cooperation.en.txt", "covid-cooperation"),
        ("story.txt", "story"),
        ("report.2020.zh.txt", "report.2020"),
        ("zh.txt", "zh"),
    ],
)
def test_document_id_is_the_stem_without_language_tag(name: str, expected: str) -> None:
    assert document_id(Path(name)) == expected


def test_paragraphs_strip_full_width_indent_and_skip_blank_lines() -> None:
    text = "\u3000\u3000第一段。\n\n   \n\u3000\u3000第二段。\r\n第三段\r"
    paragraphs = paragraphs_from_text(text)
    assert [p.text for p in paragraphs] == ["第一段。", "第二段。", "第三段"]
    assert [p.index for p in paragraphs] == [0, 1, 2]
    assert [p.line for p in paragraphs] == [1, 4, 5]


def test_seed_article_has_24_paragraphs_on_each_side(seed_files: tuple[Path, Path]) -> None:
    zh, en = seed_files
    reader = TextReader(TextIngest(sources=[str(zh)], references=[str(en)]))
    [doc] = list(reader.read())
    assert doc.id == "covid-cooperation"
    assert len(doc.source) == len(doc.reference or ()) == 24
    assert doc.source[1].text == "“真诚感谢中国鼎力相助”"
    assert not any(p.text.startswith("\u3000") for p in doc.source)


def test_globs_pair_sources_and_references_and_keep_unpaired_sources(tmp_path: Path) -> None:
    write(tmp_path / "zh/a.zh.txt", "甲。\n")
    write(tmp_path / "zh/b.zh.txt", "乙。\n")
    write(tmp_path / "en/a.en.txt", "A.\n")
    reader = TextReader(TextIngest(sources=[f"{tmp_path}/zh/*.txt"], references=[f"{tmp_path}/en/*.txt"]))
    docs = {d.id: d for d in reader.read()}
    assert set(docs) == {"a", "b"}
    assert docs["a"].reference is not None
    assert docs["b"].reference is None  # still translated and exported later


def test_reference_without_source_is_a_warning_not_silently_dropped(tmp_path: Path) -> None:
    write(tmp_path / "a.zh.txt", "甲。\n")
    write(tmp_path / "orphan.en.txt", "Orphan.\n")
    reader = TextReader(TextIngest(sources=[str(tmp_path / "a.zh.txt")], references=[str(tmp_path / "orphan.en.txt")]))
    assert len(reader.warnings) == 1
    assert "orphan.en.txt" in reader.warnings[0] and "no source" in reader.warnings[0]


def test_pattern_matching_nothing_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"ingest -> sources: .*nothing\*.txt' matches no file"):
        TextReader(TextIngest(sources=[f"{tmp_path}/nothing*.txt"]))


def test_missing_file_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="ingest -> references"):
        TextReader(
            TextIngest(sources=[str(write(tmp_path / "a.zh.txt", "甲"))], references=[str(tmp_path / "x.en.txt")])
        )


def test_two_files_with_one_document_id_are_refused(tmp_path: Path) -> None:
    a = write(tmp_path / "one/a.zh.txt", "甲")
    b = write(tmp_path / "two/a.txt", "乙")
    with pytest.raises(InputError, match="same document id 'a'"):
        TextReader(TextIngest(sources=[str(a), str(b)]))


def test_undecodable_file_names_file_line_and_fix(tmp_path: Path) -> None:
    path = write(tmp_path / "gbk.zh.txt", "第一行\n第二行。", encoding="gb18030")
    reader = TextReader(TextIngest(sources=[str(path)], encoding="utf-8"))
    with pytest.raises(InputError, match=r"gbk.zh.txt, line 1: not valid utf-8.*ingest -> encoding"):
        list(reader.read())


def test_declared_encoding_is_used(tmp_path: Path) -> None:
    path = write(tmp_path / "gbk.zh.txt", "第一行\n第二行。", encoding="gb18030")
    [doc] = TextReader(TextIngest(sources=[str(path)], encoding="gb18030")).read()
    assert [p.text for p in doc.source] == ["第一行", "第二行。"]


def test_utf8_byte_order_mark_is_not_part_of_the_text(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.zh.txt", "\ufeff第一段。")
    [doc] = TextReader(TextIngest(sources=[str(path)])).read()
    assert doc.source[0].text == "第一段。"
