"""What sacrebleu shows of a bootstrap interval, read through its public ``format``."""

from __future__ import annotations

import re
from typing import Any

DIGITS = 10
_INTERVAL = re.compile(r"\(μ = (-?[\d.]+) ± (-?[\d.]+)\)")


def interval(score: Any) -> tuple[float, float]:
    """(mean, half-width) as sacrebleu prints them, with ``DIGITS`` decimals."""
    found = _INTERVAL.search(score.format(width=DIGITS))
    assert found, f"no interval in {score.format(width=DIGITS)!r}"
    return float(found.group(1)), float(found.group(2))


def rounded(mean: float, half_width: float) -> tuple[float, float]:
    """Ours, rounded as :func:`interval` reads sacrebleu's."""
    return round(mean, DIGITS), round(half_width, DIGITS)
