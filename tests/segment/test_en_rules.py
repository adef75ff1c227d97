"""English rule splitter for references: one table row per rule, then the seed's tricky paragraphs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import EnglishRules
from pipeline.ingest.base import paragraphs_from_text
from pipeline.segment.en_rules import EnglishRuleSegmenter

split = EnglishRuleSegmenter().split


CASES = {
    "plain sentences": ("It rained. Then it stopped.", ["It rained.", "Then it stopped."]),
    "titles, months": (
        "Mr. Smith met Dr. Lee on Jan. 5. They talked.",
        ["Mr. Smith met Dr. Lee on Jan. 5.", "They talked."],
    ),
    "a month without number": ("Jan. 5 was cold. Feb. was colder.", ["Jan. 5 was cold.", "Feb. was colder."]),
    "dotted abbreviation": ("The U.S. Army left. Others stayed.", ["The U.S. Army left.", "Others stayed."]),
    "company": ("He works for Acme Inc. in Ohio.", ["He works for Acme Inc. in Ohio."]),
    "initials": ("J. K. Rowling wrote it.", ["J. K. Rowling wrote it."]),
    "I. is the pronoun": ("And so was I. At those moments, I knew.", ["And so was I.", "At those moments, I knew."]),
    "unless initials follow": ("I. M. Pei designed it.", ["I. M. Pei designed it."]),
    "a unit is not an initial": (
        "It is 2.725±0.002K. The error is small.",
        ["It is 2.725±0.002K.", "The error is small."],
    ),
    "No. before a number": ("See No. 5 on p. 12. Then stop.", ["See No. 5 on p. 12.", "Then stop."]),
    "Vol. before a numeral": ("Read Vol. II of it. Fig. 3 shows it.", ["Read Vol. II of it.", "Fig. 3 shows it."]),
    "No. before a word": ('"No. Since you ask, I will." He smiled.', ['"No.', 'Since you ask, I will."', "He smiled."]),
    "decimals": ("Prices rose 3.5% in May. Sales fell.", ["Prices rose 3.5% in May.", "Sales fell."]),
    "money": ("It costs $3.50. Buy it.", ["It costs $3.50.", "Buy it."]),
    "a web address": ("Visit www.example.com. It is good.", ["Visit www.example.com.", "It is good."]),
    "an e-mail address": ("Write to info@example.com. We reply.", ["Write to info@example.com.", "We reply."]),
    "quotation ends the sentence": (
        'He said: "We will win." Then he left.',
        ['He said: "We will win."', "Then he left."],
    ),
    "quotation inside a sentence": ('"Really?" she asked.', ['"Really?" she asked.']),
    "a period closing a quotation": ('At one A.M." "Wow, so precise!', ['At one A.M."', '"Wow, so precise!']),
    "brackets": ("(See below.) Then go.", ["(See below.)", "Then go."]),
    "question and exclamation": ("Why? Because! 2020 was hard.", ["Why?", "Because!", "2020 was hard."]),
    "ellipsis": ("vaccine development... Solidarity matters.", ["vaccine development...", "Solidarity matters."]),
    "a stammer": ("'Goong-goong, I... I've got a headache.'", ["'Goong-goong, I... I've got a headache.'"]),
    "a dash cuts off a quotation": (
        "'Come on then: let's see—' 'At you!' he cried.",
        ["'Come on then: let's see—'", "'At you!' he cried."],
    ),
    "a dash inside a sentence": ("'But I—' he began.", ["'But I—' he began."]),
    "heading without a period": (
        '"Sincere thanks to China for its strong support"',
        ['"Sincere thanks to China for its strong support"'],
    ),
    "line breaks are boundaries": ("CHAPTER ONE\nIt began. It ended.", ["CHAPTER ONE", "It began.", "It ended."]),
    "elision marks": ("... ...", ["... ..."]),
    "empty": ("", []),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
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
