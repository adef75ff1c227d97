"""``corpus.parquet``: the selected pairs as one Parquet table, through pyarrow.

The columns are those of ``corpus.jsonl``, with a fixed schema so that an empty corpus has the same
columns; ``datasets.load_dataset("parquet", data_files=...)`` and pandas read it as it is. The
export settings (pairs, filters) are stored in the schema metadata under ``pipeline.export``.
pyarrow is imported only when this format is chosen (``pip install .[parquet]``).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from pipeline.config import ExportSection
from pipeline.errors import ConfigError
from pipeline.export.corpus import CorpusExporter, Selection
from pipeline.io import atomic_write_bytes


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


class ParquetExporter(CorpusExporter):
    filename = "corpus.parquet"

    def __init__(self, settings: ExportSection | None = None) -> None:
        super().__init__(settings)
        self._pa = _pyarrow()  # fail when the backends are built, before any work, if pyarrow is missing

    def write(self, selection: Selection, run_dir: Path) -> list[Path]:
        pa = self._pa
        table = pa.Table.from_pylist([p.record() for p in selection.pairs], schema=schema(pa))
        settings = {"pairs": selection.settings.pairs, "filters": selection.settings.filters.model_dump(mode="json")}
        table = table.replace_schema_metadata({"pipeline.export": json.dumps(settings)})
        buffer = io.BytesIO()
        pa.parquet.write_table(table, buffer)
        path = run_dir / self.filename
        atomic_write_bytes(path, buffer.getvalue())
        return [path]
