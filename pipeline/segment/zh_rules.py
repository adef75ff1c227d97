"""Rule-based Chinese sentence splitter.

A sentence ends at a run of 。！？ (``？！``, ``！！`` included); closing quotes and brackets that
follow stay with the sentence they close (``……情意。”`` is one sentence end). A sentence that ends
inside a quotation is split there, as published zh-en corpora are: ``情意。专家组……便利。”`` gives
two sentences. A paragraph with no final punctuation (a heading, a dateline) is one sentence.
"""

from __future__ import annotations

import re

from pipeline.config import ChineseRules
from pipeline.segment.base import Segmenter, Span, trimmed_spans

TERMINATORS = "。！？"
CLOSERS = "”’」』）》】\"')］〕〉"

_BOUNDARY = re.compile(f"[{TERMINATORS}]+[{re.escape(CLOSERS)}]*")


class ChineseRuleSegmenter(Segmenter):
    lang = "zh"

    def __init__(self, settings: ChineseRules | None = None) -> None:
        self.settings = settings or ChineseRules()

    def spans(self, text: str) -> list[Span]:
        cuts = [m.end() for m in _BOUNDARY.finditer(text) if m.end() < len(text)]
        return trimmed_spans(text, cuts)

    def signature(self) -> str:
        return "zh-rules|v1"
