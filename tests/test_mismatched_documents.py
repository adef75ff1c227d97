"""A document paired with a reference that is not its translation: flagged, warned about, its links unsure,
and kept out of the parallel corpus unless asked for."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline import config, runner
from pipeline.export.tsv import read_tsv

# A People's Daily paragraph's worth of English that has nothing to do with the seed article.
OTHER_TEXT = """The river rose for three days after the storm, and the farmers moved their cattle to the hills.
Schools in the valley stayed closed while engineers checked the old stone bridge.
By the weekend the water had fallen, leaving mud on the streets and fields.
The mayor thanked volunteers who had filled sandbags through the night.
Insurance companies sent assessors to count the damage to houses and crops.
Some families said they would rebuild on higher ground before the next rainy season.
"""


def _run(tmp_path: Path, lexicon_store: Path, **export: object) -> tuple[Path, dict]:
    root = Path(__file__).resolve().parent.parent
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(root / "examples/seed/covid-cooperation.zh.txt", data / "good.zh.txt")
    shutil.copy(root / "examples/seed/covid-cooperation.en.txt", data / "good.en.txt")
    shutil.copy(root / "examples/seed/covid-cooperation.zh.txt", data / "wrong.zh.txt")
    (data / "wrong.en.txt").write_text(OTHER_TEXT, encoding="utf-8")
    cfg = config.validate(
        {
            "ingest": {"sources": [str(data / "*.zh.txt")], "references": [str(data / "*.en.txt")]},
            "translate": {"name": "none"},
            "align": {"models_dir": str(lexicon_store.parent)},
            "export": {"formats": ["tsv", "moses"], **export},
        }
    )
    out = tmp_path / "out"
    runner.run(cfg, output=out)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return out, report


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory, lexicon_store: Path) -> tuple[Path, dict]:
    return _run(tmp_path_factory.mktemp("mismatch"), lexicon_store)


def test_the_mismatched_document_is_flagged_and_the_translation_is_not(default_run: tuple[Path, dict]) -> None:
    _, report = default_run
    notes = {doc["id"]: doc["alignment"] for doc in report["documents"]}
    assert notes["wrong"]["mismatched"] is True and notes["wrong"]["text_match_rate"] < 0.08
    assert notes["good"]["mismatched"] is False and notes["good"]["text_match_rate"] > 0.3
    assert any(
        w.startswith("document wrong: its reference does not look like a translation") for w in report["warnings"]
    )
    assert not any(w.startswith("document good:") for w in report["warnings"])


def test_no_link_of_the_mismatched_document_is_sure(default_run: tuple[Path, dict]) -> None:
    out, _ = default_run
    _, rows = read_tsv(out / "aligned.tsv")
    wrong = [float(r[8]) for r in rows if r[0] == "wrong"]
    good = [float(r[8]) for r in rows if r[0] == "good"]
    assert max(wrong) < 0.2
    assert min(good) > 0.5


def test_its_pairs_stay_out_of_the_corpus_by_default_and_are_counted(default_run: tuple[Path, dict]) -> None:
    out, report = default_run
    corpus = (out / "corpus.en").read_text(encoding="utf-8")
    assert "farmers" not in corpus and "COVID-19" in corpus
    _, rows = read_tsv(out / "aligned.tsv")
    two_sided = sum(1 for r in rows if r[0] == "wrong" and r[2] and r[3])
    assert report["export"]["origins"]["reference"]["removed"]["mismatched_document"] == two_sided > 0


def test_the_corpus_keeps_them_when_asked(tmp_path: Path, lexicon_store: Path) -> None:
    out, report = _run(tmp_path, lexicon_store, skip_mismatched_documents=False)
    assert "farmers" in (out / "corpus.en").read_text(encoding="utf-8")
    assert any("still in the corpus" in w for w in report["warnings"])
