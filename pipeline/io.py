"""Small file helpers shared by all stages: atomic writes and content hashes."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_folder(folder: Path) -> str:
    """Hash of a folder's files (relative names and contents), independent of file order on disk."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(sha256_file(path).encode("ascii") + b"\n")
    return digest.hexdigest()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename, so no reader ever sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600 files; outputs are for sharing
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


class AtomicFile:
    """A file written piece by piece that appears at ``path`` whole or not at all.

    The pieces go to a temporary file beside ``path``; :meth:`commit` flushes it to disk and renames it
    into place, :meth:`discard` removes it. Text is UTF-8 with line ends written as given.
    """

    def __init__(self, path: Path, binary: bool = False) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self._tmp = Path(tmp)
        try:
            os.fchmod(fd, 0o666 & ~_umask())
            self.handle: Any = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        except BaseException:
            os.close(fd)
            self._tmp.unlink(missing_ok=True)
            raise

    def write(self, data: Any) -> None:
        self.handle.write(data)

    def commit(self) -> Path:
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.replace(self._tmp, self.path)
        except BaseException:
            self.discard()
            raise
        return self.path

    def discard(self) -> None:
        if not self.handle.closed:
            self.handle.close()
        self._tmp.unlink(missing_ok=True)


def commit_all(files: Iterable[AtomicFile]) -> list[Path]:
    """Commit every file; if one fails, the ones not yet committed are discarded."""
    pending = list(files)
    done: list[Path] = []
    try:
        while pending:
            done.append(pending[0].commit())
            pending.pop(0)
    except BaseException:
        for file in pending:
            file.discard()
        raise
    return done


def spill_file(folder: Path | None = None) -> IO[str]:
    """A temporary text file for what a streamed output keeps until it is finished; it disappears when
    closed (its owner closes it) or when the process ends. In ``folder``, or in memory when None."""
    if folder is None:
        return io.StringIO()
    return tempfile.TemporaryFile("w+", encoding="utf-8", dir=folder)
