"""Batches by token budget: sort by length, then fill each batch until its padded size would exceed the budget."""

from __future__ import annotations

from collections.abc import Sequence


def token_batches(lengths: Sequence[int], max_tokens: int | None, batch_size: int) -> list[list[int]]:
    """Group indices of ``lengths`` into batches, longest first.

    A batch holds at most ``batch_size`` items and, padded to its longest item, at most
    ``max_tokens`` tokens (no budget when None). An item longer than the budget gets a batch of its
    own. Sorting makes items of a batch about equally long, so little compute goes to padding;
    longest first makes the first batch the largest in memory, so a budget that is too large fails
    at once rather than at the end. Ties keep input order, so batches are deterministic.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        width = max(longest, lengths[i])
        full = len(current) >= batch_size or (max_tokens is not None and width * (len(current) + 1) > max_tokens)
        if current and full:
            batches.append(current)
            current, width = [], lengths[i]
        current.append(i)
        longest = width
    if current:
        batches.append(current)
    return batches
