"""Plans for long sentences: clauses first, windows where no clause boundary helps."""

from __future__ import annotations

import pytest

from pipeline.config import LongSentences
from pipeline.records import Translation
from pipeline.translate.pieces import Plan, plan, windows


def cost(text: str) -> int:
    return len(text) + 1  # characters plus an end-of-sentence token


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abcdefghij", 5, ["abcd", "efgh", "ij"]),
        # a window prefers to end after a space or a mark in its last quarter
        ("abc defghij", 6, ["abc ", "defgh", "ij"]),
        ("一二三四。五六七八九十", 6, ["一二三四。", "五六七八九", "十"]),
        ("short", 10, ["short"]),
    ],
)
def test_windows_fit_and_are_lossless(text: str, limit: int, expected: list[str]) -> None:
    out = windows(text, cost, limit)
    assert out == expected
    assert "".join(out) == text and all(cost(w) <= limit for w in out)


@pytest.mark.parametrize(
    ("text", "max_input_tokens", "long_sentences", "segments", "flags"),
    [
        ("一二三。", 5, "clauses", ("一二三。",), ()),
        ("一二三，四五六。", 6, "clauses", ("一二三，", "四五六。"), ("clause-split",)),
        ("一二三，四五六。", 6, "windows", ("一二三，", "四五六。"), ("windowed",)),
        ("一二三四五六七八", 6, "clauses", ("一二三四五", "六七八"), ("windowed",)),
        # pieces are stripped of the spaces around them
        ("alpha beta, gamma delta", 14, "clauses", ("alpha beta,", "gamma delta"), ("clause-split",)),
    ],
)
def test_plan(
    text: str, max_input_tokens: int, long_sentences: LongSentences, segments: tuple[str, ...], flags: tuple[str, ...]
) -> None:
    assert plan(text, cost, max_input_tokens, long_sentences) == Plan(segments, flags)


def test_join_rejoins_pieces_and_carries_their_flags() -> None:
    p = Plan(("甲，", "乙。"), ("clause-split",))
    done = {"甲，": Translation("A,"), "乙。": Translation("B.", ("repetition", "retried"))}
    assert p.join(done) == Translation("A, B.", ("clause-split", "repetition", "retried"))
