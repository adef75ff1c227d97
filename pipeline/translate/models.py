"""Find a translation model: a local folder, the local hub cache under ``models/``, or the hub.

Resolution happens before any work, so a missing model stops the run at once with a message
that says how to get it. Nothing here imports torch or transformers.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ModelError
from pipeline.io import sha256_folder
from pipeline.translate.tiny import build_tiny, is_tiny

#: Files a MarianMT folder must hold, besides its weights.
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
#: What to download from the hub: the files above, small configs, and one kind of weights.
HUB_PATTERNS = ["*.json", "*.spm", "*.model"]

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model's files are, and how to name that exact version in a manifest."""

    requested: str
    path: Path
    origin: str  # "local" or "hub"
    revision: str | None  # hub commit hash
    folder_sha256: str | None  # for local folders
    tiny: bool

    def describe(self) -> dict[str, object]:
        return {
            "requested": self.requested,
            "path": str(self.path),
            "origin": self.origin,
            "revision": self.revision,
            "folder_sha256": self.folder_sha256,
            "tiny_random_model": self.tiny,
        }


def how_to_get(model: str, models_dir: Path) -> str:
    return (
        f"To get it: on a machine with internet, run `python -m pipeline models pull {model} "
        f"--models-dir {models_dir}` and copy {models_dir}/ here; or set translate.model to a local folder "
        f"holding {', '.join(REQUIRED_FILES)} and model.safetensors (or pytorch_model.bin). "
        "For an offline test run, use configs/offline-demo.yaml (a tiny random model)."
    )


def check_folder(folder: Path) -> None:
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise ModelError(f"translate -> model: {folder} is not a MarianMT folder; missing {', '.join(missing)}")


def _local(model: str, folder: Path) -> ResolvedModel:
    check_folder(folder)
    return ResolvedModel(model, folder, "local", None, sha256_folder(folder), is_tiny(folder))


def looks_like_path(model: str) -> bool:
    """A value the hub could not hold: absolute, relative with ./ or ../, ~, or more than one slash."""
    return model.startswith((".", "/", "~")) or model.count("/") > 1 or (os.sep != "/" and os.sep in model)


def _weights_pattern(repo_id: str, revision: str) -> list[str]:
    """Prefer safetensors; fall back to the pickle-free-loaded ``pytorch_model.bin``."""
    from huggingface_hub import HfApi

    files = {s.rfilename for s in HfApi().model_info(repo_id, revision=revision).siblings or []}
    return ["model.safetensors"] if "model.safetensors" in files else ["pytorch_model.bin"]


