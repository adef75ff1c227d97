"""The report's plots are inline SVG, and drawing them says nothing on the console."""

from __future__ import annotations

import logging
import re

import pytest

from pipeline.report.plots import chrf_counts, chrf_histogram_of_counts, length_scatter, link_type_bars


def test_link_type_bars_label_every_type_in_reading_order() -> None:
    svg = link_type_bars({"2-1": 3, "1-1": 40, "0-1": 1, "1-2": 7})
    assert "<svg" in svg
    assert re.findall(r">(\d-\d)<", svg) == ["1-1", "1-2", "2-1", "0-1"]
    assert link_type_bars({}) == ""


def test_drawing_the_plots_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    # "1-2" parses as a date: drawn as category names, matplotlib would log that it treats them as such.
    with caplog.at_level(logging.DEBUG, logger="matplotlib"):
        link_type_bars({"1-1": 5, "1-2": 2, "2-1": 1})
        chrf_histogram_of_counts(chrf_counts([10.0, 55.5, 70.0]))
        length_scatter([(10, 30, 0.9), (20, 50, 0.4)])
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == []
