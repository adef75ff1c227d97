"""review.html without a browser: self-contained, every text escaped, the data complete; written as its links come,
it is the page of its data and holds at most its limit."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from export_builders import NASTY_ZH, SAMPLE, aligned_document, link_row, no_scores
from oracle import page_data, render_page, rows_from_docs, select_pairs, write_review_page

from pipeline.config import ExportFilters, ExportSection
from pipeline.export.rows import Decision, LinkRow
from pipeline.export.tsv import COLUMNS, read_tsv
from pipeline.review.page import ReviewPage


def embedded(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="review-data">(.*?)</script>', page, re.S)
    assert block is not None
    return json.loads(block.group(1))


def test_the_page_is_written_by_default_and_needs_nothing_from_outside(sample_run: Callable[..., Path]) -> None:
    run = sample_run()
    page = (run / "review.html").read_text(encoding="utf-8")
    assert not re.search(r"<[a-z]+[^>]*\s(src|href)\s*=", page), "no element refers to a file or an address"
    assert "http://" not in page and "https://" not in page and "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # and the browser is told to refuse any fetch


def test_document_text_cannot_leave_the_data_block(sample_run: Callable[..., Path]) -> None:
    page = (sample_run() / "review.html").read_text(encoding="utf-8")
    assert "<script>window.pwned" not in page and "</b>" not in page
    assert page.count("</script>") == 2  # the data block's and the program's, nothing from a document
    assert NASTY_ZH in [row[4] for row in embedded(page)["rows"]]


def test_the_data_holds_every_link_as_the_tsv_does(sample_run: Callable[..., Path]) -> None:
    run = sample_run()
    data = embedded((run / "review.html").read_text(encoding="utf-8"))
    header, rows = read_tsv(run / "aligned.tsv")
    assert data["columns"] == header == list(COLUMNS)
    assert data["rows"] == rows
    assert data["documents"] == ["a", "b"] and data["link_types"] == ["1-0", "1-1"]
    assert data["outside"][3] == "reference: one_sided"  # the link without reference is not in the corpus


def test_the_page_marks_links_the_filters_leave_out_and_carries_decisions(
    sample_run: Callable[..., Path],
) -> None:
    _, fields = read_tsv(sample_run() / "aligned.tsv")
    rows = [LinkRow.from_fields(f[:12]) for f in fields]
    settings = ExportSection(pairs="both", filters=ExportFilters(min_align_score=0.5))
    decisions = {("a", 4): Decision("fix", en_fixed="Held in Beijing.", note="n")}
    data = page_data("r", rows, decisions, select_pairs(rows, settings, decisions))
    assert data["outside"][1] == "reference: min_align_score"
    assert data["outside"][4] == ""  # low confidence, but fixed by a reviewer
    assert data["rows"][4][12:] == ["fix", "", "Held in Beijing.", "n"]
    other = page_data("r", rows, {}, select_pairs(rows, settings))
    assert other["key"] != data["key"], "a page with other decisions files browser state under another key"


def test_a_run_name_with_markup_is_escaped_in_the_title() -> None:
    page = render_page({"run": "<i>run</i>", "rows": []})
    assert "<title>Review: &lt;i&gt;run&lt;/i&gt;</title>" in page


def test_the_streamed_review_page_is_the_page_of_its_data(tmp_path: Path) -> None:
    docs = [aligned_document("a", SAMPLE), aligned_document("b", SAMPLE[:2]), aligned_document("c", SAMPLE[::-1])]
    rows = rows_from_docs(docs, no_scores(docs))
    settings = ExportSection(pairs="both", filters=ExportFilters(min_align_score=0.5))
    decisions = {("a", 1): Decision("fix", en_fixed="Fixed.", note="<b>n</b>"), ("b", 0): Decision("reject")}
    selection = select_pairs(rows, settings, decisions)
    path = write_review_page(tmp_path / "review.html", "run<1>", rows, decisions, selection)
    assert path.read_text(encoding="utf-8") == render_page(page_data("run<1>", rows, decisions, selection))


def test_a_review_page_holds_at_most_its_limit_and_says_what_it_left_out(tmp_path: Path) -> None:
    rows = [link_row("a", i) for i in range(3)] + [link_row("b", i, link_type="1-2") for i in range(2)]
    page = ReviewPage(tmp_path / "review.html", "big", limit=3)
    for row in rows:
        page.add(row, Decision(), "")
    text = page.close().read_text(encoding="utf-8")
    data = embedded(text)
    assert [r[:2] for r in data["rows"]] == [["a", "0"], ["a", "1"], ["a", "2"]]
    assert data["documents"] == ["a"] and data["link_types"] == ["1-1"]
    assert data["left_out"] == {"links": 2, "limit": 3, "every_link": "aligned.tsv"}
    assert "holds the first 3 links of the run; 2 more are not on it" in text
    assert "export.review_max_links" in text and "aligned.tsv" in text


def test_a_review_page_within_its_limit_says_nothing_about_limits(tmp_path: Path) -> None:
    page = ReviewPage(tmp_path / "review.html", "small", limit=5)
    page.add(link_row(), Decision(), "")
    text = page.close().read_text(encoding="utf-8")
    assert "left_out" not in embedded(text) and 'id="left-out"' not in text
