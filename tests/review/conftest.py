"""Export fixtures: run folders written without a model, and one real run on the tiny model."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from export_builders import NASTY_EN, NASTY_ZH, SAMPLE, aligned_document, write_run

from pipeline import config as config_module


@pytest.fixture
def sample_run(tmp_path: Path) -> Callable[..., Path]:
    """``sample_run(export={...})``: a run folder of :data:`SAMPLE` plus a second document."""

    def make(export: dict[str, Any] | None = None) -> Path:
        docs = [aligned_document("a", SAMPLE), aligned_document("b", SAMPLE[:2])]
        return write_run(tmp_path / "run", docs, export)

    return make


@pytest.fixture(scope="session")
def real_run(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path, seed_files: tuple[Path, Path]) -> Path:
    """A real run (tiny model) over the seed article and a document with markup in it, every format on.
    Session-scoped: tests that change it work on a copy (:func:`copy_run`)."""
    from pipeline import runner

    inputs = tmp_path_factory.mktemp("inputs")
    for source in seed_files:
        shutil.copy(source, inputs / source.name)
    (inputs / "markup.zh.txt").write_text(f"{NASTY_ZH}\n第二段。\n", encoding="utf-8")
    (inputs / "markup.en.txt").write_text(f"{NASTY_EN}\nThe second paragraph.\n", encoding="utf-8")
    cfg = config_module.validate(
        {
            "ingest": {"sources": [str(inputs / "*.zh.txt")], "references": [str(inputs / "*.en.txt")]},
            "translate": {"model": str(tiny_model), "progress": False, "device": "cpu"},
            "export": {"formats": ["tsv", "moses", "jsonl", "parquet", "tmx", "review"], "pairs": "both"},
        }
    )
    out = tmp_path_factory.mktemp("real") / "real-run"
    runner.run(cfg, None, out)
    return out


@pytest.fixture
def copy_run(real_run: Path, tmp_path: Path) -> Path:
    """A private copy of :func:`real_run` to apply reviews to."""
    return Path(shutil.copytree(real_run, tmp_path / real_run.name))
