"""report.json says every score with its signature and interval, counts, flagged links; report.html shows
every document, escapes every input text and needs nothing from the network."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from oracle import assemble, export, render_html, rows_from_docs

from pipeline.config import SacrebleuSettings
from pipeline.errors import InputError
from pipeline.export.tsv import TsvExporter, read_link_rows
from pipeline.records import AlignedDocument, Link, Sentence, Translation
from pipeline.report.builder import RunFacts
from pipeline.score.sacrebleu_scorer import SacrebleuScorer

HOSTILE = '<script>alert("zh")</script>'
HOSTILE_ID = '<script>alert("id")</script>&"x"'


def sentences(doc_id: str, lang: str, texts: list[str]) -> tuple[Sentence, ...]:
    return tuple(Sentence(doc_id, lang, i, 0, 0, len(t), t) for i, t in enumerate(texts))


def documents() -> list[AlignedDocument]:
    hostile = AlignedDocument(
        id=HOSTILE_ID,
        sources=sentences(HOSTILE_ID, "zh", [f"他说{HOSTILE}。", "第二句。", "多余。"]),
        references=sentences(HOSTILE_ID, "en", ["He said <b>hi</b> & left.", "The second one.", "</td></table>"]),
        translations=(
            Translation("He said <i>hi</i>."),
            Translation("Second sentence.", ("clause-split",)),
            Translation("Extra <img src=x onerror=alert(1)>.", ("repetition", "clause-split")),
        ),
        links=(
            Link(HOSTILE_ID, 0, (0,), (0,), 0.91),
            Link(HOSTILE_ID, 1, (1, 2), (1,), 0.42),
            Link(HOSTILE_ID, 2, (), (2,), 0.05),
        ),
    )
    plain = AlignedDocument(
        id="plain",
        sources=sentences("plain", "zh", ["今天下雨。"]),
        references=None,
        translations=(Translation("It rains today."),),
        links=(Link("plain", 0, (0,), (), None),),
    )
    return [hostile, plain]


def facts(docs: list[AlignedDocument]) -> RunFacts:
    rows = [
        {
            "id": d.id,
            "source": f"{d.id}.zh.txt",
            "reference": None if d.references is None else f"{d.id}.en.txt",
            "has_reference": d.references is not None,
            "paragraphs": {"zh": 1, "en": 1},
            "sentences": {"zh": len(d.sources), "en": len(d.references or ())},
            "links": len(d.links),
        }
        for d in docs
    ]
    return RunFacts(run="test<run>", documents=rows, warnings=[f"a warning about {HOSTILE}"], timings={"score": 0.1})


@pytest.fixture(scope="module")
def built() -> tuple[dict, list, str]:
    docs = documents()
    settings = SacrebleuSettings(metrics=["bleu", "chrf", "chrf++", "ter"], bootstrap=100)
    scores = SacrebleuScorer(settings).score(docs)
    links = rows_from_docs(docs, scores)
    report = assemble(facts(docs), links, scores)
    return report, links, render_html(report, links)


def test_report_json_has_scores_with_signatures_and_intervals(built: tuple[dict, list, str]) -> None:
    report, _, _ = built
    assert [s["metric"] for s in report["scores"]] == ["bleu", "chrf", "chrf++", "ter"]
    for score in report["scores"]:
        assert score["signature"].startswith("nrefs:1|bs:100|seed:12345|") and score["signature"] in score["text"]
        assert score["ci"]["low"] <= score["ci"]["mean"] <= score["ci"]["high"]


def test_report_json_counts_link_types_and_lists_flagged_links(built: tuple[dict, list, str]) -> None:
    counts = built[0]["counts"]
    assert counts["link_types"] == {"0-1": 1, "1-1": 1, "2-1": 1}  # the reference-less document is not counted
    assert (counts["links"], counts["scored_links"], counts["unscored_links"]) == (4, 2, 2)
    assert counts["flagged_links"] == 1 and counts["flags"] == {"clause-split": 1, "repetition": 1}
    assert built[0]["flagged"] == [{"doc_id": HOSTILE_ID, "link_id": 1, "flags": ["clause-split", "repetition"]}]


def test_report_json_scores_each_document(built: tuple[dict, list, str]) -> None:
    docs = {d["id"]: d for d in built[0]["documents"]}
    assert set(docs[HOSTILE_ID]["scores"]) == {"bleu", "chrf", "chrf++", "ter"} and docs["plain"]["scores"] == {}
    assert docs[HOSTILE_ID]["mean_align_score"] == pytest.approx((0.91 + 0.42 + 0.05) / 3, abs=1e-4)
    assert built[0]["document_score_signatures"]["bleu"].startswith("nrefs:1|case:mixed")


class Page(HTMLParser):
    """Collects tags, attributes and text of a page, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def test_html_shows_every_input_text_as_text_and_runs_nothing(built: tuple[dict, list, str]) -> None:
    page = parse(built[2])
    assert "script" not in page.tags and "img" not in page.tags and "iframe" not in page.tags
    assert not [name for name, _ in page.attributes if name.startswith("on")]
    text = "\n".join(page.text)
    for shown in (
        HOSTILE,
        "He said <b>hi</b> & left.",
        "</td></table>",
        "Extra <img src=x onerror=alert(1)>.",
        "test<run>",
    ):
        assert shown in text


