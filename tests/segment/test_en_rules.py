"""English rule splitter for references."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import EnglishRules
from pipeline.ingest.base import paragraphs_from_text
from pipeline.segment.en_rules import EnglishRuleSegmenter

split = EnglishRuleSegmenter().split


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It rained. Then it stopped.", ["It rained.", "Then it stopped."]),
        ("Mr. Smith met Dr. Lee on Jan. 5. They talked.", ["Mr. Smith met Dr. Lee on Jan. 5.", "They talked."]),
        ("The U.S. Army left. Others stayed.", ["The U.S. Army left.", "Others stayed."]),
        ("J. K. Rowling wrote it.", ["J. K. Rowling wrote it."]),
        ("Prices rose 3.5% in May. Sales fell.", ["Prices rose 3.5% in May.", "Sales fell."]),
        ('He said: "We will win." Then he left.', ['He said: "We will win."', "Then he left."]),
        ('"Really?" she asked.', ['"Really?" she asked.']),
        ("Why? Because! 2020 was hard.", ["Why?", "Because!", "2020 was hard."]),
        ("vaccine development... Solidarity matters.", ["vaccine development...", "Solidarity matters."]),
        ('"Sincere thanks to China for its strong support"', ['"Sincere thanks to China for its strong support"']),
        ("... ...", ["... ..."]),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_extra_abbreviations_from_config() -> None:
    text = "Troops under Gen. Lee advanced."
    assert EnglishRuleSegmenter(EnglishRules(extra_abbreviations=["Gen."])).split(text) == [text]
    assert EnglishRuleSegmenter(EnglishRules(extra_abbreviations=["approx"])).split("It is approx. Ten.") == [
        "It is approx. Ten."
    ]


def test_seed_reference_quotes_stay_with_their_sentence(seed_files: tuple[Path, Path]) -> None:
    paragraphs = [p.text for p in paragraphs_from_text(seed_files[1].read_text(encoding="utf-8"))]
    laos = split(paragraphs[2])
    assert (
        laos[-1] == "The Lao government will do its best in coordination and support to facilitate the team's work.\""
    )
    assert split(paragraphs[1]) == ['"Sincere thanks to China for its strong support"']
    assert len(split(paragraphs[-1])) == 1  # the dateline
