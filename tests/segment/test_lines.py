"""The line segmenters keep each input line as one sentence, whatever punctuation it holds."""

from __future__ import annotations

import pytest

from pipeline.ingest.base import paragraphs_from_text
from pipeline.registry import SEGMENTERS


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("zh-lines", "\u3000\u3000他说：“好。”她笑了。\n标题\n\n", ["他说：“好。”她笑了。", "标题"]),
        ("en-lines", "It rained. We stayed in.  \nMr. Smith left.\n", ["It rained. We stayed in.", "Mr. Smith left."]),
    ],
)
def test_one_sentence_per_line(name: str, text: str, expected: list[str]) -> None:
    segmenter = SEGMENTERS.load(name)()
    found = segmenter.sentences("d", paragraphs_from_text(text))
    assert [s.text for s in found] == expected
    assert [s.paragraph for s in found] == list(range(len(expected)))
    assert found[0].lang == name[:2] and segmenter.signature() == f"{name}|v1"
