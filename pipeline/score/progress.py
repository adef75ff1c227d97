"""Progress of long scoring work: a tqdm bar on standard error, or nothing.

The library never decides to draw a bar: its caller does (``pipeline score`` shows one only when
standard error is a terminal and ``-q`` is not given), because a log file or a pipe would receive
every redraw. A hidden bar imports nothing and costs nothing per step.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from tqdm import tqdm

T = TypeVar("T")


class Progress:
    """One bar of ``total`` steps, drawn only when ``shown``; use it as a context manager."""

    def __init__(self, total: int, desc: str, unit: str, shown: bool = False) -> None:
        self._bar: tqdm | None = None
        self._label = ""
        if shown:
            from tqdm import tqdm

            # leave=False: the results printed after the bar are what should stay on the screen.
            self._bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True)

    def counted(self, items: Iterable[T]) -> Iterator[T]:
        """The items, one step counted as the consumer comes back for the next (when the last is done)."""
        bar = self._bar
        if bar is None:
            yield from items
            return
        for item in items:
            yield item
            bar.update(1)

    def step(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    @property
    def done(self) -> float:
        """Steps counted so far (0 when the bar is not shown)."""
        return self._bar.n if self._bar is not None else 0

    def note(self, text: str) -> None:
        """What is being worked on now, shown after the counts (e.g. ``NiuTrans: chrf``)."""
        if self._bar is not None:
            self._bar.set_postfix_str(f"{self._label}: {text}" if self._label else text, refresh=False)

    def labelled(self, label: str) -> Progress:
        """The same bar, its notes prefixed with ``label`` (the part of the work they belong to)."""
        view = copy.copy(self)
        view._label = label
        return view

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
