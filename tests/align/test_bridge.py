"""The model bridge: re-translation of merged spans and forced decoding, asked only of a model that can
translate new text and whose translation of the document was trusted.

The tiny model's translations are nonsense, so tests with it check the code paths and that a poor
model is not asked again; a recording translator checks what is asked and how it is used.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from news import MT as NEWS_MT
from news import ZH as NEWS_ZH

from pipeline import config, runner
from pipeline.align.bridge import merged_spans
from pipeline.align.dp import DPAligner
from pipeline.align.search import Step
from pipeline.config import DPAlignerSettings, EngineSettings, MarianSettings, PrecomputedSettings
from pipeline.translate.engine import ModelTranslator
from pipeline.translate.marian import MarianTranslator
from pipeline.translate.precomputed import PrecomputedTranslator

ZH, MT = NEWS_ZH[:6], NEWS_MT[:6]
REF = [
    "Heavy snow fell on Beijing this morning, and many schools postponed the start of classes.",
    "The city government dispatched three thousand workers to clear the streets.",
    "Subway and bus services largely ran as normal.",
    "Forecasters expect temperatures to fall to minus ten degrees tomorrow.",
    "Experts advised the elderly and children to stay at home as much as possible.",
]


class RecordingTranslator(ModelTranslator):
    """Translates from a fixed table and records every input it was asked for."""

    def __init__(self, english: dict[str, str]) -> None:
        super().__init__(EngineSettings(progress=False))
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


def test_merged_spans_around_uncertain_links_least_confident_first_and_capped() -> None:
    assert merged_spans([Step(2, 2, 3, 3)], n=6, sizes=[2, 3], limit=10) == [(1, 2), (1, 3), (2, 2)]
    assert merged_spans([Step(2, 2, 3, 3), Step(5, 5, 6, 6)], n=8, sizes=[2], limit=2) == [(1, 2), (2, 2)]


def test_retranslation_asks_for_merged_spans_of_a_trusted_translation_and_uses_them() -> None:
    joint = REF[0]
    translator = RecordingTranslator({"".join(ZH[:2]): joint})
    aligner = DPAligner(DPAlignerSettings(retranslate=True, bridge_threshold=1.0))  # revisit every link
    aligner.attach_translator(translator)
    beads = aligner.align(ZH, MT, REF)
    assert translator.asked and all(t not in ZH for t in translator.asked)  # only merged spans
    assert len(translator.asked) <= max(1, len(ZH) // 4)  # never more than a share of the document's work
    assert ((0, 1), (0,)) in [(b.src, b.ref) for b in beads]
    assert aligner.stats.retranslated_spans == len(translator.asked)
    assert "retranslation" in aligner.describe()["signals_used"]
    assert aligner.signature().endswith("|revisit:retranslate@1.0")


def test_a_file_of_translations_is_never_asked_for_spans(tmp_path: Path) -> None:
    (tmp_path / "src.zh").write_text("\n".join(ZH) + "\n", encoding="utf-8")
    (tmp_path / "sys.en").write_text("\n".join(MT) + "\n", encoding="utf-8")
    translator = PrecomputedTranslator(
        PrecomputedSettings(name="precomputed", source=tmp_path / "src.zh", path=tmp_path / "sys.en")
    )
    translator.load()
    aligner = DPAligner(DPAlignerSettings(retranslate=True, bridge_threshold=1.0))
    aligner.attach_translator(translator)
    beads = aligner.align(ZH, MT, REF)  # links below the threshold: every one
    assert [i for b in beads for i in b.src] == list(range(len(ZH)))
    assert aligner.stats.retranslated_spans == 0
    assert aligner.signature().endswith("|revisit:none")


def test_a_model_whose_translation_looks_meaningless_is_not_asked_again(tiny: MarianTranslator) -> None:
    aligner = DPAligner(DPAlignerSettings(retranslate=True, forced_decoding=True, bridge_threshold=1.0))
    aligner.attach_translator(tiny)
    translations = [t.text for t in tiny.translate(ZH)]
    segments = tiny.stats.segments
    beads = aligner.align(ZH, translations, REF)
    assert [i for b in beads for i in b.src] == list(range(len(ZH)))
    assert aligner.document_notes().bridge_meaningless
    assert tiny.stats.segments == segments, "nothing more was translated"
    assert aligner.stats.retranslated_spans == 0 and aligner.stats.forced_pairs == 0


def test_forced_decoding_scores_references_on_the_tiny_model(tiny: MarianTranslator) -> None:
    scores = tiny.score_references(["今天天气很好。", "他说。"], ["The weather is fine today.", "Something else."])
    assert len(scores) == 2 and all(s < 0 for s in scores)
    with pytest.raises(ValueError, match="2 sources but 1 references"):
        tiny.score_references(["a", "b"], ["c"])


def test_forced_decoding_runs_for_a_trusted_translation(tiny: MarianTranslator) -> None:
    aligner = DPAligner(DPAlignerSettings(forced_decoding=True, bridge_threshold=1.0))
    aligner.attach_translator(tiny)
    beads = aligner.align(ZH, MT, REF)
    assert [i for b in beads for i in b.src] == list(range(len(ZH)))
    assert aligner.stats.forced_pairs > 0
    assert aligner.describe()["signals_used"][-1] == "forced-decoding"
    assert "revisit:forced@1.0" in aligner.signature()


@pytest.mark.slow
def test_a_run_on_the_tiny_model_warns_that_its_translation_means_nothing(tmp_path: Path, tiny_model: Path) -> None:
    (tmp_path / "doc.zh.txt").write_text("".join(ZH) + "\n", encoding="utf-8")
    (tmp_path / "doc.en.txt").write_text(" ".join(REF) + "\n", encoding="utf-8")
    cfg = config.validate(
        {
            "ingest": {"sources": [str(tmp_path / "doc.zh.txt")], "references": [str(tmp_path / "doc.en.txt")]},
            "translate": {"model": str(tiny_model), "progress": False, "device": "cpu"},
            "align": {"retranslate": True, "bridge_threshold": 1.0},
            "export": {"formats": ["tsv"]},
        }
    )
    result = runner.run(cfg, output=tmp_path / "out")
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert report["signatures"]["align"].endswith("|revisit:retranslate@1.0")
    assert "retranslation" not in report["alignment"]["signals_used"]
    assert report["documents"][0]["alignment"]["bridge_trust"] < 0.1
    assert manifest["alignment"]["documents"]["doc"]["bridge_trust"] < 0.1
    assert any("looks meaningless" in w and "doc" in w for w in report["warnings"])
    assert manifest["run"]["translation"]["segments_translated"] <= len(ZH)  # no extra translation work
    assert next(iter(result.documents)).links
