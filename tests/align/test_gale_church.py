"""The gale-church backend: links from sentence lengths alone."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.align.gale_church import GaleChurchAligner, length_cost
from pipeline.config import GaleChurchSettings

ZH = ["短句。", "这是一个中等长度的句子。", "这是一个相当长的句子，里面有好几个分句，还有更多的内容。", "结束。"]
EN = [
    "Short.",
    "This is a sentence of middling length.",
    "This is a rather long sentence, with several clauses in it and more content besides.",
    "The end.",
]


def links(aligner: GaleChurchAligner, zh: list[str], en: list[str]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.src, b.ref) for b in aligner.align(zh, [""] * len(zh), en)]


def test_lengths_alone_give_one_to_one_links() -> None:
    assert links(GaleChurchAligner(), ZH, EN) == [((i,), (i,)) for i in range(4)]


def test_a_long_sentence_rendered_as_two_gives_a_one_to_two_link() -> None:
    en = [
        EN[0],
        EN[1],
        "This is a rather long sentence, with several clauses in it.",
        "And more content besides.",
        EN[3],
    ]
    assert ((2,), (2, 3)) in links(GaleChurchAligner(), ZH, en)


def test_translations_are_not_needed_nor_used() -> None:
    aligner = GaleChurchAligner()
    assert aligner.align(ZH, ["nonsense"] * 4, EN) == aligner.align(ZH, [""] * 4, EN)


@pytest.mark.parametrize(("n", "m"), [(0, 0), (0, 2), (2, 0)])
def test_empty_sides(n: int, m: int) -> None:
    beads = GaleChurchAligner().align(ZH[:n], [""] * n, EN[:m])
    assert [i for b in beads for i in b.src] == list(range(n))
    assert [j for b in beads for j in b.ref] == list(range(m))


def test_length_cost_grows_with_the_mismatch() -> None:
    costs = length_cost(np.array([100.0, 100.0, 100.0]), np.array([300.0, 400.0, 900.0]), 3.0, 6.8)
    assert costs[0] < costs[1] < costs[2]


def test_signature_names_the_method_and_its_settings() -> None:
    settings = GaleChurchSettings(name="gale-church", link_types=["1-1", "1-0", "0-1"])
    assert GaleChurchAligner(settings).signature() == "gale-church|v1|types:1-1,1-0,0-1|s2:6.8|c:document"
