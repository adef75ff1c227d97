"""``-q`` before or after the command (regression, issue 21: ``pipeline run X -q`` was refused), and
progress bars only on a terminal (they were written into log files)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pipeline.cli import main, make_parser
from tests.translate.fakes import Echo


@pytest.mark.parametrize(
    ("argv", "quiet"),
    [
        (["run", "x.yaml"], False),
        (["-q", "run", "x.yaml"], True),
        (["run", "x.yaml", "-q"], True),
        (["run", "--quiet", "x.yaml"], True),
        (["-q", "run", "x.yaml", "-q"], True),
        (["segment", "--lang", "zh", "-q"], True),
        (["models", "list", "-q"], True),
        (["models", "-q", "list"], True),
        (["align-eval", "gold", "test", "-q"], True),
    ],
)
def test_quiet_is_accepted_before_and_after_the_command(argv: list[str], quiet: bool) -> None:
    assert make_parser().parse_args(argv).quiet is quiet


def test_quiet_after_the_command_silences_its_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_bytes("你好。今天天气很好。".encode("gb18030"))
    assert main(["segment", "--lang", "zh", str(tmp_path / "a.txt"), "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["你好。", "今天天气很好。"] and captured.err == ""
    assert main(["segment", "--lang", "zh", str(tmp_path / "a.txt")]) == 0
    assert "decoded as gb18030" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    Echo(progress=True).translate(["一。", "二。", "三。"])
    assert capsys.readouterr().err == ""  # pytest's capture is a file, as a log is


def test_a_progress_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    Echo(progress=True).translate(["一。", "二。", "三。"])
    assert "translate: 100%" in terminal.getvalue()
    quiet = _Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    Echo(progress=False).translate(["四。"])
    assert quiet.getvalue() == ""


def test_hub_download_bars_are_off_when_stderr_is_not_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub
    from huggingface_hub import constants
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    from pipeline.translate import models

    if constants.HF_HUB_DISABLE_PROGRESS_BARS:
        pytest.skip("HF_HUB_DISABLE_PROGRESS_BARS is set: the hub's bars are off everywhere")
    was_disabled = are_progress_bars_disabled()  # transformers turns them off when the tests load a model
    enable_progress_bars()
    seen: list[bool] = []

    def fake_download(*args: object, **kwargs: object) -> str:
        seen.append(are_progress_bars_disabled())
        return str(tmp_path)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_download)
    monkeypatch.setattr(models, "_weights_pattern", lambda repo_id, revision: ["model.safetensors"])
    monkeypatch.setattr("sys.stderr", io.StringIO())
    try:
        models.download("org/model", "main", tmp_path)
        monkeypatch.setattr("sys.stderr", _Terminal())
        models.download("org/model", "main", tmp_path)
        assert seen == [True, False] and not are_progress_bars_disabled()
    finally:
        if was_disabled:
            disable_progress_bars()
