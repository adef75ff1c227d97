"""The repetition guard, on real looping outputs and on real outputs that merely look odd."""

from __future__ import annotations

import pytest

from pipeline.config import RepetitionGuard
from pipeline.translate.guard import longest_repeat, repetition_problem

GUARD = RepetitionGuard()


@pytest.mark.parametrize(
    ("source", "output", "expected"),
    [
        ("今天天气很好。", "The weather is fine today.", None),
        # short sources translate long; within the allowance
        ("没试过", "I have never tried this before", None),
        # punctuation runs are real (WMT22 systems)
        ("这家摄影工作室真的很棒！！！！！", "This photography studio is really great!!!!!!!!!!", None),
        ("我不知道你在说什么……", "I don't know what you are talking about......", None),
        ("是的，我不能，我不能，我不能阻止你。", "Yeah, I can't, I can't, I can't stop you.", None),
        # the opus-mt loop: an n-gram back to back
        ("随机挑选三个热搜：二月二", "Hot searches: February, February, February, February, February", "repeats"),
        ("他说", "he said the the the the", "repeats"),
        # far too long for its source
        ("好。", "Good. " + "And then it went on. " * 6, "length"),
    ],
)
def test_repetition_problem(source: str, output: str, expected: str | None) -> None:
    assert repetition_problem(source, output, GUARD) == expected


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        ([], 1),
        (["a", "b", "c"], 1),
        (["a", "a", "a"], 3),
        (["x", "of", "it", "of", "it", "of", "it", "y"], 3),
        (["!", "!", "!", "!"], 1),  # no word in the n-gram: not counted
    ],
)
def test_longest_repeat(tokens: list[str], expected: int) -> None:
    assert longest_repeat(tokens) == expected


def test_thresholds_are_settings() -> None:
    strict = RepetitionGuard(max_repeats=1)
    assert repetition_problem("他说", "he said it it", strict) == "repeats"
    assert repetition_problem("他说", "he said it it", GUARD) is None
