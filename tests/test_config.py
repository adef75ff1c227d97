"""The config is validated in one place: every problem at once, with its path and the valid choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import config
from pipeline.errors import ConfigError

MINIMAL = {"ingest": {"sources": ["a.zh.txt"]}}


def problems(data: object) -> list[str]:
    with pytest.raises(ConfigError) as info:
        config.validate(data)
    return info.value.problems


def test_minimal_config_gets_defaults_for_every_section() -> None:
    cfg = config.validate(MINIMAL)
    assert cfg.ingest.name == "text"
    assert cfg.translate.name == "marian"
    assert cfg.translate.model == "Helsinki-NLP/opus-mt-zh-en"
    assert cfg.align.name == "dp"
    assert cfg.score.metrics == ["bleu", "chrf"]  # as sacrebleu's own default, BLEU (and the cheap chrF)
    assert cfg.export.formats == ["tsv", "moses", "review"]


def test_chrf_plus_plus_and_ter_are_scored_only_when_asked() -> None:
    asked = config.validate({**MINIMAL, "score": {"metrics": ["bleu", "chrf", "chrf++", "ter"]}})
    assert asked.score.metrics == ["bleu", "chrf", "chrf++", "ter"]
    assert "ter" not in config.validate(MINIMAL).score.metrics


@pytest.mark.parametrize("path", ["configs/seed.yaml", "configs/offline-demo.yaml"])
def test_shipped_configs_are_valid(root: Path, path: str) -> None:
    cfg = config.load(root / path)
    assert cfg.ingest.references, "the demo configs score against the seed reference"


def test_unknown_key_wrong_type_and_unknown_backend_are_reported_together() -> None:
    found = problems(
        {
            "ingest": {"sources": ["a"], "sourcez": ["b"]},
            "translate": {"batch_size": "many"},
            "align": {"name": "hunalign"},
        }
    )
    assert len(found) == 3
    assert any(p.startswith("ingest -> sourcez: unknown key") and "sources" in p for p in found)
    assert any(p.startswith("translate -> batch_size:") and "integer" in p for p in found)
    assert any(p.startswith("align: unknown backend 'hunalign'") and "'dp'" in p for p in found)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"translate": {"batch_size": 0}}, "translate -> batch_size: must be > 0"),
        ({"translate": {"device": "tpu"}}, "translate -> device: Input should be 'auto', 'cpu' or 'cuda'"),
        ({"segment": {"zh": {"name": "pysbd"}}}, "segment -> zh: unknown backend 'pysbd'; valid names: 'zh-rules'"),
        (
            {"score": {"metrics": ["bleu", "comet"]}},
            "score -> metrics -> 1: Input should be 'bleu', 'chrf', 'chrf++' or 'ter'",
        ),
        (
            {"export": {"formats": ["xlsx"]}},
            "export -> formats -> 0: Input should be 'tsv', 'moses', 'jsonl', 'parquet', 'tmx' or 'review'",
        ),
        ({"export": {"formats": ["moses", "review"]}}, "export: 'review' needs 'tsv' too"),
        ({"export": {"pairs": "all"}}, "export -> pairs: Input should be 'reference', 'mt' or 'both'"),
        ({"export": {"filters": {"min_align_score": 2}}}, "export -> filters -> min_align_score: Input should be less"),
        ({"export": {"filters": {"link_types": ["1-5"]}}}, "export -> filters -> link_types -> 0: Input should be"),
        (
            {"export": {"filters": {"min_length": 9, "max_length": 3}}},
            "export -> filters: min_length 9 is above max_length 3",
        ),
        (
            {"export": {"filters": {"min_length_ratio": 4, "max_length_ratio": 1}}},
            "export -> filters: min_length_ratio 4.0 is",
        ),
        ({"export": {"filters": {"dedupe": True}}}, "export -> filters -> dedupe: unknown key; valid keys here: min_"),
        ({"runs": {}}, "runs: unknown key; valid keys here: run, ingest, segment"),
    ],
)
def test_each_problem_names_its_path_and_the_fix(data: dict[str, object], expected: str) -> None:
    found = problems({**MINIMAL, **data})
    assert any(p.startswith(expected) for p in found), found


def test_a_key_of_another_backend_is_refused() -> None:
    found = problems({"ingest": {"name": "jsonl", "path": "x.jsonl", "sources": ["a"]}})
    assert found == ["ingest -> sources: unknown key; valid keys here: name, path, encoding"]


def test_missing_ingest_section_is_reported() -> None:
    assert problems({}) == ["ingest: required key is missing"]


def test_overrides_set_nested_values_as_yaml_scalars() -> None:
    data = config.apply_overrides(
        {"ingest": {"sources": ["a"]}}, ["translate.batch_size=4", "translate.device=cpu", "run.name=x"]
    )
    cfg = config.validate(data)
    assert (cfg.translate.batch_size, cfg.translate.device, cfg.run.name) == (4, "cpu", "x")


def test_override_without_equals_sign_is_an_error() -> None:
    with pytest.raises(ConfigError, match="expected KEY.SUB=VALUE"):
        config.parse_override("translate.batch_size")


def test_override_with_unknown_key_is_reported_like_any_unknown_key() -> None:
    data = config.apply_overrides(dict(MINIMAL), ["translate.beams=4"])
    assert problems(data)[0].startswith("translate -> beams: unknown key")


def test_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("ingest:\n  sources: [a\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        config.load(path)
    assert str(path) in str(info.value)
    assert "line" in info.value.problems[0]


def test_a_config_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping of sections"):
        config.load(path)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        config.load(tmp_path / "nope.yaml")


def test_run_name_defaults_to_the_config_file_stem() -> None:
    cfg = config.validate(MINIMAL)
    assert cfg.run_name(Path("configs/my-run.yaml")) == "my-run"
    assert problems({**MINIMAL, "run": {"name": "../escape"}})[0].startswith("run -> name:")
