"""Properties every segmenter keeps, for any input string (hypothesis).

The sentences concatenate back to the input's non-space characters, none is empty or padded
with white space, each is the text at its offsets, and the offsets increase.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import ChineseRules, EnglishRules
from pipeline.segment.base import Segmenter
from pipeline.segment.en_rules import EnglishRuleSegmenter
from pipeline.segment.zh_rules import ChineseRuleSegmenter

SEGMENTERS = {
    "zh-rules": ChineseRuleSegmenter(),
    "zh-rules+semicolon": ChineseRuleSegmenter(ChineseRules(split_at_semicolon=True)),
    "en-rules": EnglishRuleSegmenter(EnglishRules(extra_abbreviations=["approx"])),
}

# Characters the rules look at, so that generated strings hit them often.
TRICKY = list(
    "。！？｡!?.…⋯“”‘’「」『』（）《》【】；，、：:;,—―\"'()[] \u3000\u00a0\t\n\r\u2028甲乙我的一三aIZ1０３．@/"
)
TEXTS = st.one_of(st.text(), st.text(alphabet=st.sampled_from(TRICKY), max_size=60))


def nonspace(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


@pytest.mark.parametrize("segmenter", SEGMENTERS.values(), ids=SEGMENTERS.keys())
@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_sentences_keep_every_visible_character_in_order(segmenter: Segmenter, text: str) -> None:
    spans = segmenter.spans(text)
    sentences = segmenter.split(text)
    assert nonspace("".join(sentences)) == nonspace(text)
    assert all(sentence and sentence == sentence.strip() for sentence in sentences)
    assert [text[start:end] for start, end in spans] == sentences
    assert all(start < end for start, end in spans)
    assert all(previous_end <= start for (_, previous_end), (start, _) in pairwise(spans))
