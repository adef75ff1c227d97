"""Every link right on the seed article, whose gold alignment was checked by hand.

The fixtures pin the sentence split and each sentence's paragraph (made with zh-rules/en-rules
when they were written, so a change to the splitters does not move this test) and a literal translation of each Chinese
sentence, written for this test in the style of an MT system, since the real opus-mt-zh-en
cannot be downloaded where the tests run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.align.commands import read_sentences
from pipeline.align.dp import DPAligner
from pipeline.align.evaluate import read_links

FIXTURES = Path(__file__).parent / "fixtures"

# The places that are not 1-1 (0-based), each checked against the texts:
MERGES = [
    ((9,), (9, 10)),  # 专家组将为……提供便利。” -> "The experts will bring ..." + "The Lao government ..."
    ((12, 13), (13,)),  # 他说……互相支持。 + 中国政府援助的……信心。 -> "He said that ..., and that the supplies ..."
    ((21,), (21, 22)),  # 希腊……表示：“……措施。” -> "... said: "Greece sincerely thanks ..." + "In the future ..."
    ((22,), (23, 24)),  # 法国外长勒德里昂说：“……值得称赞。” -> two sentences
    (
        (28,),
        (30, 31),
    ),  # 明信片……“……口罩，非常感谢。 -> "... even though it was in difficulty itself." + "Thank you very much."
    ((29,), (32, 33)),  # 我在医院工作……转达谢意！” -> "I work in a hospital ..." + "Please pass on my thanks ..."
    ((35,), (39, 40)),  # 3月26日……视频会，来自……12名专家……交流。 -> the conference + "Twelve experts ..."
    ((48, 49), (53,)),  # 期待……发展。” + 特多总理罗利说。 -> "We look forward ...," said Prime Minister Keith Rowley.
    ((51,), (55, 56)),  # 第一时间共享……国际合作……同舟共济…… -> "Sharing ... development..." + "Solidarity, ..."
]


@pytest.fixture(scope="module")
def seed_links() -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    zh, en, mt = (read_sentences(FIXTURES / f"seed.{kind}.sents") for kind in ("zh", "en", "mt"))
    return [(b.src, b.ref) for b in DPAligner().align(zh, mt, en)]


def test_the_gold_list_holds_every_merge_and_one_to_one_links_elsewhere() -> None:
    gold = read_links(FIXTURES / "seed.gold.align")
    assert [link for link in gold if (len(link[0]), len(link[1])) != (1, 1)] == MERGES
    assert sum(len(s) for s, _ in gold) == 62 and sum(len(r) for _, r in gold) == 67


@pytest.mark.parametrize("merge", MERGES, ids=[f"{s}-{r}" for s, r in MERGES])
def test_each_merge_is_found(merge: tuple[tuple[int, ...], tuple[int, ...]], seed_links: list) -> None:
    assert merge in seed_links


def test_every_link_is_right(seed_links: list) -> None:
    assert seed_links == read_links(FIXTURES / "seed.gold.align")


def test_every_link_is_right_with_paragraph_anchors_as_in_a_run() -> None:
    # A pipeline run passes each sentence's paragraph (24 paragraphs on both sides here).
    zh, en, mt = (read_sentences(FIXTURES / f"seed.{kind}.sents") for kind in ("zh", "en", "mt"))
    paragraphs = tuple([int(p) for p in read_sentences(FIXTURES / f"seed.{lang}.paragraphs")] for lang in ("zh", "en"))
    aligner = DPAligner()
    beads = aligner.align(zh, mt, en, paragraphs=paragraphs)
    assert [(b.src, b.ref) for b in beads] == read_links(FIXTURES / "seed.gold.align")
    assert "paragraphs" in aligner.describe()["signals_used"]
