"""A config run on precomputed translations gives the numbers ``pipeline score`` gives on the same lines,
and writes a report that ``pipeline report`` rebuilds byte for byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.align.evaluate import read_links
from pipeline.export.tsv import read_tsv
from pipeline.score.systems import evaluate

# Line-parallel source, reference and system output of two documents (one segment a line).
DOCS = {
    "news": [
        ("今天北京下雨。", "It rained in Beijing today.", "It rained in Beijing today."),
        (
            "会议在上海召开。与会者很多。",
            "The meeting was held in Shanghai. Many attended.",
            "The meeting took place in Shanghai. Many people attended.",
        ),
        ("他说：“谢谢。”", 'He said: "Thank you."', 'He said: "Thanks."'),
    ],
    "chat": [
        ("你好", "Hello", "Hi"),
        ("我们明天见面吧。", "Let's meet tomorrow.", "Let us meet tomorrow."),
    ],
}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, lexicon_store: Path) -> Path:
    cwd = tmp_path_factory.mktemp("precomputed")
    records = [
        {"id": doc, "zh": "\n".join(z for z, _, _ in rows), "en": "\n".join(e for _, e, _ in rows),
         "mt": "\n".join(m for _, _, m in rows)}
        for doc, rows in DOCS.items()
    ]  # fmt: skip
    (cwd / "docs.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    config = {
        "run": {"name": "pre"},
        "ingest": {"name": "jsonl", "path": "docs.jsonl"},
        "segment": {"zh": {"name": "zh-lines"}, "en": {"name": "en-lines"}},
        "translate": {"name": "precomputed", "format": "jsonl", "path": "docs.jsonl"},
        "align": {"link_types": ["1-1"], "models_dir": str(lexicon_store.parent)},  # line i links to line i
        "score": {"bootstrap": 200},
    }
    (cwd / "run.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    out = cli("run", "run.yaml", cwd=cwd)
    assert out.returncode == 0, out.stderr
    return cwd / "outputs" / "pre"


def test_every_line_is_one_link_and_the_scores_equal_pipeline_score(run: Path, tmp_path: Path) -> None:
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["link_types"] == {"1-1": 5}
    lines = [row for rows in DOCS.values() for row in rows]
    for name, column in (("ref.en", 1), ("hyp.en", 2)):
        (tmp_path / name).write_text("".join(f"{row[column]}\n" for row in lines), encoding="utf-8")
    (tmp_path / "docs.txt").write_text("".join(f"{doc}\n" for doc, rows in DOCS.items() for _ in rows))
    from pipeline.config import SacrebleuSettings

    expected = evaluate([tmp_path / "hyp.en"], [tmp_path / "ref.en"], tmp_path / "docs.txt",
                        SacrebleuSettings(bootstrap=200), tests=())  # fmt: skip
    [system] = expected.systems
    assert [s["text"] for s in report["scores"]] == [m.text for m in system.corpus]
    assert {d["id"]: d["scores"] for d in report["documents"]} == {
        doc: {m.name: m.score for m in scores} for doc, scores in system.documents.items()
    }
    assert report["signatures"]["translate"].startswith("precomputed|format:jsonl|fields:zh,mt|sha256:")


def test_pipeline_report_rebuilds_the_same_files(run: Path) -> None:
    before = {name: (run / name).read_bytes() for name in ("report.json", "report.html")}
    out = cli("report", str(run), cwd=run)
    assert out.returncode == 0, out.stderr
    assert {name: (run / name).read_bytes() for name in before} == before
    assert out.stderr == ""  # nothing from the libraries that draw and score it


def test_a_run_logs_its_progress_and_no_library_chatter(tmp_path: Path, run: Path) -> None:
    out = cli("run", "run.yaml", "--output", str(tmp_path / "again"), cwd=run.parent.parent)
    assert out.returncode == 0, out.stderr
    assert out.stderr.startswith(f"ingest: {len(DOCS)} documents"), out.stderr
    assert "categorical units" not in out.stderr
    # one line for the whole run, not a running total per document
    assert [line for line in out.stderr.splitlines() if line.startswith("translate:")] == [
        "translate: 5 sentences from docs.jsonl (2 documents by sentence)"
    ]


def test_pipeline_report_without_report_json_derives_what_it_can(run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("aligned.tsv", "manifest.json"):
        (copy / name).write_bytes((run / name).read_bytes())
    out = cli("report", str(copy), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    report = json.loads((copy / "report.json").read_text(encoding="utf-8"))
    original = json.loads((run / "report.json").read_text(encoding="utf-8"))
    assert report["scores"] == original["scores"] and report["counts"]["link_types"] == {"1-1": 5}
    assert report["warnings"] == [
        "report.json was missing: the run's warnings, translation statistics and timings are unknown"
    ]
    assert (copy / "report.html").is_file()


@pytest.mark.parametrize(
    ("remove", "message"),
    [("manifest.json", "is not a finished run"), ("aligned.tsv", "needs the run's aligned TSV")],
)
def test_pipeline_report_needs_the_manifest_and_the_tsv(run: Path, tmp_path: Path, remove: str, message: str) -> None:
    for name in ("aligned.tsv", "manifest.json", "report.json"):
        if name != remove:
            (tmp_path / name).write_bytes((run / name).read_bytes())
    out = cli("report", str(tmp_path), cwd=tmp_path)
    assert out.returncode == 3 and message in out.stderr


# ---------------------------------------------------------------------------------------------
# translations made a paragraph (a document line) at a time

FIXTURES = Path(__file__).parent / "align" / "fixtures"


def _paragraph_translations(folder: Path) -> Path:
    """The seed article's sentence translations (written for the tests), joined paragraph by paragraph."""
    sentences = (FIXTURES / "seed.mt.sents").read_text(encoding="utf-8").splitlines()
    paragraph_of = [int(p) for p in (FIXTURES / "seed.zh.paragraphs").read_text(encoding="utf-8").split()]
    paragraphs: dict[int, list[str]] = {}
    for text, paragraph in zip(sentences, paragraph_of, strict=True):
        paragraphs.setdefault(paragraph, []).append(text)
    path = folder / "system.en"
    path.write_text("".join(" ".join(p) + "\n" for p in paragraphs.values()), encoding="utf-8")
    return path


