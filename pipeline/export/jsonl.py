"""``corpus.jsonl``: one JSON object a line per selected pair (fields in :meth:`Pair.record`)."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.export.corpus import CorpusExporter, Selection
from pipeline.io import atomic_write_lines


class JsonlExporter(CorpusExporter):
    filename = "corpus.jsonl"

    def write(self, selection: Selection, run_dir: Path) -> list[Path]:
        path = run_dir / self.filename
        # ensure_ascii=False keeps Chinese readable; json escapes line breaks, so one pair is one line
        atomic_write_lines(path, (json.dumps(p.record(), ensure_ascii=False) for p in selection.pairs))
        return [path]
