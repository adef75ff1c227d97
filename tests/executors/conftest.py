"""The offline demo over several shards: the seed article cut into six documents, on the tiny model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import Config, validate

#: Paragraphs of the seed article per document, and documents per shard: six documents, three shards.
PARAGRAPHS = 4
SHARD_DOCUMENTS = 2


@pytest.fixture(scope="session")
def seed_documents(tmp_path_factory: pytest.TempPathFactory, seed_files: tuple[Path, Path]) -> Path:
    """The seed article (24 paragraphs a side) as six document pairs ``dN.zh.txt`` / ``dN.en.txt``."""
    folder = tmp_path_factory.mktemp("seed-documents")
    for path, lang in zip(seed_files, ("zh", "en"), strict=True):
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, start in enumerate(range(0, len(lines), PARAGRAPHS)):
            text = "\n".join(lines[start : start + PARAGRAPHS]) + "\n"
            (folder / f"d{n}.{lang}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def demo_config(seed_documents: Path, tiny_model: Path) -> Callable[..., Config]:
    """configs/offline-demo.yaml on the six documents: greedy, short outputs, one thread; ``executor`` as given."""

    def build(executor: Any = "local", **sections: dict[str, Any]) -> Config:
        data: dict[str, Any] = {
            "run": {"name": "demo", "shard_documents": SHARD_DOCUMENTS},
            "ingest": {
                "name": "text",
                "sources": [str(seed_documents / "*.zh.txt")],
                "references": [str(seed_documents / "*.en.txt")],
            },
            "translate": {
                "name": "marian",
                "model": str(tiny_model),
                "device": "cpu",
                "threads": 1,
                "num_beams": 1,
                "max_new_tokens": 8,
                "progress": False,
            },
            "score": {"metrics": ["bleu", "chrf"], "bootstrap": 0},
            "export": {"formats": ["tsv", "moses", "review"]},
            "executor": executor,
        }
        for name, values in sections.items():
            data[name] = {**data.get(name, {}), **values}
        return validate(data)

    return build
