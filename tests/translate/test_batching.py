"""Token-budget batches: sorted longest first, bounded by sentences and by padded tokens."""

from __future__ import annotations

import pytest

from pipeline.translate.batching import token_batches


@pytest.mark.parametrize(
    ("lengths", "max_tokens", "batch_size", "expected"),
    [
        ([], 100, 4, []),
        # longest first; ties keep input order
        ([3, 9, 5, 9], None, 10, [[1, 3, 2, 0]]),
        # at most batch_size per batch
        ([1, 2, 3, 4, 5], None, 2, [[4, 3], [2, 1], [0]]),
        # padded size (count x longest) within the budget: 10+10 = 20, then 6*3 = 18 <= 20
        ([10, 6, 10, 6, 6, 4], 20, 100, [[0, 2], [1, 3, 4], [5]]),
        # an item longer than the budget gets a batch of its own
        ([50, 2, 2], 20, 100, [[0], [1, 2]]),
    ],
)
def test_token_batches(lengths: list[int], max_tokens: int | None, batch_size: int, expected: list[list[int]]) -> None:
    assert token_batches(lengths, max_tokens, batch_size) == expected


def test_every_index_is_in_exactly_one_batch() -> None:
    lengths = [(i * 37) % 23 + 1 for i in range(200)]
    batches = token_batches(lengths, 64, 16)
    assert sorted(i for b in batches for i in b) == list(range(200))
    assert all(len(b) <= 16 and len(b) * max(lengths[i] for i in b) <= 64 for b in batches if len(b) > 1)
