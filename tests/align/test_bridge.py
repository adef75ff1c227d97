"""The model bridge: re-translation of merged spans and forced decoding, on the tiny model.

The tiny model's translations are nonsense, so these tests check the code paths and the
bookkeeping (what was asked of the model, what the report says), not alignment quality.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import config, runner
from pipeline.align.bridge import merged_spans
from pipeline.align.dp import DPAligner
from pipeline.align.search import Step
from pipeline.config import DPAlignerSettings, MarianSettings
from pipeline.translate.base import Translator
from pipeline.translate.marian import MarianTranslator

pytestmark = pytest.mark.slow

ZH = [
    "今天早上，北京下了一场大雪。",
    "许多学校因此推迟了开学时间。",
    "市政府派出三千名工人清扫街道。",
    "地铁和公交车基本保持正常运行。",
]
REF = [
    "Heavy snow fell on Beijing this morning, and many schools postponed the start of classes.",
    "The city government dispatched three thousand workers to clear the streets.",
    "Subway and bus services largely ran as normal.",
]


class RecordingTranslator(Translator):
    """Translates by echoing a fixed English text for each input it has seen, and records inputs."""

    def __init__(self, english: dict[str, str]) -> None:
        super().__init__()
        self.show_progress = False
        self.english = english
        self.asked: list[str] = []

    def translate_batch(self, texts: list[str]) -> list[str]:
        self.asked.extend(texts)
        return [self.english.get(t, "unknown") for t in texts]

    def signature(self) -> str:
        return "recording"


@pytest.fixture(scope="module")
def tiny(tiny_model: Path) -> MarianTranslator:
    translator = MarianTranslator(MarianSettings(model=str(tiny_model), progress=False, device="cpu"))
    translator.load()
    return translator


def test_merged_spans_around_uncertain_links() -> None:
    spans = merged_spans([Step(2, 2, 3, 3)], n=6, sizes=[2, 3])
    assert spans == [(1, 2), (1, 3), (2, 2)]


def test_retranslation_asks_for_merged_spans_and_uses_their_translation() -> None:
    joint = "Heavy snow fell on Beijing this morning, and many schools postponed the start of classes."
    translator = RecordingTranslator({"".join(ZH[:2]): joint})
    aligner = DPAligner(DPAlignerSettings(bridge_threshold=1.0))  # revisit every link
    aligner.attach_translator(translator)
    mt = ["Snow.", "Schools.", "Workers cleaned streets.", "Buses ran."]  # poor single-sentence MT
    beads = aligner.align(ZH, mt, REF)
    assert "".join(ZH[:2]) in translator.asked
    assert all(len(t) > len(z) for t in translator.asked for z in ZH[:1])  # only merged spans are asked for
    assert ((0, 1), (0,)) in [(b.src, b.ref) for b in beads]
    assert aligner.stats.retranslated_spans == len(translator.asked)
    assert "retranslation" in aligner.describe()["signals_used"]
    assert aligner.signature().endswith("|bridge:retranslate@1.0")


def test_forced_decoding_scores_references_on_the_tiny_model(tiny: MarianTranslator) -> None:
    scores = tiny.score_references(["今天天气很好。", "他说。"], ["The weather is fine today.", "Something else."])
    assert len(scores) == 2 and all(s < 0 for s in scores)
    with pytest.raises(ValueError, match="2 sources but 1 references"):
        tiny.score_references(["a", "b"], ["c"])


def test_both_bridges_run_with_the_tiny_model(tiny: MarianTranslator) -> None:
    aligner = DPAligner(DPAlignerSettings(forced_decoding=True, bridge_threshold=1.0))
    aligner.attach_translator(tiny)
    beads = aligner.align(ZH, [t.text for t in tiny.translate(ZH)], REF)
    assert [i for b in beads for i in b.src] == list(range(4))
    assert aligner.stats.retranslated_spans > 0 and aligner.stats.forced_pairs > 0
    assert aligner.describe()["signals_used"][-2:] == ["retranslation", "forced-decoding"]
    assert "bridge:retranslate+forced@1.0" in aligner.signature()


def test_a_run_gives_the_aligner_the_model_and_reports_the_signals(tmp_path: Path, tiny_model: Path) -> None:
    (tmp_path / "doc.zh.txt").write_text("".join(ZH) + "\n", encoding="utf-8")
    (tmp_path / "doc.en.txt").write_text(" ".join(REF) + "\n", encoding="utf-8")
    cfg = config.validate(
        {
            "ingest": {"sources": [str(tmp_path / "doc.zh.txt")], "references": [str(tmp_path / "doc.en.txt")]},
            "translate": {"model": str(tiny_model), "progress": False, "device": "cpu"},
            "align": {"bridge_threshold": 1.0},
            "export": {"formats": ["tsv"]},
        }
    )
    result = runner.run(cfg, output=tmp_path / "out")
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["signatures"]["align"].endswith("|bridge:retranslate@1.0")
    assert "retranslation" in report["alignment"]["signals_used"]
    assert report["alignment"]["counts"]["documents"] == 1
    assert next(iter(result.documents)).links
