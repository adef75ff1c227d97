"""An exporter writes files for a finished run into the run folder and says which.

Exporters write while the run's links stream past, one document at a time (:mod:`pipeline.export.stream`):
each opens a :class:`Sink` that receives every link in order (with the corpus filters' verdict on it)
or, for corpus formats, every selected pair, origin after origin, and whose files appear, atomically,
when it is closed. Nothing of the run is held by a sink beyond what its own format needs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Union

from pipeline.config import ExportSection
from pipeline.export.rows import LinkRow, Pair

#: What the corpus filters decided about one link, for each origin: the pair written, or why not.
Verdict = Mapping[str, Union["Pair", str]]


class Sink(ABC):
    """One format's files being written; :meth:`close` puts them in place, :meth:`discard` drops them."""

    def add_link(self, row: LinkRow, verdict: Verdict) -> None:
        """The next link of the run (``verdict`` is empty when no format asked for the corpus filters)."""

    def add_pair(self, pair: Pair) -> None:
        """The next selected pair: all pairs of the first origin, then those of the next."""

    @abstractmethod
    def close(self) -> list[Path]:
        """Finish the files, move them into place and return their paths."""

    @abstractmethod
    def discard(self) -> None:
        """Remove whatever was written (the run failed)."""


class Exporter(ABC):
    #: True when the format needs the corpus filters' verdict on each link (corpus formats, the review page).
    judged = False

    def __init__(self, settings: ExportSection | None = None) -> None:
        self.settings = settings or ExportSection()

    @abstractmethod
    def open(self, run_dir: Path, settings: ExportSection | None = None) -> Sink:
        """Start writing this format's files into ``run_dir`` (``settings``: the export settings they
        describe, this exporter's own by default)."""

    def environment(self) -> str:
        """What besides the run and its settings changes this format's files (part of the export's stage
        key, so that a change writes them again); empty for most formats."""
        return ""
