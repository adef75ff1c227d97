"""A run holds one document at a time after translation: its outputs do not depend on the shard size,
and pages that cannot hold every link of a large run hold the first ones and say where the rest is.

Translations come from a file here (the ``precomputed`` translator), so they are the same whatever the
shards: a model translates a shard's sentences in batches, and batches differ with the shard size.
"""

from __future__ import annotations

import gc
import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline import runner
from pipeline.config import Config, validate
from pipeline.export.tsv import COLUMNS, format_tsv
from pipeline.records import AlignedDocument, DocumentScores
from pipeline.report.regenerate import regenerate
from pipeline.report.run import RunReport
from pipeline.review.apply import apply_review
from pipeline.score.sacrebleu_scorer import SacrebleuTotals

LINES = [
    ("今天北京下雨。", "It rained in Beijing today.", "It rains in Beijing today."),
    ("会议在上海召开。", "The meeting was held in Shanghai.", "The meeting took place in Shanghai."),
    ("与会者很多。", "Many attended.", "Many people attended."),
    ("他说：“谢谢。”", 'He said: "Thank you."', 'He said: "Thanks."'),
    ("价格上涨了。", "Prices rose.", "Prices went up."),
]
OUTPUTS = ("aligned.tsv", "corpus.zh", "corpus.en", "corpus.mt.zh", "corpus.mt.en", "corpus.jsonl")
OUTPUTS += ("report.json", "report.html", "review.html")


def write_documents(folder: Path, count: int) -> Path:
    """``count`` documents of two to five lines each; every third has no reference, one has repetitions."""
    records = []
    for d in range(count):
        rows = [LINES[(d + k) % len(LINES)] for k in range(2 + d % 4)]
        if d == 1:
            rows = rows + rows  # a document repeating itself: duplicate pairs
        record = {"id": f"doc{d:02d}", "zh": "\n".join(z for z, _, _ in rows), "mt": "\n".join(m for _, _, m in rows)}
        if d % 3:
            record["en"] = "\n".join(e for _, e, _ in rows)
        records.append(record)
    path = folder / "docs.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    return path


def config(docs: Path, shard_documents: int, **export: Any) -> Config:
    return validate(
        {
            "ingest": {"name": "jsonl", "path": str(docs)},
            "segment": {"zh": {"name": "zh-lines"}, "en": {"name": "en-lines"}},
            "translate": {"name": "precomputed", "format": "jsonl", "path": str(docs)},
            "run": {"shard_documents": shard_documents},
            "score": {"metrics": ["bleu", "chrf"], "bootstrap": 50},
            "export": {
                "formats": ["tsv", "moses", "jsonl", "review"],
                "pairs": "both",
                "filters": {"drop_duplicates": True},
                **export,
            },
        }
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


def test_outputs_do_not_depend_on_the_shard_size(tmp_path: Path) -> None:
    docs = write_documents(tmp_path, 12)
    outputs = {}
    for size in (1, 5, 100):
        result = runner.run(config(docs, size), output=tmp_path / str(size) / "run")
        assert result.reused["shards"] == -(-12 // size)
        outputs[size] = snapshot(tmp_path / str(size) / "run")
    assert outputs[1] == outputs[5] == outputs[100]
    report = json.loads(outputs[1]["report.json"])
    assert report["counts"]["documents"] == 12 and report["export"]["origins"]["reference"]["removed"]["duplicates"]


def test_a_run_holds_one_document_at_a_time_after_translation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While it exports and while it sums the scores, a run holds one document (and its scores) at a time."""
    alive: dict[str, list[int]] = {"exported": [], "summed": []}

    def count(kind: type) -> int:
        return sum(1 for o in gc.get_objects() if type(o) is kind)

    report_add, totals_add = RunReport.add, SacrebleuTotals.add

    def exporting(self: RunReport, *args: Any) -> None:
        alive["exported"].append(count(AlignedDocument))
        report_add(self, *args)

    def summing(self: SacrebleuTotals, document: DocumentScores) -> None:
        alive["summed"].append(count(DocumentScores))
        totals_add(self, document)

    monkeypatch.setattr(RunReport, "add", exporting)
    monkeypatch.setattr(SacrebleuTotals, "add", summing)
    gc.collect()
    before = {"exported": count(AlignedDocument), "summed": count(DocumentScores)}  # other tests' records
    runner.run(config(write_documents(tmp_path, 8), 1), output=tmp_path / "run")
    assert len(alive["exported"]) == len(alive["summed"]) == 8
    assert max(alive["exported"]) - before["exported"] == 1 and max(alive["summed"]) - before["summed"] == 1


def test_a_run_over_the_limits_lists_the_first_links_and_says_where_the_rest_is(tmp_path: Path) -> None:
    docs = write_documents(tmp_path, 6)
    run = tmp_path / "run"
    runner.run(config(docs, 2, review_max_links=4, report_max_links=3), output=run)
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    links, flagged = report["counts"]["links"], report["counts"]["flagged_links"]
    assert report["left_out"]["every_link"] == "aligned.tsv"
    assert report["left_out"]["review_links"] == links - 4 and report["left_out"]["document_links"] == links - 3
    assert report["left_out"]["limits"] == {"report_max_links": 3, "scatter_points": 20_000, "review_max_links": 4}
    assert "flagged" not in report["left_out"] and len(report["flagged"]) == flagged
    review = (run / "review.html").read_text(encoding="utf-8")
    assert f"holds the first 4 links of the run; {links - 4} more are not on it" in review
    page = (run / "report.html").read_text(encoding="utf-8")
    assert f"The tables list the first 3 links of the run (export.report_max_links); {links - 3} more" in page


def test_a_limited_run_is_reported_again_byte_for_byte(tmp_path: Path) -> None:
    run = tmp_path / "run"
    runner.run(config(write_documents(tmp_path, 6), 2, review_max_links=4, report_max_links=3), output=run)
    before = {name: (run / name).read_bytes() for name in ("report.json", "report.html")}
    regenerate(run)
    assert {name: (run / name).read_bytes() for name in before} == before


def test_a_review_of_a_limited_page_is_applied(tmp_path: Path) -> None:
    run = tmp_path / "run"
    runner.run(config(write_documents(tmp_path, 6), 2, review_max_links=4), output=run)
    page = (run / "review.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="review-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    rows = data["rows"]
    rows[0][COLUMNS.index("status")] = "reject"
    (tmp_path / "reviewed.tsv").write_text(format_tsv(COLUMNS, rows), encoding="utf-8")  # what the page downloads
    result = apply_review(tmp_path / "reviewed.tsv", run)
    assert result.decisions["reject"] == 1
    assert result.selection.counts["reference"].removed["review_reject"] == 1
    assert "holds the first 4 links of the run" in (run / "review.html").read_text(encoding="utf-8")


def test_a_tsv_whose_documents_are_out_of_order_is_refused_by_pipeline_report(tmp_path: Path) -> None:
    from pipeline.errors import InputError

    run = tmp_path / "run"
    runner.run(config(write_documents(tmp_path, 4), 2), output=run)
    header, *rows = (run / "aligned.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    first = [r for r in rows if r.startswith("doc00\t")]
    (run / "aligned.tsv").write_text(header + "".join([r for r in rows if r not in first] + first), encoding="utf-8")
    with pytest.raises(InputError, match="links of document 'doc00' apart or out of the order of report.json"):
        regenerate(run)
