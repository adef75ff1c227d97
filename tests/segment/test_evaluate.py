"""Boundary precision/recall/F1: offsets in non-space characters, paragraph breaks not scored."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.segment.base import trimmed_spans
from pipeline.segment.evaluate import (
    BoundaryCounts,
    compare,
    gold_boundaries,
    read_gold,
    score_paragraphs,
    span_boundaries,
)


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        (["甲乙。", "丙。"], {3}),
        (["It rained.", "Then it stopped."], {9}),  # "Itrained." has nine visible characters
        (["One."], set()),
        (["a b", "c", "d e"], {2, 3}),
    ],
)
def test_gold_boundaries_count_visible_characters(sentences: list[str], expected: set[int]) -> None:
    assert gold_boundaries(sentences) == expected


def test_span_boundaries_ignore_white_space_and_the_text_end() -> None:
    text = "It rained.  Then it stopped. "
    assert span_boundaries(text, [(0, 10), (12, 28)]) == {9}
    assert span_boundaries(text, trimmed_spans(text, [10, 29])) == {9}
    assert span_boundaries(text, [(0, 28)]) == set()


def test_counts_give_precision_recall_and_f1() -> None:
    counts = compare(gold={3, 7, 12}, found={3, 7, 9, 20})
    assert counts == BoundaryCounts(hits=2, extra=2, missed=1)
    assert counts.precision == pytest.approx(0.5)
    assert counts.recall == pytest.approx(2 / 3)
    assert counts.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert BoundaryCounts(1, 0, 0) + BoundaryCounts(0, 1, 2) == BoundaryCounts(1, 1, 2)


def test_nothing_to_find_and_nothing_found_is_perfect() -> None:
    empty = BoundaryCounts()
    assert (empty.precision, empty.recall, empty.f1) == (1.0, 1.0, 1.0)


def test_score_joins_without_separator_for_chinese_and_with_a_space_for_english() -> None:
    seen: list[str] = []

    def one_sentence(text: str) -> list[tuple[int, int]]:
        seen.append(text)
        return [(0, len(text))]

    zh = score_paragraphs([["甲。", "乙。"]], "zh", one_sentence)
    en = score_paragraphs([["A.", "B."]], "en", one_sentence)
    assert seen == ["甲。乙。", "A. B."]
    assert zh == en == BoundaryCounts(hits=0, extra=0, missed=1)


def test_read_gold_blank_lines_end_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "g.sents"
    path.write_text("甲。\n乙。\n\n\n丙\n", encoding="utf-8")
    assert read_gold(path) == [["甲。", "乙。"], ["丙"]]


def test_read_gold_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nothing.sents: cannot read gold file"):
        read_gold(tmp_path / "nothing.sents")
