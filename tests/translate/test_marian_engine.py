"""The engine with the real tokenizer and model (tiny): limits, long sentences, a run and its rerun."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline import runner
from pipeline.config import MarianSettings, validate
from pipeline.errors import ModelError
from pipeline.export.tsv import read_tsv
from pipeline.translate.marian import MarianTranslator

LONG = "中国和法国的专家举行了视频会议，交流了防控经验，回答了各方关切的问题，并表示愿意继续加强合作。"


class Recording(MarianTranslator):
    """Records what reaches the model, batch by batch."""

    seen: list[str]
    batches: list[int]

    def translate_batch(self, texts: list[str]) -> list[str]:
        self.seen = [*getattr(self, "seen", []), *texts]
        self.batches = [*getattr(self, "batches", []), len(texts)]
        return super().translate_batch(texts)


def translator(
    tiny_model: Path, cls: type[MarianTranslator] = MarianTranslator, **settings: object
) -> MarianTranslator:
    s = {"model": str(tiny_model), "progress": False, "threads": 1, "num_beams": 1, "max_new_tokens": 8, **settings}
    t = cls(MarianSettings(**s))  # type: ignore[arg-type]
    t.load()
    return t


def test_long_sentences_reach_the_model_in_pieces_within_the_limit(tiny_model: Path) -> None:
    t = translator(tiny_model, Recording, max_input_tokens=12)
    assert t.count_tokens([LONG])[0] > 12
    (out,) = t.translate([LONG])
    assert out.flags == ("clause-split",) or out.flags == ("clause-split", "windowed")
    assert isinstance(t, Recording) and len(t.seen) > 1
    assert all(n <= 12 for n in t.count_tokens(t.seen))
    assert t.stats.flags["clause-split"] == 1


@pytest.mark.parametrize(("batch_size", "batches"), [(1, [1, 1, 1, 1, 1]), (2, [2, 2, 1]), (32, [5])])
def test_batch_size_from_the_yaml_is_the_batch_size_the_model_gets(
    tiny_model: Path, batch_size: int, batches: list[int]
) -> None:
    section = yaml.safe_load(
        f"""
        translate:
          model: {tiny_model}
          batch_size: {batch_size}
          max_tokens: 4096
          progress: false
          threads: 1
          num_beams: 1
          max_new_tokens: 4
        """
    )
    config = validate({"ingest": {"sources": ["a.txt"]}, **section})
    t = Recording(config.translate)  # type: ignore[arg-type]
    t.load()
    t.translate(["一。", "二二。", "三三三。", "四四四四。", "五五五五五。"])
    assert t.batches == batches
    assert f"batch:{batch_size}x4096tok" in t.signature()


def test_input_limit_above_the_model_positions_is_refused(tiny_model: Path) -> None:
    with pytest.raises(ModelError, match="max_input_tokens: 513 is more than the model's 512 positions"):
        translator(tiny_model, max_input_tokens=513)


def test_float16_on_cpu_is_refused(tiny_model: Path) -> None:
    with pytest.raises(ModelError, match="translate -> dtype: float16 is not supported on CPU"):
        translator(tiny_model, device="cpu", dtype="float16")


def test_a_run_marks_split_rows_and_a_rerun_translates_nothing(tiny_model: Path, tmp_path: Path, root: Path) -> None:
    config = validate(
        {
            "ingest": {"sources": [str(root / "examples/seed/covid-cooperation.zh.txt")]},
            "translate": {
                "model": str(tiny_model),
                "progress": False,
                "threads": 1,
                "num_beams": 1,
                "max_new_tokens": 8,
                "max_input_tokens": 24,
            },
        }
    )
    first = runner.run(config, output=tmp_path / "out")
    header, rows = read_tsv(tmp_path / "out" / "aligned.tsv")
    flagged = [row for row in rows if "clause-split" in row[header.index("flags")].split(",")]
    assert flagged, "the seed article has sentences longer than 24 tokens"
    report = first.report["translation"]
    assert report["flags"]["clause-split"] == len(flagged)
    assert any("translated in clauses" in w for w in first.report["warnings"])
    assert (tmp_path / "out" / "cache" / "translations.sqlite").is_file()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    translated = manifest["run"]["translation"]["segments_translated"]
    assert translated > 0
    assert "max_input:24" in manifest["signatures"]["translate"]

    # The same config again finds the stored translations: the model is not asked again.
    second = runner.run(config, output=tmp_path / "out")
    assert second.reused["translate"] == second.reused["shards"] == 1
    assert second.report == first.report
    assert read_tsv(tmp_path / "out" / "aligned.tsv")[1] == rows

    # Stored stage results gone, the sentence cache still answers every segment.
    shutil.rmtree(tmp_path / "out" / "stages")
    runner.run(config, output=tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["translation"]["segments_translated"] == 0
    assert manifest["run"]["translation"]["cache_hits"] == translated
    assert read_tsv(tmp_path / "out" / "aligned.tsv")[1] == rows
