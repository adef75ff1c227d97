"""Moses-style parallel corpus: ``corpus.zh`` and ``corpus.en``, line i of one translating line i of the other.

Only links with a source and a reference side are written: a corpus of human translations never
mixes in machine output. White space runs (tabs included) become one space, so each pair is one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.export.base import Exporter
from pipeline.io import atomic_write_lines
from pipeline.records import AlignedDocument, ScoreResult


def one_line(text: str) -> str:
    return " ".join(text.split())


class MosesExporter(Exporter):
    def export(self, docs: Sequence[AlignedDocument], scores: ScoreResult, run_dir: Path) -> list[Path]:
        zh: list[str] = []
        en: list[str] = []
        for doc in docs:
            for link in doc.links:
                if link.src and link.ref:
                    zh.append(one_line(doc.source_text(link)))
                    en.append(one_line(doc.reference_text(link)))
        paths = [run_dir / "corpus.zh", run_dir / "corpus.en"]
        atomic_write_lines(paths[0], zh)
        atomic_write_lines(paths[1], en)
        return paths