def download(repo_id: str, revision: str, models_dir: Path) -> Path:
    """Download a hub model into the hub cache layout under ``models_dir`` and return its snapshot."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    patterns = HUB_PATTERNS + _weights_pattern(repo_id, revision)
    # The hub's download bars only for a person watching, not into a log file (stderr redirected).
    silenced = not sys.stderr.isatty() and not are_progress_bars_disabled()
    if silenced:
        disable_progress_bars()
    try:
        return Path(snapshot_download(repo_id, revision=revision, cache_dir=models_dir, allow_patterns=patterns))
    finally:
        if silenced:
            enable_progress_bars()


def _cached(repo_id: str, revision: str, models_dir: Path) -> Path | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo_id, revision=revision, cache_dir=models_dir, local_files_only=True))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError):
        return None


def _hub(model: str, revision: str, models_dir: Path) -> ResolvedModel:
    snapshot = _cached(model, revision, models_dir)
    if snapshot is None:
        if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}:
            raise ModelError(
                f"translate -> model: {model!r} is not in {models_dir}/ and HF_HUB_OFFLINE is set. "
                + how_to_get(model, models_dir)
            )
        try:
            snapshot = download(model, revision, models_dir)
        except Exception as exc:  # network, auth, missing repo: all end the same way for the user
            raise ModelError(
                f"translate -> model: {model!r} is not a local folder, not in {models_dir}/, and could not be "
                f"downloaded from the Hugging Face Hub ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}). "
                + how_to_get(model, models_dir)
            ) from None
    check_folder(snapshot)
    return ResolvedModel(model, snapshot, "hub", snapshot.name, None, is_tiny(snapshot))


def resolve(model: str, revision: str, models_dir: Path, if_missing: str = "error") -> ResolvedModel:
    """Locate ``model`` (a folder or a hub id), building the tiny model there if asked to."""
    folder = Path(model).expanduser()
    if folder.is_dir():
        return _local(model, folder)
    if if_missing == "build-tiny":
        build_tiny(folder)
        return _local(model, folder)
    if looks_like_path(model) or not _HUB_ID.match(model):
        raise ModelError(f"translate -> model: folder {folder} does not exist. " + how_to_get(model, models_dir))
    return _hub(model, revision, models_dir)


@dataclass(frozen=True)
class LocalModel:
    """A model found in the local model store, for ``pipeline models list``."""

    kind: str  # "hub" (hub cache), "folder" (a MarianMT folder), "tiny" (the test model), "ctranslate2",
    # or "lexicon" (the aligner's preprocessed dictionary)
    name: str
    version: str
    path: Path
    bytes: int


def _size(folder: Path) -> int:
    """Bytes of the files under ``folder``; hub snapshots hold links into blobs/, which are followed."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _hub_models(models_dir: Path) -> list[LocalModel]:
    found = []
    for repo in sorted(models_dir.glob("models--*")):
        name = repo.name.removeprefix("models--").replace("--", "/")
        for snapshot in sorted((repo / "snapshots").glob("*")):
            if snapshot.is_dir():
                found.append(LocalModel("hub", name, snapshot.name[:12], snapshot, _size(snapshot)))
    return found


def _converted_models(models_dir: Path) -> list[LocalModel]:
    found = []
    for folder in sorted((models_dir / "ctranslate2").glob("*")):
        marker = folder / "pipeline-ct2.json"
        if folder.name.startswith(".") or not marker.is_file():
            continue  # an unfinished conversion
        info = json.loads(marker.read_text(encoding="utf-8"))
        source = info.get("source", {})
        version = str(source.get("revision") or (source.get("folder_sha256") or "")[:12])
        name = f"{source.get('requested', folder.name)} ({info.get('quantization')})"
        found.append(LocalModel("ctranslate2", name, version[:12], folder, _size(folder)))
    return found


def _folder_models(models_dir: Path) -> list[LocalModel]:
    found = []
    for folder in sorted(models_dir.glob("*")):
        if folder.name.startswith("models--") or not all((folder / n).is_file() for n in REQUIRED_FILES):
            continue  # not a MarianMT folder
        kind = "tiny" if is_tiny(folder) else "folder"
        found.append(LocalModel(kind, folder.name, "", folder, _size(folder)))
    return found


def _lexicons(models_dir: Path) -> list[LocalModel]:
    """The aligner's dictionary, preprocessed into ``lexicon/<name>/`` (pipeline.align.lexicon)."""
    found = []
    for meta_file in sorted(models_dir.glob("lexicon/*/lexicon.json")):
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            version = f"{str(meta['source_sha256'])[:12]} r{meta['recipe']}"
        except (OSError, ValueError, KeyError):
            version = "unreadable lexicon.json"
        found.append(LocalModel("lexicon", meta_file.parent.name, version, meta_file.parent, _size(meta_file.parent)))
    return found


def list_models(models_dir: Path) -> list[LocalModel]:
    """Every model in ``models_dir``: hub downloads, plain MarianMT folders, CTranslate2 conversions,
    and the aligner's dictionary."""
    if not models_dir.is_dir():
        return []
    found = [*_hub_models(models_dir), *_folder_models(models_dir), *_converted_models(models_dir)]
    return found + _lexicons(models_dir)
