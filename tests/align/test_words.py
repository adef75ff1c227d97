"""Word keys: what a Chinese word and an English word must share to count as matched."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.align import chinese, english
from pipeline.align.lexicon import Lexicon, load


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load(Path("models"))


@pytest.mark.parametrize(
    ("word", "key"),
    [("studies", "studi"), ("studied", "studi"), ("went", "go"), ("children", "child"), ("Said", "say")],
)
def test_inflected_and_irregular_forms_share_their_base_key(word: str, key: str) -> None:
    assert english.word_keys(word)[0] == key


def test_stop_words_carry_no_key() -> None:
    assert english.token_keys("He was in the house of them.") == [("hous",)]


@pytest.mark.parametrize(
    ("text", "key"),
    [("15,000 people", "#15000"), ("fifteen thousand", "#15000"), ("1.5 million", "#1500000"), ("in 2020", "#2020")],
)
def test_numbers_are_normalised_in_english(text: str, key: str) -> None:
    assert (key,) in english.token_keys(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("二十三", 23),
        ("三千五百万", 35_000_000),
        ("两千", 2000),
        ("二〇二〇", 2020),
        ("1.5万", 15000),
        ("一百零五", 105),
    ],
)
def test_chinese_numerals_and_scales(text: str, value: float) -> None:
    assert chinese.numeral_value(text) == value


def test_a_chinese_number_meets_its_english_spelling(lexicon: Lexicon) -> None:
    zh = {k for keys in chinese.token_keys("截至目前，已有1.5万人和89个国家。", lexicon) for k in keys}
    en = {k for keys in english.token_keys("So far 15,000 people and 89 countries.") for k in keys}
    assert {"#15000", "#89"} <= zh & en


def test_dictionary_glosses_meet_the_reference_words(lexicon: Lexicon) -> None:
    zh = chinese.token_keys("专家组抵达老挝首都。", lexicon)
    en = {k for keys in english.token_keys("The experts arrived in the capital of Laos.") for k in keys}
    matched = [keys for keys in zh if set(keys) & en]
    assert len(matched) >= 3  # 专家 expert, 抵达 arrive, 首都 capital (老挝 Laos too)


def test_latin_tokens_in_chinese_take_english_keys(lexicon: Lexicon) -> None:
    zh = chinese.token_keys("世卫组织WHO公布了COVID-19数据。", lexicon)
    assert any("covid-19" in keys for keys in zh)


def test_a_transliterated_name_is_found_through_the_readings_of_its_characters(lexicon: Lexicon) -> None:
    names = chinese.Names(["py:qingyang", "py:chen"], lexicon, "陈清扬把我拽住。")
    keys = {k for word in chinese.token_keys("陈清扬把我拽住。", lexicon, names) for k in word}
    assert {"py:qingyang", "py:chen"} <= keys
    assert english.word_keys("Qingyang")[-1] == "py:qingyang"
    assert english.word_keys("Bao-yu")[-1] == "py:baoyu"


def test_name_keys_the_other_side_does_not_offer_are_left_out(lexicon: Lexicon) -> None:
    keys = {
        k
        for word in chinese.token_keys("陈清扬把我拽住。", lexicon, chinese.Names([], lexicon, "陈清扬把我拽住。"))
        for k in word
    }
    assert "py:qingyang" not in keys
    assert "py:chen" in keys  # the dictionary's own sense of 陈: "surname Chen"


def test_forward_maximum_matching_takes_the_longest_headword(lexicon: Lexicon) -> None:
    assert chinese.segment("中华人民共和国成立了", lexicon)[0] == "中华人民共和国"
    assert chinese.segment("二十三个", lexicon)[0] == "二十三"  # a run of numerals is one word


def test_text_with_no_dictionary_words_gives_no_keys_and_no_error(lexicon: Lexicon) -> None:
    assert chinese.token_keys("……——。", lexicon) == []
    assert english.token_keys("... — !") == []
