"""An exporter writes files for a finished run into the run folder and says which."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

from pipeline.config import ExportSection
from pipeline.records import AlignedDocument, ScoreResult


class Exporter(ABC):
    def __init__(self, settings: ExportSection | None = None) -> None:
        self.settings = settings or ExportSection()

    @abstractmethod
    def export(self, docs: Sequence[AlignedDocument], scores: ScoreResult, run_dir: Path) -> list[Path]:
        """Write this format's files (atomically) and return their paths."""
