"""What every segmenter shares: trimmed spans and line breaks."""

from __future__ import annotations

import pytest

from pipeline.segment.base import line_break_cuts, trimmed_spans


@pytest.mark.parametrize(
    ("text", "cuts", "expected"),
    [
        ("ab。 cd。", [4], [(0, 3), (4, 7)]),
        ("  ab  ", [], [(2, 4)]),
        ("ab。   ", [3], [(0, 3)]),
        ("", [], []),
    ],
)
def test_trimmed_spans(text: str, cuts: list[int], expected: list[tuple[int, int]]) -> None:
    assert trimmed_spans(text, cuts) == expected


def test_line_break_cuts_after_every_kind_of_line_end() -> None:
    assert line_break_cuts("a\nb\r\nc\u2028d") == [2, 4, 5, 7]
