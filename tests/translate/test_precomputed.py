"""``translate.name: precomputed``: translations from a file, looked up by each source sentence's exact text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import config
from pipeline.config import PrecomputedSettings
from pipeline.errors import ConfigError, InputError
from pipeline.export.tsv import COLUMNS, format_tsv
from pipeline.records import Translation
from pipeline.translate.precomputed import LOOKUPS_PER_BATCH, PrecomputedTranslator


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def translator(**settings: object) -> PrecomputedTranslator:
    built = PrecomputedTranslator(PrecomputedSettings(name="precomputed", **settings))  # type: ignore[arg-type]
    built.load()
    return built


def test_lines_format_pairs_line_i_with_line_i(tmp_path: Path) -> None:
    src = write(tmp_path / "src.zh", "你好。\n\u3000\u3000今天下雨。  \n\n")
    hyp = write(tmp_path / "hyp.en", "Hello.\nIt rains today.\n\n")
    t = translator(path=hyp, source=src)
    assert [x.text for x in t.translate(["今天下雨。", "你好。", ""])] == ["It rains today.", "Hello.", ""]
    assert t.describe()["entries"] == 2 and t.signature().startswith("precomputed|format:lines|sha256:")


def test_lines_files_of_different_length_are_refused(tmp_path: Path) -> None:
    src = write(tmp_path / "src.zh", "一。\n二。\n")
    hyp = write(tmp_path / "hyp.en", "One.\n")
    with pytest.raises(InputError, match=r"src.zh has 2 lines but .*hyp.en has 1"):
        translator(path=hyp, source=src)


def test_jsonl_column_pairs_multi_line_fields_line_by_line(tmp_path: Path) -> None:
    records = [
        {"id": "a", "zh": "第一段。\n第二段。", "en": "ignored", "mt": "First.\nSecond."},
        {"id": "b", "zh": "第三段。", "mt": "Third."},
    ]
    path = write(tmp_path / "docs.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    t = translator(path=path, format="jsonl")
    assert t.translate_batch(["第二段。", "第三段。", "第一段。"]) == ["Second.", "Third.", "First."]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"zh": "一。\n二。", "mt": "One."}, r'line 1: "zh" has 2 lines but "mt" has 1'),
        ({"zh": "一。"}, r'line 1: "mt" must be a string, got missing \(keys here: zh\)'),
        ({"zh": "一。", "mt": 3}, r'"mt" must be a string, got a int'),
    ],
)
def test_bad_jsonl_records_name_the_line(tmp_path: Path, record: dict[str, object], message: str) -> None:
    path = write(tmp_path / "t.jsonl", json.dumps(record, ensure_ascii=False) + "\n")
    with pytest.raises(InputError, match=message):
        translator(path=path, format="jsonl")


def test_tsv_reads_a_previous_runs_aligned_tsv(tmp_path: Path) -> None:
    row = ["d", "0", "0", "0", "他说：“好。”\t", 'He said: "good."', "", "1-1", "", "", "", ""]
    row += [""] * (len(COLUMNS) - len(row))  # the review columns, empty as a run writes them
    path = write(tmp_path / "aligned.tsv", format_tsv(COLUMNS, [row]))
    t = translator(path=path, format="tsv")
    assert t.translate_batch(["他说：“好。”"]) == ['He said: "good."']
    with pytest.raises(InputError, match="no column 'target'; the header has doc_id"):
        translator(path=path, format="tsv", translation_field="target")


def test_a_missing_sentence_stops_the_run_and_says_how_lines_match(tmp_path: Path) -> None:
    src = write(tmp_path / "src.zh", "你好。我很好。\n")
    hyp = write(tmp_path / "hyp.en", "Hello. I am fine.\n")
    t = translator(path=hyp, source=src)
    with pytest.raises(InputError, match="'我很好。' has no translation in .*set segment.zh.name: zh-lines"):
        t.translate_batch(["我很好。"])


def test_a_repeated_source_with_another_translation_keeps_the_first_and_says_so(tmp_path: Path) -> None:
    src = write(tmp_path / "src.zh", "好的\n你好\n好的\n")
    hyp = write(tmp_path / "hyp.en", "OK\nHi\nFine\n")
    t = translator(path=hyp, source=src)
    assert t.translate_batch(["好的"]) == ["OK"]
    assert t.conflicts == 1 and "first repeat at" in t.stats.notes[0] and "line 3" in t.stats.notes[0]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"name": "precomputed", "path": "h.en"}, "translate: format 'lines' needs source"),
        (
            {"name": "precomputed", "path": "h.jsonl", "format": "jsonl", "source": "s.zh"},
            "source is only for format 'lines'",
        ),
        ({"name": "precomputed", "path": "h.en", "source": "s.zh", "beams": 4}, "translate -> beams: unknown key"),
    ],
)
def test_config_checks(section: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        config.validate({"ingest": {"sources": ["a.zh.txt"]}, "translate": section})
    assert any(expected in p for p in info.value.problems), info.value.problems


def test_a_missing_file_stops_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="translate -> path: .*nothing.en is not a file"):
        translator(path=tmp_path / "nothing.en", source=write(tmp_path / "s.zh", "一\n"))


@pytest.mark.parametrize("key", ["batch_size", "max_tokens", "max_input_tokens", "cache", "progress"])
def test_a_file_of_translations_takes_no_engine_setting(tmp_path: Path, key: str) -> None:
    section = {"name": "precomputed", "path": str(tmp_path / "hyp.en"), "source": str(tmp_path / "src.zh"), key: 8}
    with pytest.raises(ConfigError, match=rf"translate -> {key}: unknown key"):
        config.validate({"ingest": {"sources": ["a"]}, "translate": section})


def test_numbers_and_punctuation_are_looked_up_like_any_sentence(tmp_path: Path) -> None:
    src = write(tmp_path / "src.zh", "2020\n……\n你好。\n")
    hyp = write(tmp_path / "hyp.en", "the year 2020\n...\n Hello. \n")
    t = translator(path=hyp, source=src)
    out = t.translate(["2020", "……", "你好。", "", "你好。"])
    assert out == [
        Translation("the year 2020"),
        Translation("..."),
        Translation("Hello."),
        Translation(""),
        Translation("Hello."),
    ]
    assert (t.stats.sentences, t.stats.passthrough, t.stats.duplicates, t.stats.segments) == (5, 0, 1, 3)


def test_lookups_are_counted_in_batches_of_a_fixed_size(tmp_path: Path) -> None:
    lines = [f"句子{i}。" for i in range(LOOKUPS_PER_BATCH + 1)]
    src = write(tmp_path / "src.zh", "\n".join(lines) + "\n")
    hyp = write(tmp_path / "hyp.en", "\n".join(f"Sentence {i}." for i in range(len(lines))) + "\n")
    t = translator(path=hyp, source=src)
    assert [x.text for x in t.translate(lines)][-1] == f"Sentence {LOOKUPS_PER_BATCH}."
    assert (t.stats.batches, t.stats.segments) == (2, LOOKUPS_PER_BATCH + 1)
