"""The SQLite translation cache on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import StageError
from pipeline.records import Translation
from pipeline.translate.cache import TranslationCache


def test_round_trip_with_flags_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "translations.sqlite"
    cache = TranslationCache(path, "model-a|beams:4")
    cache.put([("一。", Translation("One.")), ("二。", Translation("Two.", ("repetition", "retried")))])
    cache.close()
    again = TranslationCache(path, "model-a|beams:4")
    assert again.get(["二。", "三。", "一。"]) == {
        "一。": Translation("One."),
        "二。": Translation("Two.", ("repetition", "retried")),
    }
    assert len(again) == 2


def test_identities_do_not_see_each_other(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    TranslationCache(path, "a").put([("一。", Translation("A"))])
    other = TranslationCache(path, "b")
    assert other.get(["一。"]) == {} and len(other) == 0


def test_many_sources_in_one_lookup(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "t.sqlite", "a")
    cache.put((f"句{i}", Translation(f"s{i}")) for i in range(1500))
    found = cache.get([f"句{i}" for i in range(0, 1500, 2)])
    assert len(found) == 750 and found["句998"] == Translation("s998")


def test_a_corrupt_file_is_a_stage_error_that_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StageError, match="delete the file"):
        TranslationCache(path, "a")
