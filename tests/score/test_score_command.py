"""``pipeline score``: existing outputs against one or several references, refusing files that disagree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sacrebleu

from pipeline.config import SacrebleuSettings
from pipeline.errors import InputError
from pipeline.ingest.base import read_lines
from pipeline.score.systems import evaluate, format_text, read_documents, to_json

REF_A = ["The cat sat on the mat.", "It was happy.", "Then it left.", "The dog barked.", "Rain fell all day."]
REF_B = ["A cat was sitting on the mat.", "It was glad.", "Then it went away.", "A dog barked.", "It rained all day."]
SYS_1 = ["The cat sat on a mat.", "It was glad.", "Then it left.", "The dog barks.", "Rain fell all the day."]
SYS_2 = ["Cat sits mat.", "Happy.", "It goes.", "Dog.", "Rain day."]
DOCS = ["news-1", "news-1", "news-1", "chat-7", "chat-7"]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "ref.A": write(tmp_path / "ref.A.en", REF_A),
        "ref.B": write(tmp_path / "ref.B.en", REF_B),
        "sys1": write(tmp_path / "sys1.en", SYS_1),
        "sys2": write(tmp_path / "sys2.en", SYS_2),
        "docs": write(
            tmp_path / "docs.tsv", ["line\tdoc_id\tseg_id", *(f"{i}\t{d}\t1" for i, d in enumerate(DOCS, 1))]
        ),
    }


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "score", *map(str, args)], capture_output=True, text=True, check=False
    )


def cli_on_a_terminal(*args: str | Path) -> tuple[int, str]:
    """Exit code and what a 100-column terminal shows when ``pipeline`` runs with standard error on it."""
    import fcntl
    import pty
    import struct
    import termios
    import threading

    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty has 0 columns
    shown: list[bytes] = []

    def read() -> None:  # drained while the command runs, so that it never blocks on a full terminal
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the command closed its end
                return
            if not chunk:
                return
            shown.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    command = [sys.executable, "-m", "pipeline", *map(str, args)]
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=terminal, check=False)
    os.close(terminal)
    reader.join(timeout=10)
    os.close(main)
    return done.returncode, b"".join(shown).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_terminal_sees_a_progress_bar_of_segments_and_quiet_turns_it_off(files: dict[str, Path]) -> None:
    args = ["--hyp", files["sys1"], files["sys2"], "--ref", files["ref.A"], "--paired", "bs"]
    code, shown = cli_on_a_terminal("score", *args)
    assert code == 0
    assert "score:" in shown and "/20 [" in shown  # 2 systems x 5 segments x 2 metrics
    assert "paired bs:" in shown and "/2 [" in shown  # 1 system against the baseline x 2 metrics
    assert cli_on_a_terminal("-q", "score", *args) == (0, "")


def test_quiet_called_in_process_leaves_progress_bars_on_for_the_caller(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    assert main(["-q", "score", "--hyp", str(files["sys1"]), "--ref", str(files["ref.A"]), "--bootstrap", "0"]) == 0
    assert "TQDM_DISABLE" not in os.environ  # -q turned bars off for its own command only
    monkeypatch.setenv("TQDM_DISABLE", "yes")
    assert main(["-q", "score", "--hyp", str(files["sys1"]), "--ref", str(files["ref.A"]), "--bootstrap", "0"]) == 0
    assert os.environ["TQDM_DISABLE"] == "yes"
    assert "BLEU|nrefs:1" in capsys.readouterr().out


def test_no_progress_bar_goes_into_a_file_or_a_pipe(files: dict[str, Path]) -> None:
    out = cli("--hyp", files["sys1"], files["sys2"], "--ref", files["ref.A"], "--paired", "both")
    assert out.returncode == 0 and out.stderr == ""


@pytest.mark.parametrize(
    ("content", "lines"),
    [
        ("a\nb\n", ["a", "b"]),
        ("a\nb", ["a", "b"]),  # no final newline
        ("a  \r\n\nb\n", ["a", "", "b"]),  # trailing white space and \r dropped, empty lines kept
        ("a\u2028b\n", ["a\u2028b"]),  # only \n ends a line
        ("", []),
    ],
)
def test_lines_are_read_as_the_sacrebleu_command_line_reads_them(
    tmp_path: Path, content: str, lines: list[str]
) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(content.encode("utf-8"))
    assert read_lines(path) == lines


def test_json_has_every_system_with_signatures_intervals_and_documents(files: dict[str, Path]) -> None:
    out = cli("--hyp", files["sys1"], files["sys2"], "--ref", files["ref.A"], files["ref.B"], "--docs", files["docs"],
              "--metrics", "bleu", "chrf", "--json", "--paired", "none", "--bootstrap", "100")  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [s["name"] for s in data["systems"]] == ["sys1", "sys2"] and data["segments"] == 5
    bleu = data["systems"][0]["scores"][0]
    assert bleu["score"] == sacrebleu.corpus_bleu(SYS_1, [REF_A, REF_B]).score
    assert bleu["signature"].startswith("nrefs:2|bs:100|seed:12345|") and bleu["ci"]["resamples"] == 100
    docs = {d["id"]: d for d in data["systems"][1]["documents"]}
    assert docs["chat-7"]["segments"] == 2
    assert docs["chat-7"]["scores"]["chrf"] == sacrebleu.corpus_chrf(SYS_2[3:], [REF_A[3:], REF_B[3:]]).score
    assert data["systems"][1]["document_signatures"]["bleu"].startswith("nrefs:2|case:mixed")
    assert data["significance"] == []


def test_by_default_bleu_and_chrf_are_scored_with_intervals_and_no_paired_test(files: dict[str, Path]) -> None:
    out = cli("--hyp", files["sys1"], files["sys2"], "--ref", files["ref.A"], "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for system in data["systems"]:
        assert [s["metric"] for s in system["scores"]] == ["bleu", "chrf"]
        assert all(s["ci"]["resamples"] == 1000 and "|bs:1000|" in s["signature"] for s in system["scores"])
    assert data["significance"] == []
    assert [m.name for m in evaluate([files["sys1"]], [files["ref.A"]]).systems[0].corpus] == ["bleu", "chrf"]


def test_chrf_plus_plus_ter_and_the_paired_tests_are_computed_when_asked(files: dict[str, Path]) -> None:
    out = cli("--hyp", files["sys1"], files["sys2"], "--ref", files["ref.A"], "--json", "--bootstrap", "0",
              "--metrics", "chrf++", "ter", "--paired", "ar", "--paired-samples", "100")  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    ter = data["systems"][1]["scores"][1]
    assert [s["metric"] for s in data["systems"][1]["scores"]] == ["chrf++", "ter"]
    assert ter["score"] == sacrebleu.corpus_ter(SYS_2, [REF_A]).score and not ter["higher_is_better"]
    [test] = data["significance"]
    assert (test["test"], test["samples"]) == ("ar", 100)
    assert [(r["system"], r["metric"]) for r in test["results"]] == [
        ("sys1", "chrf++"), ("sys2", "chrf++"), ("sys1", "ter"), ("sys2", "ter")
    ]  # fmt: skip


def test_text_output_prints_sacrebleus_lines_and_both_tests(files: dict[str, Path]) -> None:
    settings = SacrebleuSettings(metrics=["bleu", "chrf", "chrf++", "ter"], bootstrap=0)
    result = evaluate([files["sys1"], files["sys2"]], [files["ref.A"]], settings=settings, tests=("bs", "ar"))
    text = format_text(result)
    assert "BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:" in text
    assert "TER|nrefs:1|case:lc|tok:tercom" in text and "chrF2++|nrefs:1" in text
    assert "paired bootstrap resampling (1000 samples) against the baseline sys1" in text
    assert "paired approximate randomization (10000 samples) against the baseline sys1" in text
    assert [t.test for t in result.tests] == ["bs", "ar"]
    assert to_json(result)["significance"][1]["signatures"]["bleu"].startswith("nrefs:1|ar:10000|seed:12345|")


def test_different_line_counts_are_refused_naming_every_file(files: dict[str, Path], tmp_path: Path) -> None:
    short = write(tmp_path / "short.en", SYS_1[:4])
    out = cli("--hyp", files["sys1"], short, "--ref", files["ref.A"], "--docs", files["docs"])
    assert out.returncode == 3
    assert "line counts differ" in out.stderr
    for name, count in (("ref.A.en", 5), ("sys1.en", 5), ("short.en", 4), ("docs.tsv", 5)):
        assert f"{name}: {count} lines" in out.stderr


@pytest.mark.parametrize(
    ("hyps", "message"),
    [
        (["sys1", "sys1"], "are both named 'sys1'"),
        (["missing"], "file not found"),
    ],
)
def test_bad_system_files_are_input_errors(
    files: dict[str, Path], tmp_path: Path, hyps: list[str], message: str
) -> None:
    paths = [files.get(h, tmp_path / "missing.en") for h in hyps]
    with pytest.raises(InputError, match=message):
        evaluate(paths, [files["ref.A"]])


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["line\tdoc_id\tseg_id", "1\ta\t1", "2\tb\t1"], ["a", "b"]),
        (["doc_id", "a", "a"], ["a", "a"]),
        (["a", "b", "b"], ["a", "b", "b"]),  # no header: one id a line
    ],
)
def test_documents_file_formats(tmp_path: Path, lines: list[str], expected: list[str]) -> None:
    assert read_documents(write(tmp_path / "docs.tsv", lines)) == expected


def test_documents_file_with_a_wrong_line_number_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "docs.tsv", ["line\tdoc_id", "1\ta", "3\ta"])
    with pytest.raises(InputError, match=r"docs.tsv, line 3: column 'line' is '3', expected 2"):
        read_documents(path)


def test_negative_bootstrap_is_a_usage_error(files: dict[str, Path]) -> None:
    out = cli("--hyp", files["sys1"], "--ref", files["ref.A"], "--bootstrap", "-5")
    assert out.returncode == 2 and "expected a whole number >= 0" in out.stderr
