"""The translation cache: finished translations of a run, kept in SQLite in the run's cache folder.

Rows are keyed by the translator's identity (model version, decoding settings, repetition guard:
everything that changes an output) and the exact source text the model was given. The translator
commits after every batch, in WAL mode, so a run that is killed loses at most the batch in flight,
and a rerun (or a run after a crash) sends to the model only what is missing.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.errors import StageError
from pipeline.records import Translation

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identities (
    hash TEXT PRIMARY KEY, identity TEXT NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS translations (
    identity TEXT NOT NULL,
    source TEXT NOT NULL,
    translation TEXT NOT NULL,
    flags TEXT NOT NULL,
    PRIMARY KEY (identity, source)
) WITHOUT ROWID;
"""
#: SQLite's default limit on host parameters is 999 in old builds; stay well under it.
_CHUNK = 500


class TranslationCache:
    """Translations of one translator identity in the SQLite file at ``path``."""

    def __init__(self, path: Path, identity: str, exclusive: bool = False) -> None:
        """``exclusive``: this connection is the file's only user (a Ray actor's per-shard cache). It then
        holds SQLite's lock until closed and keeps the WAL index in its own memory instead of a shared
        ``-shm`` file, which network file systems do not support."""
        self.path = path
        self.identity = identity
        self.key = hashlib.sha256(identity.encode("utf-8")).hexdigest()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, isolation_level=None)
            if exclusive:  # must precede the first access in WAL mode, or SQLite uses shared memory
                self._db.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # durable against a killed process, which is the point
            self._db.executescript(_SCHEMA)
            self._check_schema()
            self._db.execute("INSERT OR IGNORE INTO identities VALUES (?, ?, ?)", (self.key, identity, time.time()))
        except sqlite3.DatabaseError as exc:
            raise StageError(f"translation cache {path}: {exc}; delete the file to start the cache afresh") from None

    def _check_schema(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {row[0]}, expected {SCHEMA_VERSION}")

    def get(self, sources: Sequence[str]) -> dict[str, Translation]:
        """The cached translations among ``sources``, by source text."""
        found: dict[str, Translation] = {}
        for start in range(0, len(sources), _CHUNK):
            chunk = list(sources[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT source, translation, flags FROM translations WHERE identity = ? AND source IN ({marks})",
                [self.key, *chunk],
            )
            for source, text, flags in rows:
                found[source] = Translation(text, tuple(f for f in flags.split(",") if f))
        return found

    def put(self, items: Iterable[tuple[str, Translation]]) -> None:
        """Store translations in one transaction (all or nothing)."""
        rows = [(self.key, source, t.text, ",".join(t.flags)) for source, t in items]
        with self._db:  # the context manager needs an open transaction in autocommit mode
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?)", rows)

    def __len__(self) -> int:
        row = self._db.execute("SELECT COUNT(*) FROM translations WHERE identity = ?", (self.key,)).fetchone()
        return int(row[0])

    def close(self) -> None:
        self._db.close()
