"""`pipeline segment`: one sentence per output line, with the configured (or default) segmenter."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pipeline.cli import main


def set_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """Standard input as a terminal or a pipe gives it: text on top of bytes (the command reads the bytes)."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], stdin: str = "") -> str:
    set_stdin(monkeypatch, stdin.encode("utf-8"))
    assert main(["segment", *args]) == 0
    return capsys.readouterr().out


def test_each_input_line_is_a_paragraph(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(monkeypatch, capsys, ["--lang", "zh"], "\u3000\u3000他说：“好。”她笑了。\n标题\n\n（本报电  记者）\n")
    assert out.splitlines() == ["他说：“好。”", "她笑了。", "标题", "（本报电  记者）"]


def test_files_are_read_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text("Mr. Smith left. He came back.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("The end\n", encoding="utf-8")
    out = run(monkeypatch, capsys, ["--lang", "en", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert out.splitlines() == ["Mr. Smith left.", "He came back.", "The end"]


def test_settings_come_from_overrides(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--lang", "zh", "--set", "segment.zh.split_at_semicolon=true"]
    assert run(monkeypatch, capsys, args, "甲；乙。\n").splitlines() == ["甲；", "乙。"]
    assert run(monkeypatch, capsys, ["--lang", "zh"], "甲；乙。\n").splitlines() == ["甲；乙。"]


def test_settings_come_from_a_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("segment:\n  en: {name: en-rules, extra_abbreviations: [Ave]}\n", encoding="utf-8")
    text = "He lives on Park Ave. Ten doors down.\n"
    assert run(monkeypatch, capsys, ["--lang", "en", "--config", str(config)], text).splitlines() == [text.strip()]
    assert run(monkeypatch, capsys, ["--lang", "en"], text).splitlines() == ["He lives on Park Ave.", "Ten doors down."]


def test_a_bad_setting_is_a_config_error(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    set_stdin(monkeypatch, "甲。\n".encode())
    assert main(["segment", "--lang", "zh", "--set", "segment.zh.semicolons=true"]) == 2
    assert (
        "segment -> zh -> semicolons: unknown key; valid keys here: name, split_at_semicolon" in capsys.readouterr().err
    )


def test_a_missing_file_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segment", "--lang", "zh", str(tmp_path / "nothing.txt")]) == 3
    assert "nothing.txt: file not found" in capsys.readouterr().err


def test_eval_scores_the_segmenter_against_gold_sentences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.zh.sents"
    gold.write_text("今天下雨。\n他说：“走吧。”\n\n第二段。\n", encoding="utf-8")
    assert main(["segment", "--lang", "zh", "--eval", str(gold)]) == 0
    assert "P 1.0000 R 1.0000 F1 1.0000 (1 right, 0 extra, 0 missed)" in capsys.readouterr().out
