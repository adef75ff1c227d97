"""The tiny MarianMT model: built offline, loaded through the same code as a hub model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import MarianSettings
from pipeline.errors import ModelError
from pipeline.translate.marian import MarianTranslator
from pipeline.translate.models import resolve
from pipeline.translate.tiny import MARKER

HUB_FILES = {"config.json", "generation_config.json", "source.spm", "target.spm", "vocab.json", "tokenizer_config.json"}


def translator(model: str | Path, **settings: object) -> MarianTranslator:
    t = MarianTranslator(MarianSettings(model=str(model), progress=False, **settings))  # type: ignore[arg-type]
    t.load()
    return t


def test_tiny_model_has_the_hub_file_layout(tiny_model: Path) -> None:
    names = {p.name for p in tiny_model.iterdir()}
    assert names >= HUB_FILES
    assert "model.safetensors" in names
    vocab = json.loads((tiny_model / "vocab.json").read_text(encoding="utf-8"))
    config = json.loads((tiny_model / "config.json").read_text(encoding="utf-8"))
    # the opus-mt conventions: </s> is 0, <unk> is 1, <pad> is last and starts decoding
    assert vocab["</s>"] == 0 and vocab["<unk>"] == 1 and vocab["<pad>"] == len(vocab) - 1
    assert config["model_type"] == "marian"
    assert config["vocab_size"] == len(vocab)
    assert config["decoder_start_token_id"] == config["pad_token_id"] == len(vocab) - 1


def test_loads_by_folder_and_translates_one_output_per_input(tiny_model: Path) -> None:
    t = translator(tiny_model, batch_size=2)
    out = [
        tr.text for tr in t.translate(["今天天气很好。", "", "   ", "他们分享了经验。", "会议于3月29日在北京召开。"])
    ]
    assert len(out) == 5
    assert out[1] == "" and out[2] == ""  # blank input never reaches the model
    assert all(isinstance(s, str) and s for s in (out[0], out[3], out[4]))
    assert t.stats.batches == 2 and t.stats.empty == 2
    assert t.resolved is not None and t.resolved.origin == "local" and t.resolved.tiny


def test_translation_is_deterministic_and_independent_of_batching(tiny_model: Path) -> None:
    texts = ["今天天气很好。", "他们分享了经验，回答了问题。", "学生们在图书馆里安静地读书。"]
    one = translator(tiny_model, batch_size=1, num_beams=1).translate(texts)
    three = translator(tiny_model, batch_size=3, num_beams=1).translate(texts)
    assert one == three


def test_decoding_settings_are_in_the_signature(tiny_model: Path) -> None:
    t = translator(tiny_model, num_beams=2, max_new_tokens=7)
    assert "num_beams:2" in t.signature() and "max_new_tokens:7" in t.signature()
    default = translator(tiny_model)
    assert "num_beams:4" in default.signature()  # the model's own generation config
    assert default.describe()["model"]["folder_sha256"]


def hub_cache(tiny_model: Path, root: Path, repo: str, commit: str) -> Path:
    """Lay the tiny model out as huggingface_hub caches a download: models--org--name/snapshots/<commit>."""
    repo_dir = root / f"models--{repo.replace('/', '--')}"
    shutil.copytree(tiny_model, repo_dir / "snapshots" / commit)
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(commit, encoding="utf-8")
    return root


def test_loads_a_hub_id_from_the_local_cache_with_the_hub_offline(tiny_model: Path, tmp_path: Path) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    cache = hub_cache(tiny_model, tmp_path / "models", "pipeline-test/tiny-marian", commit)
    t = translator("pipeline-test/tiny-marian", models_dir=cache)
    assert t.resolved is not None
    assert (t.resolved.origin, t.resolved.revision) == ("hub", commit)
    assert f"version:{commit}" in t.signature()
    assert t.translate(["今天天气很好。"])[0].text


def test_missing_hub_model_offline_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        resolve("Helsinki-NLP/opus-mt-zh-en", "main", tmp_path / "models")
    message = str(info.value)
    assert "translate -> model" in message
    assert "models pull Helsinki-NLP/opus-mt-zh-en" in message
    assert "set translate.model to a local folder" in message


def test_missing_local_folder_is_an_error_unless_asked_to_build(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="folder .*does not exist"):
        resolve(str(tmp_path / "models" / "nothing"), "main", tmp_path)


def test_folder_without_model_files_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(
        ModelError, match="missing source.spm, target.spm, vocab.json, model.safetensors or pytorch_model.bin"
    ):
        resolve(str(tmp_path / "half"), "main", tmp_path)


def test_build_tiny_if_missing_builds_once_then_reuses(tmp_path: Path) -> None:
    folder = tmp_path / "models" / "tiny"
    first = resolve(str(folder), "main", tmp_path, if_missing="build-tiny")
    assert (folder / MARKER).is_file() and first.tiny
    second = resolve(str(folder), "main", tmp_path, if_missing="build-tiny")
    assert second.folder_sha256 == first.folder_sha256


def test_cuda_requested_without_cuda_is_a_clear_error(tiny_model: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ModelError, match="translate -> device: 'cuda'"):
        translator(tiny_model, device="cuda")


def test_build_tiny_command(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "models", "build-tiny", str(tmp_path / "tiny")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "tiny" / "model.safetensors").is_file()
    again = subprocess.run(
        [sys.executable, "-m", "pipeline", "models", "build-tiny", str(tmp_path / "tiny")],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 4 and "not empty" in again.stderr
