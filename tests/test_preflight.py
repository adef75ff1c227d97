"""``pipeline validate`` finds the files a run would miss, every one at once, naming the key and the file.

Regression (issue 21): a config whose ``translate.path`` did not exist was "valid", then ``run`` exited 3.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.cli import main
from pipeline.config import validate
from pipeline.preflight import file_problems


def write_config(folder: Path, **sections: object) -> Path:
    (folder / "a.zh.txt").write_text("好。", encoding="utf-8")
    (folder / "src.zh").write_text("好。\n", encoding="utf-8")
    data = {"ingest": {"sources": [str(folder / "a.zh.txt")]}, **sections}
    path = folder / "run.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def validate_cli(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["validate", str(config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_missing_precomputed_translation_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "system.en"
    translate = {"name": "precomputed", "format": "lines", "source": str(tmp_path / "src.zh"), "path": str(missing)}
    code, out, err = validate_cli(write_config(tmp_path, translate=translate), capsys)
    assert code == 3 and "valid" not in out
    assert f"translate -> path: {missing} is not a file" in err


def test_every_missing_file_is_reported_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    translate = {"name": "precomputed", "format": "lines", "source": "nowhere.zh", "path": "nowhere.en"}
    config = write_config(tmp_path, translate=translate)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["ingest"]["references"] = [str(tmp_path / "refs" / "*.en.txt")]
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, _, err = validate_cli(config, capsys)
    assert code == 3 and "3 files the config names are missing" in err
    assert "ingest -> references: " in err and "refs/*.en.txt' matches no file" in err
    assert "translate -> path: nowhere.en is not a file" in err and "translate -> source: nowhere.zh" in err


def test_a_jsonl_ingest_path_is_checked(tmp_path: Path) -> None:
    config = validate({"ingest": {"name": "jsonl", "path": str(tmp_path / "docs.jsonl")}})
    assert file_problems(config) == [
        f"ingest -> path: {tmp_path / 'docs.jsonl'} is not a file (relative to {Path.cwd()})"
    ]
    (tmp_path / "docs.jsonl").write_text("", encoding="utf-8")
    assert file_problems(config) == []


def test_a_config_whose_files_exist_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "system.en").write_text("Good.\n", encoding="utf-8")
    translate = {"name": "precomputed", "source": str(tmp_path / "src.zh"), "path": str(tmp_path / "system.en")}
    code, out, err = validate_cli(write_config(tmp_path, translate=translate), capsys)
    assert code == 0 and out.strip().endswith(": valid"), err
