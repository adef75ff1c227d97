"""Backends are named, swappable, and imported only when chosen."""

from __future__ import annotations

import subprocess
import sys
import typing

import pytest

from pipeline import config
from pipeline.errors import ConfigError
from pipeline.registry import ALL, EXPORTERS, TRANSLATORS, Registry


def literal_names(model: type) -> set[str]:
    return set(typing.get_args(model.model_fields["name"].annotation))


@pytest.mark.parametrize(
    ("registry", "settings"),
    [
        ("reader", [config.TextIngest, config.JsonlIngest]),
        ("segmenter", [config.ChineseRules, config.EnglishRules, config.ChineseLines, config.EnglishLines]),
        (
            "translator",
            [config.MarianSettings, config.PrecomputedSettings, config.CTranslate2Settings, config.NoTranslation],
        ),
        ("aligner", [config.DPAlignerSettings, config.GaleChurchSettings]),
        ("scorer", [config.SacrebleuSettings]),
    ],
)
def test_every_configurable_backend_is_registered_and_vice_versa(registry: str, settings: list[type]) -> None:
    names = set().union(*(literal_names(s) for s in settings))
    assert names == set(ALL[registry].names())


def test_every_export_format_is_registered() -> None:
    formats = typing.get_args(typing.get_args(config.ExportSection.model_fields["formats"].annotation)[0])
    assert set(formats) == set(EXPORTERS.names())


@pytest.mark.parametrize("registry", list(ALL.values()), ids=list(ALL))
def test_every_registered_backend_imports(registry: Registry) -> None:
    for name in registry.names():
        assert callable(registry.load(name))


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="unknown translator 'nllb'; valid names: ctranslate2, marian"):
        TRANSLATORS.load("nllb")


def test_importing_the_package_and_light_stages_does_not_load_torch() -> None:
    code = (
        "import sys, pipeline, pipeline.config, pipeline.runner, pipeline.cli;"
        "from pipeline.registry import SEGMENTERS; SEGMENTERS.load('zh-rules');"
        "heavy = [m for m in ('torch', 'transformers', 'sentencepiece') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
