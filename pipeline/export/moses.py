"""Moses-style parallel corpus: ``corpus.zh`` and ``corpus.en``, line i of one translating line i of the other.

Source-reference pairs go to ``corpus.zh`` / ``corpus.en``, source-machine-translation pairs to
``corpus.mt.zh`` / ``corpus.mt.en``, so a corpus of human translations never mixes in machine
output (``export.pairs`` says which are written). White space runs (tabs and line breaks included)
become one space, so each pair is one line. Lines are written as the pairs come.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import ExportSection
from pipeline.export.base import Sink
from pipeline.export.corpus import ORIGINS, CorpusExporter, one_line
from pipeline.export.rows import Pair
from pipeline.io import AtomicFile, commit_all

#: File stem of each origin's pair of files.
STEMS = {"reference": "corpus", "mt": "corpus.mt"}


class MosesSink(Sink):
    def __init__(self, run_dir: Path, origins: tuple[str, ...]) -> None:
        self.files: dict[tuple[str, str], AtomicFile] = {}
        try:
            for origin in origins:
                for lang in ("zh", "en"):
                    self.files[(origin, lang)] = AtomicFile(run_dir / f"{STEMS[origin]}.{lang}")
        except BaseException:
            self.discard()
            raise

    def add_pair(self, pair: Pair) -> None:
        self.files[(pair.origin, "zh")].write(one_line(pair.zh) + "\n")
        self.files[(pair.origin, "en")].write(one_line(pair.en) + "\n")

    def close(self) -> list[Path]:
        return commit_all(self.files.values())

    def discard(self) -> None:
        for file in self.files.values():
            file.discard()


class MosesExporter(CorpusExporter):
    def open(self, run_dir: Path, settings: ExportSection | None = None) -> Sink:
        return MosesSink(run_dir, ORIGINS[(settings or self.settings).pairs])
