"""Progress of long scoring work: a bar counts what is done and changes no number."""

from __future__ import annotations

import pytest

from pipeline.config import SacrebleuSettings
from pipeline.score.metrics import CorpusScorer
from pipeline.score.progress import Progress
from pipeline.score.significance import paired_test

HYPS = ["The cat sat on a mat.", "It was glad.", "Then it went away.", "Dogs bark."]
WORSE = ["Cat mat.", "Glad.", "It went.", "Dog."]
REFS = [["The cat sat on the mat.", "It was happy.", "Then it left.", "The dog barked."]]


@pytest.fixture(autouse=True)
def bars_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TQDM_DISABLE", raising=False)  # set by `pipeline -q` (tqdm then draws nothing)


@pytest.mark.parametrize("items", [[], ["a"], ["a", "b", "c"]])
def test_counted_yields_every_item_and_counts_it_once_consumed(items: list[str]) -> None:
    with Progress(len(items), "test", "item", shown=True) as bar:
        seen = []
        for item in bar.counted(items):
            seen.append((item, bar.done))  # the item in hand is not counted yet
        assert seen == [(item, i) for i, item in enumerate(items)]
        assert bar.done == len(items)


def test_a_hidden_bar_yields_the_same_items_and_counts_nothing() -> None:
    with Progress(3, "test", "item") as bar:
        assert list(bar.counted("abc")) == ["a", "b", "c"] and bar.done == 0
        bar.step(2)
        bar.note("nothing to show")
        assert bar.done == 0


def test_statistics_counted_segment_by_segment_are_the_same_statistics(capsys: pytest.CaptureFixture[str]) -> None:
    scorer = CorpusScorer(SacrebleuSettings(metrics=["bleu", "chrf", "ter"], bootstrap=0), REFS)
    with Progress(len(HYPS) * 3, "score", "seg", shown=True) as bar:
        counted = scorer.statistics(HYPS, bar.labelled("sys"))
        assert bar.done == len(HYPS) * 3  # every segment of every metric
    plain = scorer.statistics(HYPS)
    assert [(s.name, s.rows) for s in counted] == [(s.name, s.rows) for s in plain]
    assert "score" in capsys.readouterr().err  # the bar went to standard error


def test_paired_tests_with_a_bar_give_the_same_results() -> None:
    scorer = CorpusScorer(SacrebleuSettings(metrics=["bleu", "chrf"], bootstrap=0), REFS)
    systems = [("a", scorer.statistics(HYPS)), ("b", scorer.statistics(WORSE))]
    assert paired_test(systems, "ar", 200, progress=True) == paired_test(systems, "ar", 200)
