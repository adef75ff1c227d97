"""Choosing the CTranslate2 backend: its settings, and the install hint when the package is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipeline.config import CTranslate2Settings, validate
from pipeline.errors import ConfigError, ModelError
from pipeline.translate.ct2 import CTranslate2Translator


def test_ctranslate2_settings_validate() -> None:
    config = validate({"ingest": {"sources": ["a.txt"]}, "translate": {"name": "ctranslate2", "quantization": "int8"}})
    assert isinstance(config.translate, CTranslate2Settings)
    assert config.translate.max_tokens == 4096 and config.translate.repetition.enabled


def test_keys_of_the_other_backend_are_refused() -> None:
    with pytest.raises(ConfigError) as info:
        validate({"ingest": {"sources": ["a.txt"]}, "translate": {"name": "ctranslate2", "dtype": "float16"}})
    assert "translate -> dtype: unknown key" in str(info.value)
    with pytest.raises(ConfigError) as info:
        validate({"ingest": {"sources": ["a.txt"]}, "translate": {"quantization": "int8"}})
    assert "translate -> quantization: unknown key" in str(info.value)


def test_nested_guard_settings_report_their_path() -> None:
    with pytest.raises(ConfigError) as info:
        validate({"ingest": {"sources": ["a.txt"]}, "translate": {"repetition": {"max_repeats": 0, "loud": True}}})
    message = str(info.value)
    assert "translate -> repetition -> max_repeats: must be >= 1" in message
    assert "translate -> repetition -> loud: unknown key" in message


def test_missing_ctranslate2_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tiny_model: Path) -> None:
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # makes `import ctranslate2` fail
    t = CTranslate2Translator(CTranslate2Settings(name="ctranslate2", model=str(tiny_model)))
    with pytest.raises(ModelError, match=r"pip install '\.\[ct2\]'"):
        t.load()
