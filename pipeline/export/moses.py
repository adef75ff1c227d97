"""Moses-style parallel corpus: ``corpus.zh`` and ``corpus.en``, line i of one translating line i of the other.

Source-reference pairs go to ``corpus.zh`` / ``corpus.en``, source-machine-translation pairs to
``corpus.mt.zh`` / ``corpus.mt.en``, so a corpus of human translations never mixes in machine
output (``export.pairs`` says which are written). White space runs (tabs and line breaks included)
become one space, so each pair is one line.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.export.corpus import CorpusExporter, Selection, one_line
from pipeline.io import atomic_write_lines

#: File stem of each origin's pair of files.
STEMS = {"reference": "corpus", "mt": "corpus.mt"}


class MosesExporter(CorpusExporter):
    def write(self, selection: Selection, run_dir: Path) -> list[Path]:
        paths: list[Path] = []
        for origin in selection.counts:
            pairs = selection.of(origin)
            zh, en = run_dir / f"{STEMS[origin]}.zh", run_dir / f"{STEMS[origin]}.en"
            atomic_write_lines(zh, (one_line(p.zh) for p in pairs))
            atomic_write_lines(en, (one_line(p.en) for p in pairs))
            paths += [zh, en]
        return paths
