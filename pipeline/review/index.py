"""The run's links and the review's decisions, waiting on disk while ``pipeline apply`` works.

A reviewed row is checked against digests of its link's identity columns (:data:`IDENTITY`), and the
decisions wait in the index until the corpus is written, so applying a review to a run of any size
holds SQLite's page cache, not the run's rows.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from pipeline.export.rows import LINK_COLUMNS, NO_DECISION, Decision, LinkKey, LinkRow

#: Columns a reviewed row must carry exactly as the run wrote them.
IDENTITY = ("src_ids", "ref_ids", "zh", "mt", "en")


def identity(values: Sequence[str]) -> bytes:
    """An 8-byte digest of each :data:`IDENTITY` column, so a mismatch can name its column."""
    return b"".join(hashlib.blake2b(v.encode("utf-8"), digest_size=8).digest() for v in values)


_IDENTITY_AT = [LINK_COLUMNS.index(c) for c in IDENTITY]


class RunIndex(Mapping[LinkKey, Decision]):
    """The run's links and the review's decisions in an SQLite file of the staging folder.

    A reviewed row is checked against the digests of its link's identity columns, and the decisions
    wait here until the corpus is written: ``pipeline apply`` on a run of a million links holds
    SQLite's page cache, not a million rows. As a mapping it gives the decision of a link (links
    without one are absent); the last one looked up is kept, since every origin asks for it in turn.
    """

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE links (doc TEXT, link INTEGER, identity BLOB, line INTEGER,
                                PRIMARY KEY (doc, link)) WITHOUT ROWID;
            CREATE TABLE decisions (doc TEXT, link INTEGER, status TEXT, zh_fixed TEXT, en_fixed TEXT,
                                    note TEXT, PRIMARY KEY (doc, link)) WITHOUT ROWID;
            """
        )
        self._last: tuple[LinkKey, Decision | None] | None = None

    def add_links(self, rows: Iterable[LinkRow]) -> None:
        entries = ((r.doc_id, r.link_id, identity([r.fields[i] for i in _IDENTITY_AT])) for r in rows)
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO links (doc, link, identity) VALUES (?, ?, ?)", entries)

    def link(self, key: LinkKey) -> tuple[bytes, int | None] | None:
        """The link's identity digests and the review line it was met on (None: not yet); None without the link."""
        found = self.db.execute("SELECT identity, line FROM links WHERE doc = ? AND link = ?", key).fetchone()
        return (found[0], found[1]) if found else None

    def links_in(self, doc_id: str) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM links WHERE doc = ?", (doc_id,)).fetchone()[0])

    def met_on(self, key: LinkKey, line: int) -> None:
        """Record that the review gives ``key`` on ``line`` (a second row for it is a problem)."""
        self.db.execute("UPDATE links SET line = ? WHERE doc = ? AND link = ?", (line, *key))

    def decide(self, key: LinkKey, decision: Decision) -> None:
        if decision != NO_DECISION:
            self.db.execute(
                "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?)",
                (*key, decision.status, decision.zh_fixed, decision.en_fixed, decision.note),
            )

    def notes(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM decisions WHERE note != ''").fetchone()[0])

    def __getitem__(self, key: LinkKey) -> Decision:
        if self._last is None or self._last[0] != key:
            found = self.db.execute(
                "SELECT status, zh_fixed, en_fixed, note FROM decisions WHERE doc = ? AND link = ?", key
            ).fetchone()
            self._last = (key, Decision(*found) if found else None)
        decision = self._last[1]
        if decision is None:
            raise KeyError(key)
        return decision

    def __iter__(self) -> Iterator[LinkKey]:
        return ((doc, link) for doc, link in self.db.execute("SELECT doc, link FROM decisions"))

    def __len__(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0])

    def close(self) -> None:
        self.db.close()
