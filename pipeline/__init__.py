"""pipeline: config-driven Chinese->English translation and alignment.

Importing this package loads neither torch nor transformers; backends import what they need
when a config chooses them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipeline.version import __version__

__all__ = ["__version__", "load_config", "run"]

if TYPE_CHECKING:
    from pathlib import Path

    from pipeline.config import Config
    from pipeline.runner import RunResult


def load_config(path: Path, overrides: list[str] | None = None) -> Config:
    """Read and validate a YAML run config (``overrides`` as ``KEY.SUB=VALUE`` strings)."""
    from pipeline.config import load

    return load(path, overrides or [])


def run(config: Config, config_path: Path | None = None, output: Path | None = None, **kwargs: Any) -> RunResult:
    """Run every stage of ``config`` and write the run folder."""
    from pipeline.runner import run as _run

    return _run(config, config_path, output, **kwargs)
