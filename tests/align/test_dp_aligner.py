"""The DP aligner: n:m links from length and translation-reference similarity, covering every sentence."""

from __future__ import annotations

import random

import pytest

from pipeline.align.base import Bead, align_document
from pipeline.align.dp import DPAligner, dice, length_cost, ngrams
from pipeline.config import DPAlignerSettings
from pipeline.records import Sentence, TranslatedDocument

REFS = [
    "The weather is fine today.",
    "Experts from China and France held a video conference on Monday.",
    "He said the two peoples have always supported each other.",
    "The government took strong measures and achieved clear results.",
    "This book tells the story of an ordinary family in a small town.",
    "The meeting was held in Beijing on March 29.",
]
# Chinese lengths roughly a third of the English ones, as in real zh-en text.
ZH = [
    "今天天气很好。",
    "中国和法国专家周一举行了视频会议。",
    "他说两国人民一直相互支持。",
    "政府采取了有力措施，取得了明显成效。",
    "这本书讲述了一个小镇普通家庭的故事。",
    "会议于3月29日在北京召开。",
]


def links(beads: list[Bead]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.src, b.ref) for b in beads]


def assert_covers(beads: list[Bead], n: int, m: int) -> None:
    src = [i for b in beads for i in b.src]
    ref = [j for b in beads for j in b.ref]
    assert src == list(range(n)), "every source sentence exactly once, in order"
    assert ref == list(range(m)), "every reference sentence exactly once, in order"


def test_good_translations_give_one_to_one_links() -> None:
    beads = DPAligner().align(ZH, REFS, REFS)
    assert links(beads) == [((i,), (i,)) for i in range(6)]
    assert all(0.0 <= b.score <= 1.0 for b in beads)


def test_a_reference_split_in_two_gives_a_one_to_two_link() -> None:
    refs = [REFS[0], "Experts from China and France", "held a video conference on Monday.", *REFS[2:]]
    beads = DPAligner().align(ZH, REFS, refs)
    assert ((1,), (1, 2)) in links(beads)
    assert_covers(beads, 6, 7)


def test_two_sources_merged_in_the_reference_give_a_two_to_one_link() -> None:
    refs = [REFS[0], REFS[1] + " " + REFS[2], *REFS[3:]]
    beads = DPAligner().align(ZH, REFS, refs)
    assert ((1, 2), (1,)) in links(beads)


def test_a_reference_sentence_with_no_source_becomes_zero_to_one() -> None:
    extra = "Meanwhile, an unrelated sentence about football scores appeared in the paper."
    refs = [*REFS[:3], extra, *REFS[3:]]
    beads = DPAligner().align(ZH, REFS, refs)
    assert ((), (3,)) in links(beads)
    assert_covers(beads, 6, 7)


def test_similarity_decides_where_lengths_alone_cannot() -> None:
    # Same lengths, references in the right order; translations make the 1-1 path unambiguous.
    beads = DPAligner(DPAlignerSettings(similarity_weight=8)).align(ZH, REFS, REFS)
    length_only = DPAligner(DPAlignerSettings(similarity_weight=0)).align(ZH, REFS, REFS)
    assert links(beads) == [((i,), (i,)) for i in range(6)]
    assert_covers(length_only, 6, 6)


def test_matching_links_are_more_confident_than_mismatched_ones() -> None:
    aligner = DPAligner()
    good = aligner.align(ZH[:1], REFS[:1], REFS[:1])[0].score
    bad = aligner.align(ZH[:1], ["Completely different words here."], REFS[:1])[0].score
    assert good > bad


@pytest.mark.parametrize(("n", "m"), [(0, 0), (0, 3), (3, 0), (1, 5), (5, 1)])
def test_degenerate_documents_are_covered(n: int, m: int) -> None:
    beads = DPAligner().align(ZH[:n], REFS[:n], REFS[:m])
    assert_covers(beads, n, m)


def test_only_one_to_one_allowed_still_covers_unequal_documents() -> None:
    beads = DPAligner(DPAlignerSettings(link_types=["1-1"])).align(ZH, REFS, REFS[:4])
    assert_covers(beads, 6, 4)


def test_random_documents_are_always_covered_exactly_once() -> None:
    rng = random.Random(7)
    aligner = DPAligner()
    for _ in range(25):
        n, m = rng.randint(0, 40), rng.randint(0, 40)
        src = ["字" * rng.randint(1, 60) for _ in range(n)]
        refs = [" ".join(rng.choice(REFS).split()[: rng.randint(1, 9)]) for _ in range(m)]
        assert_covers(aligner.align(src, refs[:n] + [""] * max(0, n - m), refs), n, m)


def test_one_huge_source_sentence_against_many_references_is_covered() -> None:
    src = ["短。", "长" * 3000, "短。"]
    refs = ["Short."] + ["A long stretch of text."] * 120 + ["Short."]
    assert_covers(DPAligner().align(src, src, refs), 3, 122)


def test_document_without_reference_links_each_source_to_its_translation() -> None:
    sources = tuple(Sentence("d", "zh", i, 0, 0, len(t), t) for i, t in enumerate(ZH[:3]))
    doc = TranslatedDocument("d", sources, None, tuple(REFS[:3]))
    aligned = align_document(doc, DPAligner())
    assert [(link.src, link.ref, link.type, link.score) for link in aligned.links] == [
        ((0,), (), "1-0", None),
        ((1,), (), "1-0", None),
        ((2,), (), "1-0", None),
    ]


def test_building_blocks() -> None:
    assert dice(ngrams("the same text"), ngrams("The same  text")) == 1.0
    assert dice(ngrams("abc"), ngrams("xyz")) == 0.0
    assert length_cost(100, 100) < length_cost(100, 150) < length_cost(100, 300)
