"""Traditional Chinese can be converted to simplified for the model, while every output keeps the original."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.config import validate
from pipeline.errors import ConfigError
from pipeline.export.tsv import read_tsv
from pipeline.translate import engine

pytest.importorskip("opencc", reason="OpenCC is not installed (pip install '.[opencc]')")

TRADITIONAL = "中國專家組抵達萬象。寮國副總理表示衷心感謝。"


def run(tmp_path: Path, tiny_model: Path, script: str) -> tuple[list[str], list[list[str]], dict[str, object]]:
    (tmp_path / "docs.jsonl").write_text(json.dumps({"id": "tw", "zh": TRADITIONAL}, ensure_ascii=False), "utf-8")
    translate = {"model": str(tiny_model), "progress": False, "threads": 1, "num_beams": 1, "max_new_tokens": 6}
    cfg = validate(
        {
            "ingest": {"name": "jsonl", "path": str(tmp_path / "docs.jsonl")},
            "translate": {**translate, "chinese_script": script},
        }
    )
    result = runner.run(cfg, output=tmp_path / script)
    header, rows = read_tsv(tmp_path / script / "aligned.tsv")
    manifest = json.loads((tmp_path / script / "manifest.json").read_text(encoding="utf-8"))
    return header, rows, {"signature": manifest["signatures"]["translate"], "report": result.report}


def test_the_outputs_keep_the_original_text_and_the_signature_says_what_the_model_saw(
    tmp_path: Path, tiny_model: Path
) -> None:
    header, rows, facts = run(tmp_path, tiny_model, "t2s")
    assert "".join(row[header.index("zh")] for row in rows) == TRADITIONAL
    assert "script:t2s" in str(facts["signature"])
    _, _, plain = run(tmp_path, tiny_model, "keep")
    assert "script:" not in str(plain["signature"])


def test_conversion_changes_what_the_model_translates(tmp_path: Path, tiny_model: Path) -> None:
    from pipeline.config import MarianSettings
    from pipeline.translate.marian import MarianTranslator

    class Spy(MarianTranslator):
        def translate_batch(self, texts: list[str]) -> list[str]:
            self.inputs = [*getattr(self, "inputs", []), *texts]
            return super().translate_batch(texts)

    spy = Spy(
        MarianSettings(model=str(tiny_model), progress=False, num_beams=1, max_new_tokens=4, chinese_script="t2s")
    )
    spy.load()
    spy.translate(["寮國副總理表示衷心感謝。"])
    assert spy.inputs == ["寮国副总理表示衷心感谢。"]


def test_a_missing_opencc_is_a_clear_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_opencc(name: str, *args: object, **kwargs: object) -> object:
        if name == "opencc":
            raise ImportError("No module named 'opencc'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_opencc)
    with pytest.raises(ConfigError, match=r"chinese_script: 't2s' needs OpenCC; install it with: pip install"):
        engine.opencc_converter("t2s")
