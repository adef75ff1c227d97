"""A 50,000-character paragraph with no punctuation: one sentence, translated in windows, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.config import validate
from pipeline.export.tsv import read_tsv

pytestmark = pytest.mark.slow


def test_a_50000_character_paragraph_is_translated_whole_in_windows(tmp_path: Path, tiny_model: Path) -> None:
    words = "今天天气很好我们去公园散步会议在北京召开专家们分享了经验"
    text = (words * (50_000 // len(words) + 1))[:50_000]
    (tmp_path / "long.zh.txt").write_text(text + "\n短句。\n", encoding="utf-8")
    translate = {"model": str(tiny_model), "progress": False, "threads": 1, "num_beams": 1, "max_new_tokens": 4}
    cfg = validate(
        {
            "ingest": {"sources": [str(tmp_path / "long.zh.txt")]},
            "translate": {**translate, "max_input_tokens": 512, "max_tokens": 8192},
        }
    )
    result = runner.run(cfg, output=tmp_path / "out")
    header, rows = read_tsv(tmp_path / "out" / "aligned.tsv")
    assert [row[header.index("zh")] for row in rows] == [text, "短句。"]
    flags = rows[0][header.index("flags")].split(",")
    assert "windowed" in flags  # no clause boundary to cut at: fixed windows, never truncation
    assert rows[0][header.index("mt")].strip()
    assert result.report["translation"]["flags"]["windowed"] == 1
    assert json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["counts"]["sentences"]["zh"] == 2
