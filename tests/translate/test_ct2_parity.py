"""The CTranslate2 backend: converted once, decodes with the model's own settings, same output as marian.

Parity holds for greedy decoding in float32: both backends then compute the same thing. The tiny
random model never ends a sentence by itself, so every output runs to the length limit, which
also shows that both backends read the limit from the model's generation config the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import CTranslate2Settings, MarianSettings
from pipeline.errors import ModelError
from pipeline.translate.marian import MarianTranslator

pytest.importorskip("ctranslate2", reason="ctranslate2 is not installed (pip install '.[ct2]'); make test installs it")

from pipeline.translate.ct2 import MARKER, CTranslate2Translator, converted_path

TEXTS = [
    "今天天气很好。",
    "他们分享了经验，回答了问题。",
    "学生们在图书馆里安静地读书。",
    "会议于3月29日在北京召开。",
    "中国和法国的专家举行了视频会议，交流了防控经验。",
    "好。",
]


def ct2(tiny_model: Path, models_dir: Path, **settings: object) -> CTranslate2Translator:
    s = {"model": str(tiny_model), "models_dir": models_dir, "progress": False, "threads": 1, **settings}
    t = CTranslate2Translator(CTranslate2Settings(name="ctranslate2", **s))  # type: ignore[arg-type]
    t.load()
    return t


def marian(tiny_model: Path, **settings: object) -> MarianTranslator:
    s = {"model": str(tiny_model), "progress": False, "threads": 1, **settings}
    t = MarianTranslator(MarianSettings(**s))  # type: ignore[arg-type]
    t.load()
    return t


@pytest.mark.parametrize("limits", [{}, {"max_new_tokens": 7}], ids=["model-limit", "max_new_tokens"])
def test_greedy_float32_translations_are_identical(tiny_model: Path, tmp_path: Path, limits: dict[str, int]) -> None:
    settings = {"num_beams": 1, "repetition": {"enabled": False}, **limits}
    expected = marian(tiny_model, **settings).translate(TEXTS)
    got = ct2(tiny_model, tmp_path, quantization="float32", **settings).translate(TEXTS)
    assert got == expected
    assert all(t.text for t in got)


def test_decoding_settings_come_from_the_model(tiny_model: Path, tmp_path: Path) -> None:
    t = ct2(tiny_model, tmp_path, quantization="float32")
    assert t.decoding is not None
    # the tiny model's generation config: beam 4, max_length 48 with a forced </s> at the end
    assert (t.decoding.num_beams, t.decoding.max_target_tokens) == (4, 46)
    assert "num_beams:4" in t.signature() and "quantization:float32" in t.signature()


def test_the_model_is_converted_once_per_quantization(tiny_model: Path, tmp_path: Path) -> None:
    first = ct2(tiny_model, tmp_path, quantization="int8")
    assert first.converted is not None and first.converted.parent == tmp_path / "ctranslate2"
    assert first.converted.name.endswith("-int8") and (first.converted / MARKER).is_file()
    stamp = (first.converted / "model.bin").stat().st_mtime_ns
    second = ct2(tiny_model, tmp_path, quantization="int8")
    assert second.converted == first.converted
    assert (second.converted / "model.bin").stat().st_mtime_ns == stamp
    assert second.translate(["今天天气很好。"])[0].text


def test_auto_quantization_is_int8_on_cpu(tiny_model: Path, tmp_path: Path) -> None:
    t = ct2(tiny_model, tmp_path, device="cpu")
    assert t.quantization == "int8"
    assert t.resolved is not None and converted_path(t.resolved, tmp_path, "int8") == t.converted


def test_input_limit_above_the_model_positions_is_refused(tiny_model: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="max_input_tokens: 600 is more than the model's 512 positions"):
        ct2(tiny_model, tmp_path, max_input_tokens=600)


def test_retry_decodes_against_repetition_as_marian_does(tiny_model: Path, tmp_path: Path) -> None:
    settings = {"num_beams": 1, "max_new_tokens": 20}
    t = ct2(tiny_model, tmp_path, quantization="float32", **settings)
    retried = t.retry_batch(TEXTS)
    assert retried == marian(tiny_model, **settings).retry_batch(TEXTS)
    assert retried != t.translate_batch(TEXTS)


def test_a_model_without_generation_config_json_uses_its_config(tiny_model: Path, tmp_path: Path) -> None:
    import json
    import shutil

    old_style = tmp_path / "old-style"
    shutil.copytree(tiny_model, old_style)
    generation = json.loads((old_style / "generation_config.json").read_text(encoding="utf-8"))
    (old_style / "generation_config.json").unlink()
    config = json.loads((old_style / "config.json").read_text(encoding="utf-8"))
    config.update({k: generation[k] for k in ("max_length", "num_beams", "forced_eos_token_id")})
    (old_style / "config.json").write_text(json.dumps(config), encoding="utf-8")
    t = ct2(old_style, tmp_path / "models", quantization="float32")
    assert t.decoding is not None and (t.decoding.num_beams, t.decoding.max_target_tokens) == (4, 46)