def test_html_names_every_document_and_links_to_its_table(built: tuple[dict, list, str]) -> None:
    page = parse(built[2])
    text = "\n".join(page.text)
    for doc in built[0]["documents"]:
        assert doc["id"] in text
    anchors = {value for name, value in page.attributes if name == "id"}
    assert {"doc-0", "doc-1"} <= anchors


def test_html_needs_nothing_from_the_network(built: tuple[dict, list, str]) -> None:
    page = parse(built[2])
    assert "link" not in page.tags  # no external style sheet
    for name, value in page.attributes:
        if name in ("src", "href", "xlink:href"):
            assert value is not None and value.startswith(("#", "data:")), (name, value)
    assert built[2].count("<svg") == 3  # the three plots, inline


def test_a_run_without_anything_to_score_still_renders(tmp_path: Path) -> None:
    [_, plain] = documents()
    scores = SacrebleuScorer().score([plain])
    report = assemble(facts([plain]), rows_from_docs([plain], scores), scores)
    page = render_html(report, rows_from_docs([plain], scores))
    assert "No scores: no link has a reference." in page and "nothing to plot" in page


def test_links_read_back_from_the_tsv_equal_the_runs(tmp_path: Path) -> None:
    docs = documents()
    scores = SacrebleuScorer(SacrebleuSettings(bootstrap=0)).score(docs)
    [path] = export(TsvExporter(), docs, scores, tmp_path)
    assert list(read_link_rows(path)) == rows_from_docs(docs, scores)


def test_scores_computed_again_are_written_into_the_row_as_the_tsv_rounds_them(tmp_path: Path) -> None:
    docs = documents()
    scores = SacrebleuScorer(SacrebleuSettings(bootstrap=0)).score(docs)
    [path] = export(TsvExporter(), docs, scores, tmp_path)
    unscored = [row.with_scores(None, None) for row in read_link_rows(path)]
    assert {(row.chrf, row.fields[9]) for row in unscored} == {(None, "")}
    # pipeline report scores the texts again: the rows come back as the run wrote them
    again = [row.with_scores(scores.link_chrf.get(row.key), scores.link_bleu.get(row.key)) for row in unscored]
    assert again == rows_from_docs(docs, scores)
    assert again[0].chrf == round(scores.link_chrf[again[0].key], 2)


def test_a_malformed_tsv_row_is_named_with_its_line(tmp_path: Path) -> None:
    docs = documents()
    scores = SacrebleuScorer(SacrebleuSettings(bootstrap=0)).score(docs)
    [path] = export(TsvExporter(), docs, scores, tmp_path)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace("\t1\t1,2\t", "\t1\t1;2\t", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match=r"aligned.tsv:3: src_ids: '1;2' is not a comma-separated list"):
        list(read_link_rows(path))


def test_a_tsv_from_elsewhere_is_refused_with_the_columns_it_needs(tmp_path: Path) -> None:
    path = tmp_path / "aligned.tsv"
    path.write_text("doc_id\tzh\ten\nd\t你好\thello\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"aligned.tsv:1: not an aligned TSV .* must start with doc_id, link_id, "):
        list(read_link_rows(path))
