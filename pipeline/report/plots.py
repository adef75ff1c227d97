"""The report's plots, rendered once at build time as inline SVG (matplotlib, no display needed).

Figures are made with matplotlib's object API (``Figure``, not ``pyplot``), so no global backend
is chosen and nothing opens a window; matplotlib is imported only when a report is written.
Output is deterministic (fixed SVG id salt, no date), so rebuilding a report gives the same file.
Scatter points are rasterised inside the SVG, which keeps a plot of many links small.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Link types in the order people read them; others follow by count.
LINK_TYPE_ORDER = ("1-1", "1-2", "2-1", "2-2", "1-3", "3-1", "1-0", "0-1")

_STYLE = {
    "svg.hashsalt": "pipeline-report",
    "svg.fonttype": "none",  # text stays text: smaller, selectable, and scaled by the browser
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _figure() -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(5.2, 3.4), layout="constrained")


def _whole_numbers(axes: Axes) -> None:
    """Counts get whole-number ticks (no 0.2 links on a small run)."""
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def to_svg(figure: Figure) -> str:
    """The figure as an ``<svg>`` element to inline in HTML (the XML prolog and doctype removed)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


#: Edges of the sentence chrF histogram's bins: 0-5, 5-10, ..., 95-100 (100 in the last bin).
CHRF_EDGES = tuple(range(0, 105, 5))


def chrf_counts(values: Sequence[float]) -> list[int]:
    """How many values fall in each bin of :data:`CHRF_EDGES` (NumPy's rule, as ``hist`` counts them);
    counts of parts of a run add up to the counts of the whole."""
    import numpy as np

    counts, _ = np.histogram(list(values), bins=list(CHRF_EDGES))
    return [int(c) for c in counts]


def chrf_histogram_of_counts(counts: Sequence[int]) -> str:
    """The same histogram drawn from its bin counts (:func:`chrf_counts`), so a run need not keep every value."""
    if not any(counts):
        return ""
    import matplotlib

    edges = list(CHRF_EDGES)
    with matplotlib.rc_context(_STYLE):
        figure = _figure()
        axes = figure.subplots()
        # One weighted value per bin draws exactly the bars the values themselves would.
        axes.hist(edges[:-1], bins=edges, weights=list(counts), color="#4c72b0", edgecolor="white")
        axes.set_xlim(0, 100)
        axes.set_xlabel("sentence chrF")
        axes.set_ylabel("links")
        _whole_numbers(axes)
        return to_svg(figure)


def length_scatter(points: Sequence[tuple[int, int, float]]) -> str:
    """Source length (characters) against reference length, one dot per link, coloured by confidence."""
    if not points:
        return ""
    import matplotlib

    with matplotlib.rc_context(_STYLE):
        figure = _figure()
        axes = figure.subplots()
        xs, ys, cs = zip(*points, strict=True)
        dots = axes.scatter(xs, ys, c=cs, cmap="viridis", vmin=0.0, vmax=1.0, s=12, alpha=0.8, rasterized=True)
        axes.set_xlabel("Chinese characters")
        axes.set_ylabel("reference characters")
        figure.colorbar(dots, ax=axes, label="alignment confidence")
        return to_svg(figure)


def link_type_bars(counts: Mapping[str, int]) -> str:
    """Bar chart of link types (1-1, 1-2, ...), in reading order."""
    if not counts:
        return ""
    import matplotlib

    names = [t for t in LINK_TYPE_ORDER if t in counts] + sorted(t for t in counts if t not in LINK_TYPE_ORDER)
    with matplotlib.rc_context(_STYLE):
        figure = _figure()
        axes = figure.subplots()
        # Positions, not the names: matplotlib would read "1-2" as a date and say so on the console.
        positions = list(range(len(names)))
        bars = axes.bar(positions, [counts[n] for n in names], color="#55a868")
        axes.set_xticks(positions, names)
        axes.bar_label(bars)
        axes.set_xlabel("link type (source-reference sentences)")
        axes.set_ylabel("links")
        _whole_numbers(axes)
        return to_svg(figure)