def _seed_config(folder: Path, root: Path, lexicon_store: Path, translate: dict) -> Path:
    config = {
        "run": {"name": "paragraphs"},
        "ingest": {
            "sources": [str(root / "examples/seed/covid-cooperation.zh.txt")],
            "references": [str(root / "examples/seed/covid-cooperation.en.txt")],
        },
        "translate": {"name": "precomputed", **translate},
        "align": {"models_dir": str(lexicon_store.parent)},
        "score": {"bootstrap": 0},
        "export": {"formats": ["tsv"]},
    }
    (folder / "run.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return folder / "run.yaml"


def test_paragraph_translations_are_split_and_aligned_to_each_sentence(
    tmp_path: Path, root: Path, lexicon_store: Path
) -> None:
    system = _paragraph_translations(tmp_path)
    source = root / "examples/seed/covid-cooperation.zh.txt"
    _seed_config(tmp_path, root, lexicon_store, {"source": str(source), "path": str(system)})
    out = cli("run", "run.yaml", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    _, rows = read_tsv(tmp_path / "outputs" / "paragraphs" / "aligned.tsv")
    links = [(tuple(int(i) for i in r[2].split(",") if i), tuple(int(i) for i in r[3].split(",") if i)) for r in rows]
    assert links == read_links(FIXTURES / "seed-run.gold.align")  # every link as with a sentence-level MT
    first = rows[0]
    assert first[5] == (FIXTURES / "seed.mt.sents").read_text(encoding="utf-8").splitlines()[0]
    assert all(r[5] for r in rows if r[2]), "every Chinese sentence got its part of its paragraph's translation"
    manifest = json.loads((tmp_path / "outputs" / "paragraphs" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"]["documents_by_unit"] == {"paragraphs": 1}
    assert f"translate: 62 sentences from {system} (1 document by paragraph)" in out.stderr.splitlines()


def test_a_file_that_translates_neither_the_sentences_nor_the_paragraphs_is_refused(
    tmp_path: Path, root: Path, lexicon_store: Path
) -> None:
    source = root / "examples/seed/covid-cooperation.zh.txt"
    lines = source.read_text(encoding="utf-8").splitlines()
    (tmp_path / "src.zh").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")  # three paragraphs only
    (tmp_path / "sys.en").write_text("One.\nTwo.\nThree.\n", encoding="utf-8")
    _seed_config(tmp_path, root, lexicon_store, {"source": "src.zh", "path": "sys.en"})
    out = cli("run", "run.yaml", cwd=tmp_path)
    assert out.returncode == 3
    # (the first paragraph is one sentence: it counts as both)
    assert "sys.en holds translations of 1 of the 62 sentences and 3 of the 24 paragraphs" in out.stderr


def test_precomputed_translations_never_crash_a_run_whose_links_are_uncertain(
    tmp_path: Path, root: Path, lexicon_store: Path
) -> None:
    # every link is revisited (threshold 1.0) and re-translation is asked for: a file cannot translate the
    # merged spans, so none is asked for, and the run goes through
    system = _paragraph_translations(tmp_path)
    source = root / "examples/seed/covid-cooperation.zh.txt"
    config = _seed_config(tmp_path, root, lexicon_store, {"source": str(source), "path": str(system)})
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["align"].update({"retranslate": True, "forced_decoding": True, "bridge_threshold": 1.0})
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = cli("run", "run.yaml", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    report = json.loads((tmp_path / "outputs" / "paragraphs" / "report.json").read_text(encoding="utf-8"))
    assert report["signatures"]["align"].endswith("|revisit:none")
    assert report["alignment"]["counts"]["retranslated_spans"] == 0
