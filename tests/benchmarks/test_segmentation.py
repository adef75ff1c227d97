"""The segmentation benchmark reads a library's sentences back as spans of the text it was given."""

from __future__ import annotations

import pytest

from benchmarks.segmentation import spans_from_pieces
from pipeline.errors import StageError


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
