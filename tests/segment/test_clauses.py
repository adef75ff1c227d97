"""Clause splitting for the translator, with characters as the cost so the tables read directly."""

from __future__ import annotations

import pytest

from pipeline.segment.clauses import clause_cuts, fit_clauses, pack, split_at


@pytest.mark.parametrize(
    ("text", "marks", "expected"),
    [
        ("甲，乙，丙", "，,", [2, 4]),
        # a mark at the very end cuts nothing
        ("甲，乙，", "，,", [2]),
        # closing quotes and brackets stay on the left
        ("他说“好，”她笑了", "，,", [6]),
        ("（甲，）乙", "，,", [4]),
        # ASCII comma and colon between digits belong to a number or a time
        ("共3,000人, 10:30开会", "，,", [9]),
        ("时间: 10:30", "：:", [4]),  # the space after a mark stays on the left
        ("a;b；c", "；;", [2, 4]),
        ("没有标点", "，,", []),
    ],
)
def test_clause_cuts(text: str, marks: str, expected: list[int]) -> None:
    assert clause_cuts(text, marks) == expected


def test_split_at_is_lossless() -> None:
    assert split_at("甲，乙，丙", [2, 4]) == ["甲，", "乙，", "丙"]
    assert split_at("甲", []) == ["甲"]


@pytest.mark.parametrize(
    ("parts", "limit", "expected"),
    [
        (["ab", "cd", "ef"], 4, ["abcd", "ef"]),
        (["ab", "cd", "ef"], 6, ["abcdef"]),
        (["abcde", "f"], 4, ["abcde", "f"]),  # an oversize part stays alone
        ([], 4, []),
    ],
)
def test_pack_joins_adjacent_parts_while_they_fit(parts: list[str], limit: int, expected: list[str]) -> None:
    assert pack(parts, len, limit) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        # fits: untouched
        ("甲乙丙，丁戊。", 10, ["甲乙丙，丁戊。"]),
        # commas: clauses packed up to the limit
        ("一二，三四，五六，七八。", 6, ["一二，三四，", "五六，七八。"]),
        # the semicolon is stronger than the commas: cut there first, commas only inside
        ("一，二；三，四，五六七八。", 7, ["一，二；", "三，四，", "五六七八。"]),
        ("一二三，四五；六七八，九十。", 8, ["一二三，四五；", "六七八，九十。"]),
        # an enumeration with 、 when nothing stronger is left
        ("甲乙丙丁、戊己庚辛、壬癸子丑", 10, ["甲乙丙丁、戊己庚辛、", "壬癸子丑"]),
        # English equivalents
        ("alpha beta, gamma delta; epsilon", 14, ["alpha beta, ", "gamma delta; ", "epsilon"]),
        # no boundary: returned whole, for the caller to window
        ("一二三四五六七八九十", 4, ["一二三四五六七八九十"]),
        # a single clause that is still too long stays too long
        ("一二三四五六七八，九", 4, ["一二三四五六七八，", "九"]),
    ],
)
def test_fit_clauses(text: str, limit: int, expected: list[str]) -> None:
    pieces = fit_clauses(text, len, limit)
    assert pieces == expected
    assert "".join(pieces) == text


def test_fit_clauses_uses_the_given_cost() -> None:
    # a cost that counts only CJK characters plus one end-of-sentence token, as a subword count might
    def cost(text: str) -> int:
        return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") + 1

    assert fit_clauses("一二三，四五六，七八九。", cost, 7) == ["一二三，四五六，", "七八九。"]
