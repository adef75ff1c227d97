"""Formats written while the links stream past are the formats written from a whole run in memory."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from export_builders import SAMPLE, aligned_document, no_scores
from oracle import export, export_links, links_of, rows_from_docs, select_pairs, write_selection

from pipeline.config import ExportFilters, ExportSection
from pipeline.export import digests
from pipeline.export.digests import DigestSet
from pipeline.export.jsonl import JsonlExporter
from pipeline.export.moses import MosesExporter
from pipeline.export.tmx import TmxExporter


def docs_and_scores() -> tuple[list, object]:
    docs = [aligned_document("a", SAMPLE), aligned_document("b", SAMPLE[:2]), aligned_document("c", SAMPLE[::-1])]
    return docs, no_scores(docs)


# ---------------------------------------------------------------------------------------------
# digests


def test_a_digest_set_remembers_texts_across_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digests, "BUFFER", 8)
    seen = DigestSet()
    texts = [f"sentence {i}" for i in range(100)]
    assert all(seen.add(t) for t in texts)
    assert not any(seen.add(t) for t in texts), "every text is known again, merged or not"
    assert "sentence 7" in seen and "sentence 100" not in seen and len(seen) == 100


def test_a_digest_set_keeps_16_bytes_per_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digests, "BUFFER", 10)
    seen = DigestSet()
    for i in range(1000):
        seen.add(str(i))
    assert seen.merged_bytes == 16 * 1000  # all merged: 1000 is a multiple of 10


# ---------------------------------------------------------------------------------------------
# corpus formats


@pytest.mark.parametrize("exporter", [JsonlExporter, MosesExporter, TmxExporter])
@pytest.mark.parametrize("pairs", ["reference", "mt", "both"])
def test_streamed_corpus_files_equal_the_ones_written_from_a_selection(
    tmp_path: Path, exporter: type, pairs: str
) -> None:
    docs, scores = docs_and_scores()
    settings = ExportSection(pairs=pairs, filters=ExportFilters(drop_duplicates=True, min_align_score=0.3))
    streamed = export(exporter(settings), docs, scores, tmp_path / "streamed")
    selection = select_pairs(rows_from_docs(docs, scores), settings)
    whole = write_selection(exporter(settings), selection, tmp_path / "whole")
    for one, other in zip(streamed, whole, strict=True):
        text = [re.sub(r'creationdate="\w+"', "", p.read_text(encoding="utf-8")) for p in (one, other)]
        assert text[0] == text[1], one.name
    assert not [p for p in (tmp_path / "streamed").iterdir() if p.name.startswith(".")], "no temporary file left"


def test_both_origins_go_to_one_file_origin_after_origin(tmp_path: Path) -> None:
    docs, scores = docs_and_scores()
    [path] = export(JsonlExporter(ExportSection(pairs="both")), docs, scores, tmp_path)
    origins = [json.loads(line)["origin"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert origins == sorted(origins, key=["reference", "mt"].index) and set(origins) == {"reference", "mt"}


def test_parquet_is_written_in_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the 'parquet' extra: pip install '.[parquet]'")
    from pipeline.export import parquet
    from pipeline.export.parquet import ParquetExporter

    monkeypatch.setattr(parquet, "ROW_GROUP", 4)
    docs, scores = docs_and_scores()
    settings = ExportSection(pairs="both")
    [path] = export(ParquetExporter(settings), docs, scores, tmp_path)
    selection = select_pairs(rows_from_docs(docs, scores), settings)
    assert pq.ParquetFile(path).num_row_groups == -(-len(selection.pairs) // 4)
    assert pq.read_table(path).to_pylist() == [p.record() for p in selection.pairs]


def test_the_export_section_of_the_report_counts_what_the_filters_did(tmp_path: Path) -> None:
    docs, scores = docs_and_scores()
    settings = ExportSection(pairs="both", filters=ExportFilters(min_align_score=0.5))
    result = export_links([MosesExporter(settings)], links_of(docs, scores), settings, tmp_path)
    assert result.summary == select_pairs(rows_from_docs(docs, scores), settings).summary()
    assert export_links([], links_of(docs, scores), settings, tmp_path).summary is None
