"""``corpus.jsonl``: one JSON object a line per selected pair (fields in :meth:`Pair.record`), written as they come."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.config import ExportSection
from pipeline.export.base import Sink
from pipeline.export.corpus import CorpusExporter
from pipeline.export.rows import Pair
from pipeline.io import AtomicFile


class JsonlSink(Sink):
    def __init__(self, path: Path) -> None:
        self.file = AtomicFile(path)

    def add_pair(self, pair: Pair) -> None:
        # ensure_ascii=False keeps Chinese readable; json escapes line breaks, so one pair is one line
        self.file.write(json.dumps(pair.record(), ensure_ascii=False) + "\n")

    def close(self) -> list[Path]:
        return [self.file.commit()]

    def discard(self) -> None:
        self.file.discard()


class JsonlExporter(CorpusExporter):
    filename = "corpus.jsonl"

    def open(self, run_dir: Path, settings: ExportSection | None = None) -> Sink:
        return JsonlSink(run_dir / self.filename)
