"""What every segmenter shares: trimmed spans, line breaks, and spans of a library's output."""

from __future__ import annotations

import pytest

from pipeline.errors import StageError
from pipeline.segment.base import line_break_cuts, spans_from_pieces, trimmed_spans


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


@pytest.mark.parametrize(
    ("text", "pieces", "expected"),
    [
        ("He left.  She stayed.", ["He left. ", "She stayed."], [(0, 8), (10, 21)]),
        ("He left.\nShe stayed.", ["He left.", "She  stayed."], [(0, 8), (9, 20)]),  # spaces may change
        ("Hi.", ["", "Hi.", "  "], [(0, 3)]),  # empty pieces are dropped
    ],
)
def test_spans_from_pieces(text: str, pieces: list[str], expected: list[tuple[int, int]]) -> None:
    assert spans_from_pieces(text, pieces) == expected


def test_spans_from_pieces_refuses_changed_text() -> None:
    with pytest.raises(StageError, match="changed the text: expected 'X' at offset 0"):
        spans_from_pieces("He left.", ["Xe left."])


def test_spans_from_pieces_refuses_dropped_text() -> None:
    with pytest.raises(StageError, match="dropped text from offset 9"):
        spans_from_pieces("He left. Bye.", ["He left."])
