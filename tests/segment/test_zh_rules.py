"""Chinese rule splitter on the seed article's tricky paragraphs and on small cases."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from pipeline.ingest.base import paragraphs_from_text
from pipeline.segment.zh_rules import ChineseRuleSegmenter

split = ChineseRuleSegmenter().split


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天下雨。明天晴。", ["今天下雨。", "明天晴。"]),
        ("真的吗？！太好了！！我们走吧。", ["真的吗？！", "太好了！！", "我们走吧。"]),
        # a closing quote stays with the sentence it closes
        ("他说：“我们走吧。”她没有回答。", ["他说：“我们走吧。”", "她没有回答。"]),
        # a sentence that ends inside a quotation is split there
        ("他说：“第一句。第二句。”", ["他说：“第一句。", "第二句。”"]),
        # a quoted phrase followed by 。 keeps both
        ("“执手相携，挚友同心”。希腊外长表示感谢。", ["“执手相携，挚友同心”。", "希腊外长表示感谢。"]),
        # a heading without final punctuation is one sentence
        ("“真诚感谢中国鼎力相助”", ["“真诚感谢中国鼎力相助”"]),
        ("（本报北京3月29日电  记者王新萍）", ["（本报北京3月29日电  记者王新萍）"]),
        ("没有句号的一行", ["没有句号的一行"]),
        ("", []),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_seed_tricky_paragraphs(seed_files: tuple[Path, Path]) -> None:
    paragraphs = [p.text for p in paragraphs_from_text(seed_files[0].read_text(encoding="utf-8"))]
    assert split(paragraphs[1]) == ["“真诚感谢中国鼎力相助”"]
    laos = split(paragraphs[2])
    assert laos[2].endswith("体现出中方对老挝人民的深厚情意。")
    assert (
        laos[3] == "专家组将为老挝疫情防控带来中国经验，老挝政府一定做好各方面协调和保障，为专家组开展工作提供便利。”"
    )
    dateline = split(paragraphs[-1])
    assert len(dateline) == 1 and dateline[0].startswith("（本报北京") and dateline[0].endswith("花放）")
    assert split(paragraphs[5]) == ["……\u00a0……"]  # the source has a no-break space there


def test_offsets_give_back_the_paragraph_text(seed_files: tuple[Path, Path]) -> None:
    segmenter = ChineseRuleSegmenter()
    paragraphs = paragraphs_from_text(seed_files[0].read_text(encoding="utf-8"))
    sentences = segmenter.sentences("seed", paragraphs)
    assert [s.index for s in sentences] == list(range(len(sentences)))
    for paragraph in paragraphs:
        own = [s for s in sentences if s.paragraph == paragraph.index]
        assert own, "every paragraph yields at least one sentence"
        for s in own:
            assert paragraph.text[s.start : s.end] == s.text
        # sentences cover the paragraph: only white space is dropped, between sentences
        assert own[0].start == 0 and own[-1].end == len(paragraph.text)
        gaps = [paragraph.text[a.end : b.start] for a, b in pairwise(own)]
        assert all(not gap.strip() for gap in gaps)
