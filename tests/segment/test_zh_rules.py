"""Chinese rule splitter: one table row per rule, then the seed article's tricky paragraphs."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from pipeline.config import ChineseRules
from pipeline.ingest.base import paragraphs_from_text
from pipeline.segment.zh_rules import ChineseRuleSegmenter

split = ChineseRuleSegmenter().split

CASES = {
    # --- sentence ends
    "terminators": ("今天下雨。明天晴！你去吗？", ["今天下雨。", "明天晴！", "你去吗？"]),
    "runs of terminators": ("真的吗？！太好了！！我们走吧。", ["真的吗？！", "太好了！！", "我们走吧。"]),
    "no cut at the very end": ("天哪！？", ["天哪！？"]),
    # --- quotes and brackets
    "closing quote stays with its sentence": ("他说：“我们走吧。”她没有回答。", ["他说：“我们走吧。”", "她没有回答。"]),
    "split inside a quotation": ("他说：“第一句。第二句。”", ["他说：“第一句。", "第二句。”"]),
    "closing marks after a stray space": ("他说：“第一句。 ”第二句。", ["他说：“第一句。 ”", "第二句。"]),
    "corner quotes and brackets": ("「走吧。」（完。）好。", ["「走吧。」", "（完。）", "好。"]),
    "ASCII quotes close when touching": ('他说："走吧。"她笑了。', ['他说："走吧。"', "她笑了。"]),
    "quoted phrase then 。": (
        "“执手相携，挚友同心”。希腊外长表示感谢。",
        ["“执手相携，挚友同心”。", "希腊外长表示感谢。"],
    ),
    "a statement's speech tag stays by default": ("“走吧。”他说。", ["“走吧。”他说。"]),
    "a comma after the quote goes on": ("“好！”，他说。", ["“好！”，他说。"]),
    "split inside brackets": ("（注：第一句。第二句。）接着说。", ["（注：第一句。", "第二句。）", "接着说。"]),
    # --- ellipsis and dash
    "ellipsis before a new sentence": (
        "开展国际合作……同舟共济贯穿全过程。",
        ["开展国际合作……", "同舟共济贯穿全过程。"],
    ),
    "ellipsis before an opening quote": ("成群的苍蝇……“小娘子，走吧。”", ["成群的苍蝇……", "“小娘子，走吧。”"]),
    "ellipsis, closing quote, new sentence": ("不在……”他道：“皇上？”", ["不在……”", "他道：“皇上？”"]),
    "ellipsis then a space is a pause": ("不过…… 不过……”他道：“好。”", ["不过…… 不过……”", "他道：“好。”"]),
    "ellipsis before a comma goes on": ("这个……，那个。", ["这个……，那个。"]),
    "a stammer is one sentence": ("“我……我昨晚杀了他。”", ["“我……我昨晚杀了他。”"]),
    "a lone ellipsis joins the sentence before": ("“传奇。” ……他们又谈了。", ["“传奇。” ……", "他们又谈了。"]),
    "a leading ellipsis joins the sentence after": ("……他来了。", ["……他来了。"]),
    "an elision paragraph": ("…… ……", ["…… ……"]),
    "other ellipsis forms": ("好⋯⋯我们走。好...我们走。", ["好⋯⋯", "我们走。", "好...", "我们走。"]),
    "never split at a dash": ("他走了——再也没回来。", ["他走了——再也没回来。"]),
    "a dash that cuts off a quotation": ("“你为什么——”说到这里，他停了。", ["“你为什么——”", "说到这里，他停了。"]),
    # --- semicolons, book titles
    "no split at ； by default": ("甲地下雨；乙地晴。", ["甲地下雨；乙地晴。"]),
    "never split inside book-title marks": ("我读了《你好！再见。》这本书。", ["我读了《你好！再见。》这本书。"]),
    # --- things to protect
    "decimals": ("价格上涨了3.5%。销量下降。", ["价格上涨了3.5%。", "销量下降。"]),
    "full-width digits": ("增长了３．５％。很好。", ["增长了３．５％。", "很好。"]),
    "URL": ("详见https://www.example.com/a?b=1。请访问。", ["详见https://www.example.com/a?b=1。", "请访问。"]),
    "URL without scheme": ("访问www.baidu.com获取。", ["访问www.baidu.com获取。"]),
    "e-mail address": ("请发邮件到info@example.com.cn。谢谢。", ["请发邮件到info@example.com.cn。", "谢谢。"]),
    "ASCII run": ("他说Hello. World! 然后走了。", ["他说Hello. World! 然后走了。"]),
    "half-width period before a letter": ("文件名是报告.txt。", ["文件名是报告.txt。"]),
    # --- mixed input
    "half-width marks after Han": ("真的吗?太好了!我们走吧.明天见。", ["真的吗?", "太好了!", "我们走吧.", "明天见。"]),
    "a list number is not a sentence": ("一.概述", ["一.概述"]),
    "but a numeral can end one": ("他今年三十.明年就老了。", ["他今年三十.", "明年就老了。"]),
    "full-width spaces are trimmed": (
        "\u3000\u3000目前，疫情暴发。\u3000\u3000流行病不分国界。",
        ["目前，疫情暴发。", "流行病不分国界。"],
    ),
    "traditional characters": ("這是繁體字。還有一句！", ["這是繁體字。", "還有一句！"]),
    # --- lines and headings
    "heading without final punctuation": ("“真诚感谢中国鼎力相助”", ["“真诚感谢中国鼎力相助”"]),
    "dateline": ("（本报北京3月29日电  记者王新萍）", ["（本报北京3月29日电  记者王新萍）"]),
    "list item": ("1. 第一项", ["1. 第一项"]),
    "line breaks are boundaries": ("标题\n第一句。第二句\r\n第三句", ["标题", "第一句。", "第二句", "第三句"]),
    "a lone ellipsis does not cross a line break": ("好。\n……", ["好。", "……"]),
    "empty": ("", []),
    "white space only": (" \u3000\n", []),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_split(text: str, expected: list[str]) -> None:
    assert split(text) == expected


# Speech tags after a closing quotation (issue 21: “……吗？”汪淼问。 was two sentences, 汪淼问。 alone).
# text -> (sentences with speech_tags: asked; with speech_tags: all, the default)
SPEECH_TAGS = {
    # --- a verb of asking after a quoted question stays, with either setting
    "the issue's case": (
        "“能将前面的曲线打印出来吗？”汪淼问。沙瑞山点点头。",
        ["“能将前面的曲线打印出来吗？”汪淼问。", "沙瑞山点点头。"],
        ["“能将前面的曲线打印出来吗？”汪淼问。", "沙瑞山点点头。"],
    ),
    "a space and an adverb": ("“尽头呢？” 汪淼轻轻问。", ["“尽头呢？” 汪淼轻轻问。"], ["“尽头呢？” 汪淼轻轻问。"]),
    "问道": ("“去哪儿？”她问道。“回家。”", ["“去哪儿？”她问道。", "“回家。”"], ["“去哪儿？”她问道。", "“回家。”"]),
    "ASCII quotes touching": ('"去吗?"汪淼问。', ['"去吗?"汪淼问。'], ['"去吗?"汪淼问。']),
    "at the paragraph's end": ("“谁？”他问", ["“谁？”他问"], ["“谁？”他问"]),
    # --- other verbs of saying, or after a statement: only with speech_tags: all
    "笑着说 after a statement": ("“走吧。”她笑着说。", ["“走吧。”", "她笑着说。"], ["“走吧。”她笑着说。"]),
    "说 after an exclamation": ("“下轿，跟我走！”他说。", ["“下轿，跟我走！”", "他说。"], ["“下轿，跟我走！”他说。"]),
    "说 after a question": ("“死了？”吹鼓手说。", ["“死了？”", "吹鼓手说。"], ["“死了？”吹鼓手说。"]),
    "问 after an ellipsis": ("“我……”他问。", ["“我……”", "他问。"], ["“我……”他问。"]),
    "想": ("“对。”他想。他走了。", ["“对。”", "他想。", "他走了。"], ["“对。”他想。", "他走了。"]),
    "回答 with a name": ("“是。”史密斯回答。", ["“是。”", "史密斯回答。"], ["“是。”史密斯回答。"]),
    "the seed's news tag": (
        "“期待两国共同努力，推动特中关系继续深入发展。”特多总理罗利说。",
        ["“期待两国共同努力，推动特中关系继续深入发展。”", "特多总理罗利说。"],
        ["“期待两国共同努力，推动特中关系继续深入发展。”特多总理罗利说。"],
    ),
    "news: 表示": ("“跨度很大。”他表示。", ["“跨度很大。”", "他表示。"], ["“跨度很大。”他表示。"]),
    "news: a title and a name before 指出": (
        "“合作离不开信任。”外交部发言人华春莹指出。",
        ["“合作离不开信任。”", "外交部发言人华春莹指出。"],
        ["“合作离不开信任。”外交部发言人华春莹指出。"],
    ),
    "news: 称": ("“产品没有问题。”该公司称。", ["“产品没有问题。”", "该公司称。"], ["“产品没有问题。”该公司称。"]),
    "not negated: 忍不住": (
        "“你真的不能告诉我吗？！”他忍不住问。",
        ["“你真的不能告诉我吗？！”他忍不住问。"],
        ["“你真的不能告诉我吗？！”他忍不住问。"],
    ),
    "not negated: 不停地": ("“快走！”他不停地说。", ["“快走！”", "他不停地说。"], ["“快走！”他不停地说。"]),
    # --- never a tag: a new sentence starts after the quotation
    "an action without a subject": ("“好。”说着出屋而去。", ["“好。”", "说着出屋而去。"], ["“好。”", "说着出屋而去。"]),
    "speaking, then an action": (
        "“至少轮到我了。”汪淼说着发动了车子。",
        ["“至少轮到我了。”", "汪淼说着发动了车子。"],
        ["“至少轮到我了。”", "汪淼说着发动了车子。"],
    ),
    "a tag that goes on to another quotation": (
        "“为什么？”他问，“你说呀。”",
        ["“为什么？”", "他问，“你说呀。”"],
        ["“为什么？”", "他问，“你说呀。”"],
    ),
    "a tag before a colon": ("“好！”他说：“走吧。”", ["“好！”", "他说：“走吧。”"], ["“好！”", "他说：“走吧。”"]),
    "a noun that ends like a verb": ("“懂吗？”是个疑问。", ["“懂吗？”", "是个疑问。"], ["“懂吗？”", "是个疑问。"]),
    "a noun in 称": ("“老赵。”那是他的昵称。", ["“老赵。”", "那是他的昵称。"], ["“老赵。”", "那是他的昵称。"]),
    "的 makes a noun": ("“不去。”这是他的回答。", ["“不去。”", "这是他的回答。"], ["“不去。”", "这是他的回答。"]),
    "是 makes a noun": ("“走！”这是命令。", ["“走！”", "这是命令。"], ["“走！”", "这是命令。"]),
    # a negated verb reports no speech: He did not answer. is a sentence of its own
    "没有回答": ("“你去吗？”她没有回答。", ["“你去吗？”", "她没有回答。"], ["“你去吗？”", "她没有回答。"]),
    "什么也没说": ("“谁干的？”他什么也没说。", ["“谁干的？”", "他什么也没说。"], ["“谁干的？”", "他什么也没说。"]),
    "没再问": ("“为什么？”汪淼没再问。", ["“为什么？”", "汪淼没再问。"], ["“为什么？”", "汪淼没再问。"]),
    "不想": ("“我们走吧。”他不想。", ["“我们走吧。”", "他不想。"], ["“我们走吧。”", "他不想。"]),
    "知道 is not 道": ("“我知道。”我知道。", ["“我知道。”", "我知道。"], ["“我知道。”", "我知道。"]),
    "a clause too long for a tag": (
        "“真的吗？”那个站在门口一直没有说话的老人问。",
        ["“真的吗？”", "那个站在门口一直没有说话的老人问。"],
        ["“真的吗？”", "那个站在门口一直没有说话的老人问。"],
    ),
    "a new quotation": ("“你好吗？”“我很好。”", ["“你好吗？”", "“我很好。”"], ["“你好吗？”", "“我很好。”"]),
    "no quotation before it": ("你去吗？他问。", ["你去吗？", "他问。"], ["你去吗？", "他问。"]),
}


@pytest.mark.parametrize(("text", "asked", "every"), SPEECH_TAGS.values(), ids=SPEECH_TAGS.keys())
def test_speech_tags(text: str, asked: list[str], every: list[str]) -> None:
    assert ChineseRuleSegmenter(ChineseRules(speech_tags="asked")).split(text) == asked
    assert split(text) == every


def test_speech_tags_split_keeps_the_quotation_apart() -> None:
    segmenter = ChineseRuleSegmenter(ChineseRules(speech_tags="split"))
    assert segmenter.split("“能将前面的曲线打印出来吗？”汪淼问。") == ["“能将前面的曲线打印出来吗？”", "汪淼问。"]
    assert "speech-tags:split" in segmenter.signature() and "speech-tags:all" in ChineseRuleSegmenter().signature()


def test_semicolon_splits_only_when_configured() -> None:
    text = "甲地下雨；乙地晴；“丙地大风；”丁地。"
    semicolons = ChineseRuleSegmenter(ChineseRules(split_at_semicolon=True))
    assert semicolons.split(text) == ["甲地下雨；", "乙地晴；", "“丙地大风；”", "丁地。"]
    assert split(text) == [text]
    assert "semicolon:yes" in semicolons.signature() and "semicolon:no" in ChineseRuleSegmenter().signature()


def test_a_very_long_sentence_stays_whole() -> None:
    text = "这是一个很长的句子，" * 20_000 + "完。"
    assert ChineseRuleSegmenter().spans(text) == [(0, len(text))]


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
    science = split(paragraphs[19])
    assert science[0].endswith("开展疫苗研发国际合作……") and science[1].startswith("同舟共济")


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
