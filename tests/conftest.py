"""Shared fixtures. No test touches the network: the hub is forced offline for the whole session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from projects import copy_project

# Set before transformers / huggingface_hub are imported by any test module.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
# The export builders and the in-memory oracle (tests/export/) serve the report and review tests too.
sys.path.append(str(ROOT / "tests" / "export"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def seed_files() -> tuple[Path, Path]:
    return ROOT / "examples/seed/covid-cooperation.zh.txt", ROOT / "examples/seed/covid-cooperation.en.txt"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny random-weight MarianMT model, built once per test session."""
    from pipeline.translate.tiny import build_tiny

    return build_tiny(tmp_path_factory.mktemp("models") / "tiny-marian")


@pytest.fixture(scope="session")
def lexicon_store() -> Path:
    """The aligner's dictionary, built once into the project's model store (as a first run does)."""
    from pipeline.align import lexicon

    lexicon.load(ROOT / "models")
    return ROOT / "models" / "lexicon"


@pytest.fixture
def project_copy(tmp_path: Path, lexicon_store: Path) -> Path:
    """A working directory holding the project's configs and examples, as a user's checkout would."""
    return copy_project(tmp_path, lexicon_store)
