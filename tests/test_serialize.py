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


def test_score_results_with_tuple_keys_round_trip() -> None:
    from pipeline.records import ConfidenceInterval, MetricScore, ScoreResult

    bleu = MetricScore(
        "bleu", 12.5, "nrefs:1|tok:13a", "BLEU = 12.50", ci=ConfidenceInterval(12.4, 0.8, 11.6, 13.2, 1000)
    )
    result = ScoreResult(
        corpus=(bleu,),
        link_chrf={("d", 0): 40.0, ("d", 1): None},
        link_bleu={("d", 0): 10.0, ("d", 1): None},
        scored_links=1,
        skipped_links=1,
        documents={"d": (bleu,)},
    )
    assert loads(ScoreResult, dumps(result)) == result
