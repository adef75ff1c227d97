"""``corpus.parquet``: the selected pairs as one Parquet table, through pyarrow.

The columns are those of ``corpus.jsonl``, with a fixed schema so that an empty corpus has the same
columns; ``datasets.load_dataset("parquet", data_files=...)`` and pandas read it as it is. The
export settings (pairs, filters) are stored in the schema metadata under ``pipeline.export``.
pyarrow is imported only when this format is chosen (``pip install .[parquet]``).

Pairs are written as they come, in row groups of :data:`ROW_GROUP` pairs, so only one row group is
held in memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.config import ExportSection
from pipeline.errors import ConfigError
from pipeline.export.base import Sink
from pipeline.export.corpus import CorpusExporter
from pipeline.export.rows import Pair
from pipeline.io import AtomicFile

#: Pairs per row group: a few MB of text, and the unit a reader can skip or read alone.
ROW_GROUP = 10_000


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # the submodule is not loaded by `import pyarrow`
    except ImportError:
        raise ConfigError(
            ["export -> formats: 'parquet' needs pyarrow; install it with: pip install '.[parquet]'"]
        ) from None
    return pyarrow


def schema(pa: Any) -> Any:
    text, floats, ints = pa.string(), pa.float64(), pa.list_(pa.int64())
    return pa.schema(
        [
            ("id", text),
            ("doc_id", text),
            ("link_id", pa.int64()),
            ("origin", text),
            ("zh", text),
            ("en", text),
            ("src_ids", ints),
            ("ref_ids", ints),
            ("link_type", text),
            ("align_score", floats),
            ("chrf", floats),
            ("bleu", floats),
            ("flags", pa.list_(text)),
            ("status", text),
            ("note", text),
        ]
    )


class ParquetSink(Sink):
    def __init__(self, pa: Any, path: Path, settings: ExportSection) -> None:
        described = {"pairs": settings.pairs, "filters": settings.filters.model_dump(mode="json")}
        self.pa = pa
        self.schema = schema(pa).with_metadata({"pipeline.export": json.dumps(described)})
        self.file = AtomicFile(path, binary=True)
        self.writer: Any = None
        self.batch: list[dict[str, Any]] = []

    def add_pair(self, pair: Pair) -> None:
        self.batch.append(pair.record())
        if len(self.batch) >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        table = self.pa.Table.from_pylist(self.batch, schema=self.schema)
        if self.writer is None:
            self.writer = self.pa.parquet.ParquetWriter(self.file.handle, self.schema)
        self.writer.write_table(table)
        self.batch = []

    def close(self) -> list[Path]:
        try:
            if self.batch or self.writer is None:
                self._flush()  # an empty corpus is still a table with the columns
            self.writer.close()
        except BaseException:
            self.discard()
            raise
        return [self.file.commit()]

    def discard(self) -> None:
        if self.writer is not None and self.writer.is_open:
            self.writer.close()
        self.file.discard()


class ParquetExporter(CorpusExporter):
    filename = "corpus.parquet"

    def __init__(self, settings: ExportSection | None = None) -> None:
        super().__init__(settings)
        self._pa = _pyarrow()  # fail when the backends are built, before any work, if pyarrow is missing

    def open(self, run_dir: Path, settings: ExportSection | None = None) -> Sink:
        return ParquetSink(self._pa, run_dir / self.filename, settings or self.settings)
