"""`pipeline models list`: what is in the local model store, with sizes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.translate.models import list_models
from pipeline.translate.tiny import MARKER

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def store(tiny_model: Path, root: Path) -> Path:
    """A model store with a hub download, the tiny model, a plain folder, a conversion and some clutter."""
    snapshot = root / "models--Helsinki-NLP--opus-mt-zh-en" / "snapshots" / COMMIT
    shutil.copytree(tiny_model, snapshot)
    shutil.copytree(tiny_model, root / "tiny")
    shutil.copytree(tiny_model, root / "my-marian")
    (root / "my-marian" / MARKER).unlink()
    converted = root / "ctranslate2" / "tiny-abc-int8"
    converted.mkdir(parents=True)
    (converted / "model.bin").write_bytes(b"\0" * 2000)
    marker = {"source": {"requested": "models/tiny", "folder_sha256": "abcdef" * 10}, "quantization": "int8"}
    (converted / "pipeline-ct2.json").write_text(json.dumps(marker), encoding="utf-8")
    (root / "ctranslate2" / ".tiny-abc-int8.tmp-123").mkdir()  # a killed conversion: not a model
    lexicon = root / "lexicon" / "cc-cedict"  # the aligner's dictionary, as pipeline.align.lexicon writes it
    lexicon.mkdir(parents=True)
    (lexicon / "lexicon.json").write_text(json.dumps({"source_sha256": "f" * 64, "recipe": 1}), encoding="utf-8")
    (lexicon / "words.tsv").write_text("专家\texpert\n", encoding="utf-8")
    (root / "README.md").write_text("the model store", encoding="utf-8")
    (root / "empty").mkdir()
    return root


def test_list_models_finds_every_kind_with_its_size(tiny_model: Path, tmp_path: Path) -> None:
    found = list_models(store(tiny_model, tmp_path / "models"))
    assert [(m.kind, m.name, m.version) for m in found] == [
        ("hub", "Helsinki-NLP/opus-mt-zh-en", COMMIT[:12]),
        ("folder", "my-marian", ""),
        ("tiny", "tiny", ""),
        ("ctranslate2", "models/tiny (int8)", "abcdefabcdef"),
        ("lexicon", "cc-cedict", "ffffffffffff r1"),
    ]
    tiny_bytes = sum(p.stat().st_size for p in tiny_model.iterdir())
    assert found[0].bytes == found[2].bytes == tiny_bytes
    assert found[3].bytes > 2000


def test_an_absent_store_is_empty(tmp_path: Path) -> None:
    assert list_models(tmp_path / "nothing") == []


def test_models_list_command(tiny_model: Path, tmp_path: Path) -> None:
    models = store(tiny_model, tmp_path / "models")
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "models", "list", "--models-dir", str(models)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["kind", "name", "version", "size", "path"]
    assert any(line.startswith("hub") and "Helsinki-NLP/opus-mt-zh-en" in line and " MB " in line for line in lines)
    assert lines[-1].startswith("total ")
