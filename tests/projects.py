"""Copies of the project for runs in other folders, as a user's checkout would hold it.

A module of its own rather than part of ``conftest.py``: a test module that imports ``conftest`` gets
whichever conftest pytest loaded last (``tests/review/conftest.py``, say), not the one beside it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def copy_project(folder: Path, lexicon_store: Path) -> Path:
    """The project's configs and examples in ``folder``, using the aligner's dictionary already built in
    ``lexicon_store`` instead of building its own; returns ``folder``."""
    shutil.copytree(ROOT / "configs", folder / "configs")
    shutil.copytree(ROOT / "examples", folder / "examples")
    (folder / "models").mkdir(exist_ok=True)
    (folder / "models" / "lexicon").symlink_to(lexicon_store, target_is_directory=True)
    return folder
