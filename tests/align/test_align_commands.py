"""pipeline align, align-dir and align-eval on files in the MAC layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.align.evaluate import read_links
from pipeline.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def mac_folder(tmp_path: Path) -> Path:
    """The seed fixtures as document 001 of a MAC-style folder, with their gold alignment."""
    folder = tmp_path / "data"
    folder.mkdir()
    for kind in ("zh", "en", "mt"):
        (folder / f"001.{kind}.sents").write_bytes((FIXTURES / f"seed.{kind}.sents").read_bytes())
    (folder / "001.gold.align").write_bytes((FIXTURES / "seed.gold.align").read_bytes())
    return folder


def test_align_prints_one_link_a_line(mac_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [f"--{k}={mac_folder / f'001.{k}.sents'}" for k in ("zh", "en", "mt")]
    assert main(["-q", "align", *files]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("[0]:[0]:")
    assert lines[9].startswith("[9]:[9, 10]:")
    assert all(0.0 <= float(line.rsplit(":", 1)[1]) <= 1.0 for line in lines)


def test_align_dir_then_align_eval(mac_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["-q", "align-dir", str(mac_folder), "--out", str(out)]) == 0
    assert (out / "001.align").is_file()
    capsys.readouterr()
    assert main(["-q", "align-eval", str(mac_folder), str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["total"]["f1_strict"] == 1.0
    assert result["documents"][0]["document"] == "001"
    assert main(["-q", "align-eval", str(mac_folder), str(out)]) == 0
    assert "total" in capsys.readouterr().out


def test_gale_church_needs_no_translation(mac_folder: Path, tmp_path: Path) -> None:
    (mac_folder / "001.mt.sents").unlink()
    assert main(["-q", "align-dir", str(mac_folder), "--out", str(tmp_path / "gc"), "--aligner", "gale-church"]) == 0


def test_settings_are_overridden_and_checked(mac_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [f"--{k}={mac_folder / f'001.{k}.sents'}" for k in ("zh", "en", "mt")]
    assert main(["-q", "align", *files, "--set", "align.link_types=[1-1,1-0,0-1]"]) == 0
    sides = [line.split(":")[:2] for line in capsys.readouterr().out.splitlines()]
    assert {(len(json.loads(s)), len(json.loads(r))) for s, r in sides} <= {(1, 1), (1, 0), (0, 1)}
    assert main(["-q", "align", *files, "--set", "align.bogus=1"]) == 2
    assert "align -> bogus: unknown key" in capsys.readouterr().err


def test_align_without_a_translation_links_the_texts_alone(
    mac_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zh, en = (mac_folder / f"001.{k}.sents" for k in ("zh", "en"))
    assert main(["-q", "align", f"--zh={zh}", f"--en={en}"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[9].startswith("[9]:[9, 10]:")


def test_align_dir_on_a_folder_without_translations(mac_folder: Path, tmp_path: Path) -> None:
    (mac_folder / "001.mt.sents").unlink()
    assert main(["-q", "align-dir", str(mac_folder), "--out", str(tmp_path / "out")]) == 0
    gold = read_links(mac_folder / "001.gold.align")
    assert read_links(tmp_path / "out" / "001.align") == gold


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("short-mt", "has 1 lines but"),
        ("no-zh", "sentence file not found"),
    ],
)
def test_input_errors_exit_3_with_a_message(
    change: str, message: str, mac_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zh, en, mt = (mac_folder / f"001.{k}.sents" for k in ("zh", "en", "mt"))
    args = ["align", f"--zh={zh}", f"--en={en}", f"--mt={mt}"]
    if change == "short-mt":
        mt.write_text("one line\n", encoding="utf-8")
    else:
        zh.unlink()
    assert main(args) == 3
    error = capsys.readouterr().err
    assert message in error
    if change == "short-mt":
        assert str(mt) in error and str(zh) in error and "62" in error  # both files and both counts


def test_align_eval_of_a_missing_folder_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["align-eval", str(tmp_path / "nope"), str(tmp_path)]) == 3
    assert "not a folder" in capsys.readouterr().err
