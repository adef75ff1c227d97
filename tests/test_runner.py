"""Incremental, resumable, deterministic runs: each stage's result is stored under its inputs and settings."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from pipeline import runner
from pipeline.config import Config, validate

DOCS = [
    {
        "id": "a",
        "zh": "今天天气很好。我们去公园散步。\n会议在北京召开。",
        "en": "The weather is fine. We walk.\nThe meeting.",
    },
    {"id": "b", "zh": "他说：“谢谢。”学生们在读书。", "en": '"Thanks," he said. The students read.'},
    {"id": "c", "zh": "没有参考的文件。"},
]
OUTPUTS = ("aligned.tsv", "corpus.zh", "corpus.en", "report.json", "report.html", "review.html")


def config(tmp_path: Path, tiny_model: Path, **sections: dict[str, Any]) -> Config:
    path = tmp_path / "docs.jsonl"
    if not path.exists():
        path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in DOCS), encoding="utf-8")
    translate = {"model": str(tiny_model), "progress": False, "threads": 1, "num_beams": 1, "max_new_tokens": 8}
    data: dict[str, Any] = {
        "ingest": {"name": "jsonl", "path": str(path)},
        "translate": translate,
        "run": {"shard_documents": 2},
        "score": {"metrics": ["bleu", "chrf"], "bootstrap": 0},
    }
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}
    return validate(data)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


def mtimes(folder: Path) -> dict[str, int]:
    return {name: os.stat(folder / name).st_mtime_ns for name in OUTPUTS}


def test_documents_are_split_into_shards_of_the_configured_size(tmp_path: Path, tiny_model: Path) -> None:
    result = runner.run(config(tmp_path, tiny_model), output=tmp_path / "out")
    assert result.reused == {"shards": 2, "segment": 0, "translate": 0, "align": 0, "score": 0, "export": 0}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [s["documents"] for s in manifest["run"]["shards"]] == [2, 1]
    assert [doc.id for doc in result.documents] == ["a", "b", "c"]


def test_the_same_config_twice_does_no_work_the_second_time(tmp_path: Path, tiny_model: Path) -> None:
    cfg = config(tmp_path, tiny_model)
    runner.run(cfg, output=tmp_path / "out")
    before, written = snapshot(tmp_path / "out"), mtimes(tmp_path / "out")
    second = runner.run(cfg, output=tmp_path / "out")
    assert second.reused == {"shards": 2, "segment": 2, "translate": 2, "align": 2, "score": 1, "export": 1}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["translation"]["segments_translated"] == 0
    assert snapshot(tmp_path / "out") == before
    assert mtimes(tmp_path / "out") == written, "outputs are not even rewritten"


def test_changing_only_score_settings_reruns_only_scoring(tmp_path: Path, tiny_model: Path) -> None:
    runner.run(config(tmp_path, tiny_model), output=tmp_path / "out")
    before = snapshot(tmp_path / "out")
    result = runner.run(config(tmp_path, tiny_model, score={"metrics": ["chrf"]}), output=tmp_path / "out")
    assert result.reused == {"shards": 2, "segment": 2, "translate": 2, "align": 2, "score": 0, "export": 0}
    assert [m.name for m in result.scores.corpus] == ["chrf"]
    assert snapshot(tmp_path / "out")["aligned.tsv"] == before["aligned.tsv"]  # sentence scores are always on


def test_changing_the_aligner_reuses_segmentation_and_translation(tmp_path: Path, tiny_model: Path) -> None:
    runner.run(config(tmp_path, tiny_model), output=tmp_path / "out")
    result = runner.run(config(tmp_path, tiny_model, align={"name": "gale-church"}), output=tmp_path / "out")
    assert result.reused == {"shards": 2, "segment": 2, "translate": 2, "align": 0, "score": 0, "export": 0}


def test_changing_the_model_settings_reruns_translation_and_everything_after(tmp_path: Path, tiny_model: Path) -> None:
    runner.run(config(tmp_path, tiny_model), output=tmp_path / "out")
    result = runner.run(config(tmp_path, tiny_model, translate={"max_new_tokens": 5}), output=tmp_path / "out")
    assert result.reused == {"shards": 2, "segment": 2, "translate": 0, "align": 0, "score": 0, "export": 0}


def test_changing_one_document_reruns_only_its_shard(tmp_path: Path, tiny_model: Path) -> None:
    runner.run(config(tmp_path, tiny_model), output=tmp_path / "out")
    changed = [*DOCS[:2], {"id": "c", "zh": "换了一句话。"}]
    (tmp_path / "docs.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in changed), "utf-8")
    result = runner.run(config(tmp_path, tiny_model), output=tmp_path / "out")
    assert result.reused == {"shards": 2, "segment": 1, "translate": 1, "align": 1, "score": 0, "export": 0}


def test_stage_results_that_are_no_longer_used_are_removed(tmp_path: Path, tiny_model: Path) -> None:
    runner.run(config(tmp_path, tiny_model), output=tmp_path / "out")
    runner.run(config(tmp_path, tiny_model, translate={"max_new_tokens": 5}), output=tmp_path / "out")
    stages = tmp_path / "out" / "stages"
    assert {len(list((stages / s).glob("*.jsonl"))) for s in ("segment", "translate", "align")} == {2}
    assert len(list((stages / "export").glob("*.json"))) == 1


def test_runs_in_two_folders_give_byte_identical_outputs(tmp_path: Path, tiny_model: Path) -> None:
    cfg = config(tmp_path, tiny_model)
    runner.run(cfg, output=tmp_path / "one" / "out")
    runner.run(cfg, output=tmp_path / "two" / "out")
    assert snapshot(tmp_path / "one" / "out") == snapshot(tmp_path / "two" / "out")


def test_an_edited_output_file_is_written_again(tmp_path: Path, tiny_model: Path) -> None:
    cfg = config(tmp_path, tiny_model)
    runner.run(cfg, output=tmp_path / "out")
    original = (tmp_path / "out" / "corpus.en").read_bytes()
    (tmp_path / "out" / "corpus.en").write_text("edited by hand\n", encoding="utf-8")
    result = runner.run(cfg, output=tmp_path / "out")
    assert result.reused["export"] == 0
    assert (tmp_path / "out" / "corpus.en").read_bytes() == original


def test_a_leftover_temporary_file_is_never_taken_for_a_result(tmp_path: Path, tiny_model: Path) -> None:
    cfg = config(tmp_path, tiny_model)
    first = runner.run(cfg, output=tmp_path / "out")
    keys = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["run"]["shards"][0]["keys"]
    align = tmp_path / "out" / "stages" / "align" / f"{keys['align']}.jsonl"
    # what a crash in the middle of writing leaves: a temporary file, never the result's own name
    align.rename(align.with_name(f".{align.name}.crashed.tmp"))
    again = runner.run(cfg, output=tmp_path / "out")
    assert again.reused["align"] == 1 and again.reused["translate"] == 2
    assert again.report == first.report


@pytest.mark.parametrize("doc_id", ["../../escape", "/etc/passwd", "a/../../b", "..", "CON"])
def test_document_ids_never_become_paths_outside_the_run_folder(tmp_path: Path, tiny_model: Path, doc_id: str) -> None:
    (tmp_path / "docs.jsonl").write_text(json.dumps({"id": doc_id, "zh": "你好。", "en": "Hi."}), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    before = {p for p in tmp_path.rglob("*")}
    runner.run(config(tmp_path, tiny_model), output=work / "out")
    created = {p for p in tmp_path.rglob("*")} - before
    assert all(work / "out" in p.parents or p == work / "out" for p in created), created
    assert doc_id in (work / "out" / "aligned.tsv").read_text(encoding="utf-8")


def test_source_date_epoch_dates_the_tmx_and_a_change_writes_it_again(
    tmp_path: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    cfg = config(tmp_path, tiny_model, export={"formats": ["tsv", "tmx"]})
    out = tmp_path / "out"
    runner.run(cfg, output=out)
    undated = (out / "corpus.tmx").read_bytes()
    assert b"creationdate" not in undated
    assert runner.run(cfg, output=out).reused["export"] == 1 and (out / "corpus.tmx").read_bytes() == undated
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert runner.run(cfg, output=out).reused["export"] == 0
    assert b'creationdate="20231114T221320Z"' in (out / "corpus.tmx").read_bytes()
