"""Corpus filters: what each one drops, that the counts add up, and that a reviewer's word beats them."""

from __future__ import annotations

from typing import Any

import pytest
from export_builders import link_row
from oracle import select_pairs

from pipeline.config import ExportFilters, ExportSection
from pipeline.export.corpus import Selector
from pipeline.export.filters import FILTERS, length, script_ratio
from pipeline.export.rows import Decision, LinkRow

ROWS = [
    link_row(index=0, zh="今天天气很好。", en="The weather is fine today.", score="0.9500"),
    link_row(index=1, zh="我们去公园散步。", en="We take a walk in the park.", score="0.3000"),
    link_row(index=2, zh="会议在北京召开。", en="The meeting was held in Beijing.", score="0.8000", link_type="2-1"),
    link_row(index=4, zh="好。", en="This is a very long English sentence for two characters.", score="0.9000"),
    link_row(index=5, zh="这是一个相当长的中文句子但是英文很短。", en="Short.", score="0.9000"),
    link_row(index=6, zh="English text on the Chinese side.", en="English text.", score="0.9000"),
    link_row(index=7, zh="今天天气很好。", en="The weather is fine today.", score="0.9000"),  # duplicate of 0
    link_row(index=8, zh="2020年", en="2020", score="0.9000"),
]


def kept(settings: dict[str, Any], decisions: dict | None = None, rows: list[LinkRow] = ROWS) -> list[int]:
    sel = select_pairs(rows, ExportSection(filters=ExportFilters(**settings)), decisions)
    counts = sel.counts["reference"]
    assert counts.links == counts.one_sided + sum(counts.removed.values()) + counts.written, "counts add up"
    return [p.link.link_id for p in sel.pairs]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, [0, 1, 2, 4, 5, 6, 7, 8]),
        ({"min_align_score": 0.5}, [0, 2, 4, 5, 6, 7, 8]),
        ({"min_align_score": 0.95}, [0]),  # the threshold is inclusive
        ({"link_types": ["1-1"]}, [0, 1, 4, 5, 6, 7, 8]),
        ({"min_length": 5}, [0, 1, 2, 5, 6, 7]),  # "好。" and "2020" are shorter
        ({"max_length": 30}, [0, 1, 2, 5, 6, 7, 8]),  # link 4's English has 47 characters
        ({"min_length_ratio": 1.0}, [0, 1, 2, 4, 7]),
        ({"max_length_ratio": 5.0}, [0, 1, 2, 5, 6, 7, 8]),
        ({"min_script_ratio": 0.5}, [0, 1, 2, 4, 5, 7]),
        ({"drop_duplicates": True}, [0, 1, 2, 4, 5, 6, 8]),
    ],
    ids=lambda v: str(v) if isinstance(v, dict) else "",
)
def test_each_filter_drops_what_it_says(settings: dict[str, Any], expected: list[int]) -> None:
    assert kept(settings) == expected


def test_counts_name_the_first_filter_a_pair_fails() -> None:
    settings = ExportFilters(min_align_score=0.5, min_length=5, min_script_ratio=0.5, drop_duplicates=True)
    sel = select_pairs(ROWS, ExportSection(filters=settings))
    counts = sel.counts["reference"].as_dict()
    assert counts["removed"] == {
        "review_reject": 0,
        "mismatched_document": 0,
        "min_align_score": 1,  # link 1
        "link_types": 0,
        "min_length": 2,  # links 4 ("好。") and 8 ("2020")
        "max_length": 0,
        "min_length_ratio": 0,
        "max_length_ratio": 0,
        "min_script_ratio": 1,  # link 6
        "duplicates": 1,  # link 7
    }
    assert counts["written"] == 3 and counts["links"] == 8
    assert list(counts["removed"]) == ["review_reject", "mismatched_document", *FILTERS, "duplicates"]
    assert sel.dropped[("reference", ("d", 1))] == "min_align_score"


def test_a_reviewers_accept_or_fix_beats_the_filters_and_reject_beats_everything() -> None:
    decisions = {
        ("d", 1): Decision("accept"),
        ("d", 6): Decision("fix", zh_fixed="中文在中文这边。"),
        ("d", 0): Decision("reject"),
    }
    sel = select_pairs(ROWS, ExportSection(filters=ExportFilters(min_align_score=0.5)), decisions)
    assert [p.link.link_id for p in sel.pairs] == [1, 2, 4, 5, 6, 7, 8]
    assert sel.counts["reference"].kept_by_review == 1  # link 1 passed because of the review
    assert sel.counts["reference"].removed["review_reject"] == 1
    assert [p.zh for p in sel.pairs if p.link.link_id == 6] == ["中文在中文这边。"]


def test_alignment_filters_do_not_judge_machine_translation_pairs() -> None:
    rows = [link_row(index=0, score="0.1000", link_type="2-1"), link_row(index=2, en="", score="", link_type="1-0")]
    settings = ExportSection(pairs="both", filters=ExportFilters(min_align_score=0.5, link_types=["1-1"]))
    sel = select_pairs(rows, settings)
    assert [(p.origin, p.link.link_id) for p in sel.pairs] == [("mt", 0), ("mt", 2)]
    assert sel.counts["reference"].one_sided == 1


def test_a_fix_can_supply_the_missing_side_of_a_link() -> None:
    rows = [link_row(index=0, en="", score="", link_type="1-0")]
    sel = select_pairs(rows, ExportSection(), {("d", 0): Decision("fix", en_fixed="The weather is fine.")})
    assert [(p.zh, p.en, p.status) for p in sel.pairs] == [("今天天气很好。", "The weather is fine.", "fix")]


def test_duplicates_compare_text_with_white_space_runs_as_one_space() -> None:
    rows = [link_row(index=0, en="A  b"), link_row(index=1, en="A\tb"), link_row(index=2, en="A b c")]
    assert kept({"drop_duplicates": True}, rows=rows) == [0, 2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("今天 天气\t好", 5), ("", 0), ("a b", 2)],
)
def test_length_counts_characters_other_than_white_space(text: str, expected: int) -> None:
    assert length(text) == expected


@pytest.mark.parametrize(
    ("text", "han", "latin"),
    [("中文", 1.0, 0.0), ("English", 0.0, 1.0), ("中文ab", 0.5, 0.5), ("2020", 0.0, 0.0), ("Café 𠀀", 0.2, 0.8)],
)
def test_script_ratio_is_the_share_of_letters_in_the_script(text: str, han: float, latin: float) -> None:
    from pipeline.export.filters import HAN, LATIN

    assert script_ratio(text, HAN) == pytest.approx(han)
    assert script_ratio(text, LATIN) == pytest.approx(latin)


def test_the_reference_pairs_of_a_mismatched_document_are_left_out_and_counted() -> None:
    doc_id = ROWS[0].doc_id
    selector = Selector(ExportSection(), mismatched=[doc_id])
    verdicts = [selector.judge(row) for row in ROWS]
    assert all(
        v["reference"] == "mismatched_document"
        for row, v in zip(ROWS, verdicts, strict=True)
        if row.doc_id == doc_id and row.zh.strip() and row.en.strip()
    )
    assert selector.counts["reference"].removed["mismatched_document"] > 0
    kept = Selector(ExportSection(skip_mismatched_documents=False), mismatched=[doc_id])
    assert all(kept.judge(row)["reference"] != "mismatched_document" for row in ROWS)
