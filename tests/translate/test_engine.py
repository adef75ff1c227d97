"""The translator base on a fake backend: order, dedup, passthrough, long sentences, guard, cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import StageError
from pipeline.records import Translation
from tests.translate.fakes import Echo


def test_order_is_restored_after_sorting_by_length() -> None:
    texts = ["短。", "这是一个比较长的句子。", "中等长度。", "长长长长长长长长长长长长长长。", "一。"]
    echo = Echo(batch_size=2)
    out = echo.translate(texts)
    assert [t.text for t in out] == [f"<{t}>" for t in texts]
    # the model saw the sentences longest first, in batches of at most two
    assert echo.batches == [
        ["长长长长长长长长长长长长长长。", "这是一个比较长的句子。"],
        ["中等长度。", "短。"],
        ["一。"],
    ]


def test_batches_respect_the_token_budget() -> None:
    texts = [f"句子{i}" + "字" * (i % 7) for i in range(40)]
    echo = Echo(batch_size=100, max_tokens=30)
    echo.translate(texts)
    for batch in echo.batches:
        assert len(batch) * max(len(t) + 1 for t in batch) <= 30
    assert sorted(echo.seen) == sorted(texts)


def test_each_distinct_sentence_is_translated_once() -> None:
    texts = ["你好。", "谢谢。", "你好。", "你好。", "谢谢。", "再见。"]
    echo = Echo()
    out = echo.translate(texts)
    assert [t.text for t in out] == [f"<{t}>" for t in texts]
    assert sorted(echo.seen) == ["你好。", "再见。", "谢谢。"]
    assert (echo.stats.sentences, echo.stats.duplicates, echo.stats.segments) == (6, 3, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Translation("")),
        ("   ", Translation("")),
        ("2020", Translation("2020", ("passthrough",))),
        ("３.５%", Translation("3.5%", ("passthrough",))),
        ("（2）", Translation("(2)", ("passthrough",))),
        ("……", Translation("......", ("passthrough",))),
        ("——！", Translation("——!", ("passthrough",))),
    ],
)
def test_empty_and_untranslatable_segments_pass_through_without_the_model(text: str, expected: Translation) -> None:
    echo = Echo()
    assert echo.translate([text]) == [expected]
    assert echo.batches == []


def test_passthrough_is_counted() -> None:
    echo = Echo()
    echo.translate(["", "12", "你好。", "……"])
    assert (echo.stats.empty, echo.stats.passthrough, echo.stats.segments) == (1, 2, 1)
    assert echo.stats.flags["passthrough"] == 2


def test_counts_add_up_over_calls() -> None:
    # a run translates document by document: each call adds its own blanks and passthroughs
    echo = Echo()
    echo.translate(["", "12"])
    echo.translate(["3", "你好。"])
    assert (echo.stats.sentences, echo.stats.empty, echo.stats.passthrough) == (4, 1, 2)
    assert echo.summary() == (
        "translate: 4 sentences, 1 segments translated in 1 batches, 0 from the cache, 0 duplicates, 2 passed through"
    )


def test_a_long_sentence_is_translated_in_clauses_and_rejoined() -> None:
    text = "第一个分句很长，第二个分句也很长，第三个分句同样很长。"
    echo = Echo(max_input_tokens=12)
    (out,) = echo.translate([text])
    assert out == Translation("<第一个分句很长，> <第二个分句也很长，> <第三个分句同样很长。>", ("clause-split",))
    assert all(len(s) + 1 <= 12 for s in echo.seen)


def test_a_long_sentence_without_clauses_is_translated_in_windows() -> None:
    text = "".join(chr(0x4E00 + i) for i in range(25))  # 25 different characters, no punctuation
    echo = Echo(max_input_tokens=10)
    (out,) = echo.translate([text])
    assert out.flags == ("windowed",)
    windows = [text[:9], text[9:18], text[18:]]
    assert sorted(echo.seen) == sorted(windows)
    assert out.text == " ".join(f"<{w}>" for w in windows)


def test_a_clause_still_too_long_is_windowed_inside_a_clause_split() -> None:
    text = "短句，" + "".join(chr(0x4E00 + i) for i in range(20)) + "。"
    echo = Echo(max_input_tokens=10)
    (out,) = echo.translate([text])
    assert out.flags == ("clause-split", "windowed")
    assert out.text == f"<短句，> <{text[3:12]}> <{text[12:21]}> <{text[21:]}>"
    assert all(len(s) + 1 <= 10 for s in echo.seen)


def test_windows_only_when_clauses_are_switched_off() -> None:
    echo = Echo(max_input_tokens=8, long_sentences="windows")
    (out,) = echo.translate(["一二三，四五六，七八九。"])
    assert out.flags == ("windowed",)


def test_a_sentence_that_fits_is_never_cut() -> None:
    echo = Echo(max_input_tokens=12)
    assert echo.translate(["一二，三四，五六。"]) == [Translation("<一二，三四，五六。>")]


LOOP = "It is the the the the the the the the end."


@pytest.mark.parametrize(
    ("retry", "expected"),
    [
        (lambda t: "A plausible sentence.", Translation("A plausible sentence.", ("repetition", "retried"))),
        (lambda t: LOOP, Translation(LOOP, ("repetition", "retried", "unresolved"))),
        (None, Translation(LOOP, ("repetition",))),  # a backend that cannot retry: flagged only
    ],
)
def test_repetition_guard_flags_and_retries_a_looping_output(retry: object, expected: Translation) -> None:
    echo = Echo(rule=lambda t: LOOP if t == "循环。" else "Fine.", retry=retry)  # type: ignore[arg-type]
    out = echo.translate(["正常。", "循环。"])
    assert out == [Translation("Fine."), expected]
    assert echo.retries == ([["循环。"]] if retry else [])


def test_repetition_guard_can_be_switched_off() -> None:
    echo = Echo(rule=lambda t: LOOP, retry=lambda t: "x", repetition={"enabled": False})
    assert echo.translate(["循环。"]) == [Translation(LOOP)]
    assert echo.retries == []


def test_a_backend_that_returns_the_wrong_number_of_outputs_is_a_stage_error() -> None:
    class Broken(Echo):
        def translate_batch(self, texts: list[str]) -> list[str]:
            return texts[:-1]

    with pytest.raises(StageError, match="returned 1 outputs for 2 inputs"):
        Broken().translate(["一。", "二。"])


def test_cache_hits_and_misses(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "translations.sqlite"
    first = Echo()
    first.open_cache(path)
    first.translate(["一。", "二。"])
    first.close()
    second = Echo()
    second.open_cache(path)
    out = second.translate(["二。", "三。", "一。"])
    assert [t.text for t in out] == ["<二。>", "<三。>", "<一。>"]
    assert second.seen == ["三。"]
    assert (second.stats.cache_hits, second.stats.segments) == (2, 1)


def test_cache_keeps_flags_and_pieces(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    text = "第一个分句很长，第二个分句也很长。"
    first = Echo(max_input_tokens=10, rule=lambda t: LOOP, retry=lambda t: "Fixed.")
    first.open_cache(path)
    expected = first.translate([text])
    again = Echo(max_input_tokens=10, rule=lambda t: "never called")
    again.open_cache(path)
    assert again.translate([text]) == expected
    assert expected[0].flags == ("clause-split", "repetition", "retried")
    assert again.batches == []


def test_cache_is_keyed_by_translator_identity(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    first = Echo(name="model-a")
    first.open_cache(path)
    first.translate(["一。"])
    other = Echo(name="model-b", rule=lambda t: "B")
    other.open_cache(path)
    assert other.translate(["一。"]) == [Translation("B")]
    assert other.stats.cache_hits == 0


def test_cache_off_writes_nothing(tmp_path: Path) -> None:
    echo = Echo(cache=False)
    echo.open_cache(tmp_path / "t.sqlite")
    echo.translate(["一。"])
    assert echo.cache is None and not (tmp_path / "t.sqlite").exists()
