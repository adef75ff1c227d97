"""End to end through the real command line, on the tiny model: what a user of a fresh clone gets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from projects import copy_project

from pipeline.align.evaluate import read_links
from pipeline.export.tsv import COLUMNS, read_tsv
from pipeline.ingest.base import paragraphs_from_text
from pipeline.segment.zh_rules import ChineseRuleSegmenter

OUTPUT_FILES = {"aligned.tsv", "corpus.zh", "corpus.en", "report.json", "report.html", "manifest.json", "review.html"}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, lexicon_store: Path) -> Path:
    """`pipeline run configs/offline-demo.yaml` in a copy of the project: builds the tiny model on first use."""
    cwd = copy_project(tmp_path_factory.mktemp("project"), lexicon_store)
    out = cli("run", "configs/offline-demo.yaml", cwd=cwd)
    assert out.returncode == 0, out.stderr
    assert "BLEU|nrefs:1" in out.stdout and "chrF2|nrefs:1" in out.stdout
    assert "tiny random-weight test model" in out.stderr
    assert "covid-cooperation: its machine translation looks meaningless" in out.stderr
    # one translation pass: the aligner asks nothing more of a model it does not trust
    assert [line for line in out.stderr.splitlines() if line.startswith("translate:")] == [
        "translate: 62 sentences, 61 segments translated in 2 batches, 0 from the cache, 0 duplicates, 1 passed through"
    ]
    return cwd / "outputs" / "offline-demo"


def test_every_link_of_the_offline_demo_is_right(demo_run: Path) -> None:
    # The tiny model's nonsense weighs nothing; the dictionary, lengths, quotation marks and the 24
    # paragraphs align the seed article. The gold list was checked by hand, link by link, against
    # the texts; it holds the article's 62 Chinese sentences as zh-rules splits them.
    gold = read_links(Path(__file__).parent / "align" / "fixtures" / "seed-run.gold.align")
    _, rows = read_tsv(demo_run / "aligned.tsv")
    links = [(tuple(int(i) for i in r[2].split(",") if i), tuple(int(i) for i in r[3].split(",") if i)) for r in rows]
    assert links == gold


def test_offline_demo_writes_every_output_file(demo_run: Path) -> None:
    assert {p.name for p in demo_run.iterdir()} >= OUTPUT_FILES
    assert (demo_run.parent.parent / "models" / "tiny-opus-mt-zh-en" / "model.safetensors").is_file()


def test_every_chinese_sentence_appears_exactly_once_in_document_order(
    demo_run: Path, seed_files: tuple[Path, Path]
) -> None:
    header, rows = read_tsv(demo_run / "aligned.tsv")
    assert tuple(header) == COLUMNS
    src_ids = [int(i) for row in rows for i in row[2].split(",") if i]
    paragraphs = paragraphs_from_text(seed_files[0].read_text(encoding="utf-8"))
    sentences = [s.text for s in ChineseRuleSegmenter().sentences("seed", paragraphs)]
    assert src_ids == list(range(len(sentences)))
    assert "".join(row[4] for row in rows) == "".join(sentences)


def test_every_reference_sentence_appears_at_most_once(demo_run: Path) -> None:
    _, rows = read_tsv(demo_run / "aligned.tsv")
    ref_ids = [int(i) for row in rows for i in row[3].split(",") if i]
    assert ref_ids == sorted(set(ref_ids))


def test_link_ids_and_types_agree_with_the_id_columns(demo_run: Path) -> None:
    _, rows = read_tsv(demo_run / "aligned.tsv")
    assert [int(r[1]) for r in rows] == list(range(len(rows)))
    for row in rows:
        n = len([i for i in row[2].split(",") if i])
        m = len([i for i in row[3].split(",") if i])
        assert row[7] == f"{n}-{m}"
        if n and m:
            assert 0.0 <= float(row[8]) <= 1.0 and row[9] != ""


def test_corpus_files_have_equal_line_counts(demo_run: Path) -> None:
    zh = (demo_run / "corpus.zh").read_text(encoding="utf-8").splitlines()
    en = (demo_run / "corpus.en").read_text(encoding="utf-8").splitlines()
    assert len(zh) == len(en) > 0
    _, rows = read_tsv(demo_run / "aligned.tsv")
    assert len(zh) == sum(1 for r in rows if r[2] and r[3])


def test_report_counts_the_pairs_written_to_the_corpus(demo_run: Path) -> None:
    report = json.loads((demo_run / "report.json").read_text(encoding="utf-8"))
    counts = report["export"]["origins"]["reference"]
    assert report["export"]["pairs"] == "reference"
    assert counts["written"] == len((demo_run / "corpus.zh").read_text(encoding="utf-8").splitlines())
    assert counts["links"] == counts["one_sided"] + sum(counts["removed"].values()) + counts["written"]


def test_report_has_scores_with_signatures_and_counts_and_the_manifest_has_timings(demo_run: Path) -> None:
    report = json.loads((demo_run / "report.json").read_text(encoding="utf-8"))
    assert {s["metric"] for s in report["scores"]} == {"bleu", "chrf"}
    assert all(s["signature"].startswith("nrefs:1|") for s in report["scores"])
    assert report["counts"]["documents"] == 1
    assert sum(report["counts"]["link_types"].values()) == report["counts"]["links"]
    assert "timings_seconds" not in report  # timings change from run to run; the report must not
    manifest = json.loads((demo_run / "manifest.json").read_text(encoding="utf-8"))
    timings = manifest["run"]["timings_seconds"]
    assert set(timings) >= {"prepare", "ingest", "segment", "translate", "align", "score", "export"}
    assert manifest["run"]["translation"]["segments_translated"] > 0
    assert any("nonsense" in w for w in report["warnings"])


def test_manifest_says_how_the_run_was_made(demo_run: Path) -> None:
    manifest = json.loads((demo_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"]["translate"]["model"] == "models/tiny-opus-mt-zh-en"
    assert manifest["model"]["model"]["folder_sha256"]
    assert manifest["versions"]["torch"] and manifest["versions"]["sacrebleu"]
    assert {Path(i["path"]).name for i in manifest["inputs"]} == {
        "covid-cooperation.zh.txt",
        "covid-cooperation.en.txt",
    }
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"] + manifest["outputs"])
    assert set(manifest["signatures"]) == {"ingest", "segment.zh", "segment.en", "translate", "align", "score"}


def test_jsonl_run_with_a_document_without_reference(tmp_path: Path, tiny_model: Path, lexicon_store: Path) -> None:
    docs = [
        {
            "id": "with-ref",
            "zh": "今天天气很好。我们去公园散步。\n会议在北京召开。",
            "en": "The weather is fine today. We go for a walk.\nThe meeting was held in Beijing.",
        },
        {"id": "no-ref", "zh": "他说：“谢谢。”\t这是制表符。"},
    ]
    (tmp_path / "docs.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
    config = {
        "ingest": {"name": "jsonl", "path": "docs.jsonl"},
        "translate": {"model": str(tiny_model), "progress": False, "threads": 1},
        "align": {"models_dir": str(lexicon_store.parent)},
    }
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    out = cli("run", "run.yaml", "--output", "out", "--set", "translate.batch_size=2", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    _, rows = read_tsv(tmp_path / "out" / "aligned.tsv")
    no_ref = [r for r in rows if r[0] == "no-ref"]
    assert [(r[2], r[3], r[7], r[8], r[9]) for r in no_ref] == [("0", "", "1-0", "", ""), ("1", "", "1-0", "", "")]
    assert no_ref[1][4] == "这是制表符。" and all(r[5] for r in no_ref)  # translated although unscored
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert any("no reference" in w for w in report["warnings"])
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"]["translate"]["batch_size"] == 2


def test_validate_reports_all_problems_and_exits_non_zero(tmp_path: Path) -> None:
    bad = {
        "ingest": {"sources": ["a.txt"], "colour": "red"},
        "translate": {"batch_size": "x"},
        "align": {"name": "nope"},
    }
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    out = cli("validate", "bad.yaml", cwd=tmp_path)
    assert out.returncode == 2
    assert "3 problems in bad.yaml" in out.stderr
    for expected in (
        "ingest -> colour: unknown key",
        "translate -> batch_size:",
        "align: unknown backend 'nope'; valid names: 'dp'",
    ):
        assert expected in out.stderr


def test_validate_accepts_the_shipped_configs(root: Path) -> None:
    for config in ("configs/seed.yaml", "configs/offline-demo.yaml"):
        out = cli("validate", config, cwd=root)
        assert out.returncode == 0 and "valid" in out.stdout


def test_missing_model_stops_before_any_work(project_copy: Path) -> None:
    out = cli("run", "configs/seed.yaml", "--set", "translate.models_dir=empty-models", cwd=project_copy)
    assert out.returncode == 4
    assert "models pull Helsinki-NLP/opus-mt-zh-en" in out.stderr
    assert not (project_copy / "outputs").exists(), "nothing is written when the model is missing"


def test_missing_input_file_is_an_input_error(project_copy: Path, tiny_model: Path) -> None:
    out = cli(
        "run",
        "configs/offline-demo.yaml",
        "--set",
        "ingest.sources=[nothing.zh.txt]",
        "--set",
        f"translate.model={tiny_model}",
        cwd=project_copy,
    )
    assert out.returncode == 3
    assert "ingest -> sources: 'nothing.zh.txt' matches no file" in out.stderr


def test_segment_command_prints_one_sentence_per_line(root: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "segment", "--lang", "zh"],
        input="\u3000\u3000他说：“好。”她笑了。\n标题\n",
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == ["他说：“好。”", "她笑了。", "标题"]
