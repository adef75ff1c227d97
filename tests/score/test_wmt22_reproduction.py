"""The field's published numbers: WMT22 zh->en, all 12 submitted systems, scored through ``pipeline score``.

``published-scores.tsv`` holds the official automatic scores; ours must equal ``bleu-A`` (reference
A), ``bleu-all`` (both references) and ``chrf-A`` to two decimals. Reads ``../shared/data`` and skips
when it is absent.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sacrebleu

from pipeline.config import SacrebleuSettings
from pipeline.ingest.base import read_lines
from pipeline.score.systems import Evaluation, evaluate

pytestmark = pytest.mark.shared_data

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "wmt22-zh-en"


@pytest.fixture(scope="module")
def data() -> Path:
    if not (DATA / "published-scores.tsv").is_file():
        pytest.skip(f"WMT22 zh-en data not found at {DATA} (the shared data folder is not mounted)")
    return DATA


@pytest.fixture(scope="module")
def published(data: Path) -> dict[tuple[str, str], float]:
    with (data / "published-scores.tsv").open(encoding="utf-8", newline="") as handle:
        return {(row["system"], row["metric"]): float(row["score"]) for row in csv.DictReader(handle, delimiter="\t")}


@pytest.fixture(scope="module")
def systems(data: Path) -> list[Path]:
    return sorted((data / "systems").glob("*.en"))


@pytest.fixture(scope="module")
def against_a(data: Path, systems: list[Path]) -> Evaluation:
    settings = SacrebleuSettings(metrics=["bleu", "chrf"], bootstrap=0)
    return evaluate(systems, [data / "ref.A.en"], data / "docs.tsv", settings, tests=())


@pytest.fixture(scope="module")
def against_both(data: Path, systems: list[Path]) -> Evaluation:
    settings = SacrebleuSettings(metrics=["bleu"], bootstrap=0)
    return evaluate(systems, [data / "ref.A.en", data / "ref.B.en"], settings=settings, tests=())


def scores(evaluation: Evaluation, metric: str) -> dict[str, float]:
    return {s.name: next(m.score for m in s.corpus if m.name == metric) for s in evaluation.systems}


def test_all_twelve_systems_are_scored(systems: list[Path], published: dict[tuple[str, str], float]) -> None:
    assert len(systems) == 12
    assert {p.stem for p in systems} == {system for system, _ in published}


@pytest.mark.parametrize(
    ("evaluation", "metric", "published_metric", "nrefs"),
    [("against_a", "bleu", "bleu-A", 1), ("against_both", "bleu", "bleu-all", 2), ("against_a", "chrf", "chrf-A", 1)],
)
def test_scores_equal_the_published_ones_to_two_decimals(
    request: pytest.FixtureRequest,
    published: dict[tuple[str, str], float],
    evaluation: str,
    metric: str,
    published_metric: str,
    nrefs: int,
) -> None:
    result: Evaluation = request.getfixturevalue(evaluation)
    ours = {name: f"{score:.2f}" for name, score in scores(result, metric).items()}
    theirs = {name: f"{published[(name, published_metric)]:.2f}" for name in ours}
    assert ours == theirs
    assert all(m.signature.startswith(f"nrefs:{nrefs}|") for s in result.systems for m in s.corpus)


def test_per_document_scores_follow_docs_tsv(data: Path, against_a: Evaluation) -> None:
    doc_ids = [line.split("\t")[1] for line in read_lines(data / "docs.tsv")[1:]]
    assert sum(against_a.documents.values()) == len(doc_ids) == against_a.segments == 1875
    assert list(against_a.documents) == list(dict.fromkeys(doc_ids))
    # Each document is scored as a corpus of its own lines: check one system's every document against sacrebleu.
    system = against_a.systems[0]
    hyps = read_lines(Path(system.path))
    refs = read_lines(data / "ref.A.en")
    for doc_id, doc_scores in system.documents.items():
        lines = [i for i, d in enumerate(doc_ids) if d == doc_id]
        bleu = sacrebleu.corpus_bleu([hyps[i] for i in lines], [[refs[i] for i in lines]]).score
        assert doc_scores[0].score == bleu, doc_id
