"""CC-CEDICT, preprocessed once into the model store."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.align import lexicon


def test_glosses_become_stemmed_keys_without_remarks_classifiers_or_cross_references() -> None:
    assert lexicon.gloss_keys("to study (at school)") == ["studi"]
    assert lexicon.gloss_keys("CL:個|个[ge4]") == []
    assert lexicon.gloss_keys("variant of 冗詞|冗词[rong3 ci2]") == []
    assert lexicon.gloss_keys("surname Chen") == ["py:chen"]
    assert lexicon.gloss_keys("three; 3") == ["#3", "#3"]


def test_entries_of_both_scripts_and_character_readings() -> None:
    lines = [
        "# a comment",
        "陳 陈 [Chen2] /surname Chen/",
        "專家 专家 [zhuan1 jia1] /expert; specialist/",
        "長 长 [chang2] /long/",
        "長 长 [zhang3] /chief; to grow/",
    ]
    words, readings = lexicon.parse_cedict(lines)
    assert words["专家"] == words["專家"] == ["expert", "specialist"]
    assert words["长"] == ["long", "chief", "grow"]
    assert readings["长"] == ["chang", "zhang"] and readings["陈"] == ["chen"]


def test_the_real_dictionary_is_in_the_project_store(lexicon_store: Path) -> None:
    meta = json.loads((lexicon_store / "cc-cedict" / "lexicon.json").read_text(encoding="utf-8"))
    assert meta["recipe"] == lexicon.RECIPE and meta["headwords"] > 150_000
    built = lexicon.load(lexicon_store.parent)
    assert "expert" in built.keys("专家") and built.identity.startswith("cc-cedict:")


def test_built_once_then_loaded_and_rebuilt_when_the_source_or_recipe_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "cedict.txt.gz"  # a dictionary of two entries builds in no time
    source.write_bytes(gzip.compress("專家 专家 [zhuan1 jia1] /expert/\n陳 陈 [Chen2] /surname Chen/\n".encode()))
    monkeypatch.setattr(lexicon, "source_file", lambda: source)
    built = lexicon.load(tmp_path)
    folder = lexicon.folder_of(tmp_path)
    assert built.keys("专家") == ("expert",) and built.readings["陈"] == ("chen",)
    stamp = (folder / "words.tsv").stat().st_mtime_ns
    lexicon.load(tmp_path, reuse=False)
    assert (folder / "words.tsv").stat().st_mtime_ns == stamp, "an up-to-date lexicon is not built again"
    monkeypatch.setattr(lexicon, "RECIPE", lexicon.RECIPE + 1)
    lexicon.load(tmp_path, reuse=False)
    assert json.loads((folder / "lexicon.json").read_text(encoding="utf-8"))["recipe"] == lexicon.RECIPE
    source.write_bytes(gzip.compress("專家 专家 [zhuan1 jia1] /specialist/\n".encode()))
    assert lexicon.load(tmp_path, reuse=False).keys("专家") == ("specialist",)


def test_a_missing_dictionary_package_is_a_model_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexicon, "SOURCE_PACKAGE", "no_such_dictionary_package")
    with pytest.raises(lexicon.ModelError, match="pip install"):
        lexicon.source_file()
