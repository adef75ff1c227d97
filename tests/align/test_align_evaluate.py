"""align-eval measures: strict and lax precision, recall and F1 exactly as Vecalign's score.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.align.base import Bead
from pipeline.align.evaluate import (
    LinkIds,
    evaluate_folders,
    format_link,
    format_table,
    gold_files,
    parse_link,
    read_links,
    score_documents,
)
from pipeline.errors import InputError

GOLD: list[LinkIds] = [((0,), (0,)), ((1,), (1, 2)), ((2, 3), (3,)), ((4,), ())]

# (test links, strict P, strict R, lax P, lax R), worked out by hand from Vecalign's definitions
CASES = {
    "perfect": (GOLD, 1.0, 1.0, 1.0, 1.0),
    # the 1-2 found as 1-1 + 0-1: precision 3/5 strict, 4/5 lax ([1]:[1] overlaps a gold link);
    # recall counts only gold links with both sides (3), of which 2 found; lax also [1]:[1,2]
    "split": (
        [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2, 3), (3,)), ((4,), ())],
        3 / 5,
        2 / 3,
        4 / 5,
        3 / 3,
    ),
    # shifted by one: nothing strict; lax where source and reference overlap a gold link
    "shifted": ([((0,), (0, 1)), ((1,), (2,)), ((2, 3, 4), (3,))], 0.0, 0.0, 3 / 3, 3 / 3),
    "empty test": ([], 0.0, 0.0, 0.0, 0.0),
    # duplicates and []:[] count once / not at all, as Vecalign's sets do
    "duplicates": ([((0,), (0,)), ((0,), (0,)), ((), ())], 1.0, 1 / 3, 1.0, 1 / 3),
}


@pytest.mark.parametrize(("test", "p", "r", "p_lax", "r_lax"), list(CASES.values()), ids=list(CASES))
def test_strict_and_lax_scores(test: list[LinkIds], p: float, r: float, p_lax: float, r_lax: float) -> None:
    scores = score_documents([GOLD], [test])
    assert scores.precision_strict == pytest.approx(p)
    assert scores.recall_strict == pytest.approx(r)
    assert scores.precision_lax == pytest.approx(p_lax)
    assert scores.recall_lax == pytest.approx(r_lax)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    assert scores.f1_strict == pytest.approx(f1)


def test_counts_are_summed_over_documents_before_dividing() -> None:
    one = [((0,), (0,))]
    two = [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    scores = score_documents([one, two], [one, [((0,), (0,)), ((1, 2), (1, 2))]])
    assert scores.precision_strict == pytest.approx(2 / 3)  # not the mean of 1 and 1/2
    assert scores.recall_strict == pytest.approx(2 / 4)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[0, 1]:[0]", ((0, 1), (0,))),
        ("[0,1]:[0]:0.93", ((0, 1), (0,))),
        ("[]:[4]", ((), (4,))),
        ("[3]:[]:1.0", ((3,), ())),
    ],
)
def test_link_lines_are_read_with_or_without_a_score(line: str, expected: LinkIds) -> None:
    assert parse_link(line, "x") == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[0]", "expected"),
        ("[0]:[a]", "cannot read"),
        ("[0]:[-1]", "'\\[-1\\]' is not a list of non-negative"),
        ("[0]:3", "'3' is not a list"),
    ],
)
def test_bad_lines_name_the_file_and_line(line: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "001.align"
    path.write_text("[0]:[0]\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"001.align:2: {message}"):
        read_links(path)


def test_format_link_is_vecalign_format() -> None:
    assert format_link(Bead((0, 1), (2,), 0.5)) == "[0, 1]:[2]:0.500000"
    assert parse_link(format_link(Bead((), (3,), 1.0)), "x") == ((), (3,))


def test_folders_pair_by_document_number(tmp_path: Path) -> None:
    gold, test = tmp_path / "gold", tmp_path / "test"
    gold.mkdir()
    test.mkdir()
    (gold / "001.gold.align").write_text("[0]:[0]\n[1]:[1]\n", encoding="utf-8")
    (gold / "001.align").write_text("[0, 1]:[0, 1]\n", encoding="utf-8")  # .gold.align wins
    (gold / "002.align").write_text("[0]:[0]\n", encoding="utf-8")
    (test / "001.align").write_text("[0]:[0]:0.9\n[1]:[1]:0.8\n", encoding="utf-8")
    (test / "002.align").write_text("[0]:[0]:0.7\n", encoding="utf-8")
    assert sorted(gold_files(gold)) == ["001", "002"]
    evaluation = evaluate_folders(gold, test)
    assert [d.document for d in evaluation.documents] == ["001", "002"]
    assert evaluation.total.f1_strict == 1.0
    table = format_table(evaluation)
    assert table.splitlines()[-1].split()[:4] == ["total", "3", "3", "1.000"]


def test_a_missing_test_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "g").mkdir()
    (tmp_path / "t").mkdir()
    (tmp_path / "g" / "007.gold.align").write_text("[0]:[0]\n", encoding="utf-8")
    with pytest.raises(InputError, match="no test alignment for 007"):
        evaluate_folders(tmp_path / "g", tmp_path / "t")
