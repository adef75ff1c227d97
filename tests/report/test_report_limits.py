"""report.json and report.html hold at most their limits and say where the rest is; the length scatter
keeps a sample chosen by link id, the same whatever order the links come in."""

from __future__ import annotations

from export_builders import link_row, no_scores
from oracle import assemble, render_html

from pipeline.export.rows import LinkRow
from pipeline.report.builder import RunFacts
from pipeline.report.page import ScatterSample


def report_links(n_docs: int, per_doc: int) -> list[LinkRow]:
    """``per_doc`` 1-1 links in each of ``n_docs`` documents; every second link is flagged."""
    flags = ("", "repetition")
    return [
        link_row(f"d{d}", i, f"中文{i}", f"mt {i}", f"en {i}", flags=flags[i % 2])
        for d in range(n_docs)
        for i in range(per_doc)
    ]


def report_facts(n_docs: int, per_doc: int) -> RunFacts:
    rows = [
        {"id": f"d{d}", "has_reference": True, "sentences": {"zh": per_doc, "en": per_doc}, "links": per_doc}
        for d in range(n_docs)
    ]
    return RunFacts(run="r", documents=rows)


def test_report_json_lists_at_most_its_limit_of_flagged_links_and_counts_the_rest() -> None:
    links = report_links(3, 4)  # 12 links, 6 flagged
    report = assemble(report_facts(3, 4), links, no_scores([]), max_links=4)
    assert report["counts"]["flagged_links"] == 6 and len(report["flagged"]) == 4
    assert report["left_out"] == {
        "every_link": "aligned.tsv",
        "limits": {"report_max_links": 4, "scatter_points": 20_000},
        "flagged": 2,
        "document_links": 8,
    }
    assert "left_out" not in assemble(report_facts(3, 4), links, no_scores([]))


def test_report_html_lists_at_most_its_limit_and_says_where_the_rest_is() -> None:
    links = report_links(3, 4)
    report = assemble(report_facts(3, 4), links, no_scores([]), max_links=5)
    page = render_html(report, links, max_links=5)
    assert page.count('<td class="num">') > 0
    assert "The first 5 of 6 flagged links are listed (export.report_max_links)" in page
    assert "The tables list the first 5 links of the run (export.report_max_links); 7 more are in aligned.tsv." in page
    assert "3 more links of this document are not listed here" in page  # d1: 1 listed of 4
    assert "4 links of this document are not listed here" in page  # d2: none listed
    assert {f'id="doc-{i}"' in page for i in range(3)} == {True}, "every document keeps its section"


def test_a_report_within_its_limits_equals_the_unlimited_one() -> None:
    links = report_links(3, 4)
    report = assemble(report_facts(3, 4), links, no_scores([]))
    assert render_html(report, links) == render_html(report, links, max_links=12)
    assert "not listed" not in render_html(report, links)


def test_the_scatter_keeps_every_point_up_to_its_size_in_order_then_a_sample_by_link_id() -> None:
    small = ScatterSample(5)
    for i in range(5):
        small.add(f"d:{i}", (i, i, 0.5))
    assert small.points() == [(i, i, 0.5) for i in range(5)]
    forward, backward = ScatterSample(10), ScatterSample(10)
    for i in range(100):
        forward.add(f"d:{i}", (i, i, 0.5))
        backward.add(f"d:{99 - i}", (99 - i, 99 - i, 0.5))
    chosen = forward.points()
    assert len(chosen) == 10 and chosen == sorted(chosen), "kept in the run's order"
    assert set(chosen) == set(backward.points()), "the same links, whatever order they came in"
