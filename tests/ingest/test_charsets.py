"""Choosing between the Chinese encodings, and telling English in cp1252, by what the decoded text holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ingest.charsets import MIN_CHINESE_SCORE, chinese_score, common_hanzi, english_plausible, guess
from pipeline.ingest.decode import decode


def test_common_hanzi_are_simplified_and_traditional_han_characters_only() -> None:
    common = common_hanzi()
    assert {"中", "国", "國", "说", "說", "的"} <= common
    assert not {"い", "ㄅ", "Α", "가", "\ue4c6"} & common  # kana, bopomofo, Greek, Hangul, private use
    assert "淼" not in common  # GB2312 level 2: a rare character


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("你好。今天天氣很好！", 1.0),  # common characters and Chinese punctuation, either script
        ("Hello, 中国.", 1.0),  # ASCII tells nothing
        ("", 1.0),
        ("淼", 0.5),  # a rare Han character counts half
        ("いろは", 0.0),
        ("\x00好", 0.5),  # a NUL is UTF-16 read with the wrong codec
        ("\ue4c6好", 0.5),  # a private-use character
    ],
)
def test_chinese_score(text: str, score: float) -> None:
    assert chinese_score(text) == pytest.approx(score)


@pytest.mark.parametrize(
    ("text", "plausible"),
    [
        ("café, naïve, Zürich", True),
        ("“Fine,” he said — naïvely…”", True),
        ("5 °C, £3, © 2020", True),
        ("ÄãºÃ", False),  # 你好 in GB18030 read as cp1252
        ("¤¤¤å", False),  # 中文 in Big5
        ("Þóra", False),  # two accented letters in a row: left to the detector
    ],
)
def test_english_plausible(text: str, plausible: bool) -> None:
    assert english_plausible(text) is plausible


def test_the_encoding_whose_text_is_more_chinese_wins() -> None:
    data = "今天天氣很好。".encode("big5")
    chosen = guess(data, "zh")
    assert chosen is not None and chosen.chosen.encoding == "big5"
    [other] = [fit for fit in chosen.candidates if fit is not chosen.chosen]
    assert other.encoding == "gb18030" and other.score < chosen.chosen.score
    assert chosen.reason().startswith("as Chinese: 100% common characters; gb18030: ")


def test_a_tie_goes_to_gb18030_and_the_note_says_so() -> None:
    """A character whose GB18030 bytes are a common character in Big5 too fits both."""
    for ch in sorted(common_hanzi()):
        data = ch.encode("gb18030", errors="ignore")
        if len(data) == 2 and chinese_score(data.decode("big5", errors="replace")) == 1.0:
            break
    else:
        pytest.fail("no character fits both encodings")
    chosen = guess(data, "zh")
    assert chosen is not None and chosen.chosen.encoding == "gb18030" and chosen.chosen.text == ch
    assert "a tie" in chosen.reason()


def test_utf16_without_byte_order_mark_is_left_to_the_detector() -> None:
    data = "今天天气很好。\n明天下雨。\n".encode("utf-16-le")
    assert guess(data, "zh") is None  # GB18030 and Big5 decode it, but as nothing like Chinese
    assert max(chinese_score(data.decode(e, errors="replace")) for e in ("gb18030", "big5")) < MIN_CHINESE_SCORE
    decoded = decode(data, "auto", Path("a.zh.txt"), language="zh")
    assert decoded.text == "今天天气很好。\n明天下雨。\n" and decoded.encoding == "utf-16-le"
    assert "detected by charset-normalizer, as no Chinese encoding fits" in decoded.notes[0]


def test_without_a_language_the_detector_decides() -> None:
    data = "The café’s menu.".encode("cp1252")
    assert guess(data, None) is None
    assert guess(data, "en") is not None
