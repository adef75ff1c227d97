"""Stage results on disk, each under a key made of its inputs' hashes and its own settings.

A stage result is a JSON-lines file of records at ``<run>/stages/<stage>/<key>.jsonl``, written
atomically: it exists whole or not at all, so its existence is the completion marker, and a
crashed run never leaves a half-written result that a later run would trust. A later run with the
same inputs and settings computes the same key and reads the result instead of redoing the work;
a changed setting changes the key of that stage and of every stage after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pipeline.io import atomic_write_text
from pipeline.serialize import dumps, loads

T = TypeVar("T")


def stage_key(*parts: Any) -> str:
    """A stable key from JSON-able parts (hashes, signatures, settings)."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class StageStore:
    """Stage results of one run folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, stage: str, key: str) -> Path:
        return self.root / stage / f"{key}.jsonl"

    def has(self, stage: str, key: str) -> bool:
        return self.path(stage, key).is_file()

    def write(self, stage: str, key: str, records: Iterable[Any]) -> Path:
        return self.write_text(stage, key, "".join(dumps(r) + "\n" for r in records))

    def write_text(self, stage: str, key: str, lines: str) -> Path:
        """Store already serialised records (one JSON object a line)."""
        path = self.path(stage, key)
        atomic_write_text(path, lines)
        return path

    def read(self, stage: str, key: str, kind: type[T]) -> Iterator[T]:
        with self.path(stage, key).open(encoding="utf-8") as handle:
            for line in handle:
                yield loads(kind, line)

    def prune(self, stage: str, keep: set[str]) -> int:
        """Delete a stage's results that the current run does not use; returns how many."""
        folder = self.root / stage
        removed = 0
        for path in folder.glob("*.jsonl") if folder.is_dir() else ():
            if path.stem not in keep:
                path.unlink()
                removed += 1
        return removed
