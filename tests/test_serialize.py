"""Records survive a JSON round trip exactly, types included."""

from __future__ import annotations

import pytest

from pipeline.records import (
    AlignedDocument,
    Document,
    Link,
    Paragraph,
    SegmentedDocument,
    Sentence,
    Translation,
)
from pipeline.serialize import dumps, loads

S = (Sentence("d", "zh", 0, 0, 0, 3, "你好。"), Sentence("d", "zh", 1, 1, 0, 4, "再\t见。"))
R = (Sentence("d", "en", 0, 0, 0, 6, 'Hi "x"'),)

RECORDS = [
    Document("d", (Paragraph(0, "你好。", 1),), None, "a.zh.txt"),
    Document("d", (Paragraph(0, "你好。", 1),), (Paragraph(0, "Hi.", 3),), "a.zh.txt", "a.en.txt"),
    SegmentedDocument("d", S, R),
    SegmentedDocument("d", S, None),
    AlignedDocument(
        "d",
        S,
        R,
        (Translation("Hello."), Translation("Bye.", ("clause-split", "retried"))),
        (Link("d", 0, (0, 1), (0,), 0.75), Link("d", 1, (), (), None)),
    ),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_round_trip(record: object) -> None:
    line = dumps(record)
    assert "\n" not in line
    back = loads(type(record), line)
    assert back == record
    assert type(back) is type(record)


def test_tuples_come_back_as_tuples() -> None:
    back = loads(AlignedDocument, dumps(RECORDS[-1]))
    assert isinstance(back.links[0].src, tuple) and isinstance(back.translations[1].flags, tuple)
