"""Resume after a crash: a run killed with SIGKILL mid-translation, then run again.

The rerun must take every translation the killed run committed from the cache (nothing translated
twice), translate only the rest, and end with every sentence translated as a clean run would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from pipeline.config import MarianSettings
from pipeline.export.tsv import read_tsv
from pipeline.translate.marian import MarianTranslator

SENTENCES = 240
MIN_COMMITTED = 20


def sentences() -> list[str]:
    heads = ["今天天气很好", "专家们举行了视频会议", "他们分享了经验", "学生们在图书馆里读书", "会议在北京召开"]
    return [f"{heads[i % len(heads)]}，第{i}次。" for i in range(SENTENCES)]


def committed(cache: Path) -> int:
    if not cache.is_file():
        return 0
    try:
        with sqlite3.connect(cache) as db:
            return int(db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])
    except sqlite3.OperationalError:  # the table is being created
        return 0


def start_run(cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "pipeline", "-q", "run", "run.yaml", "--output", "out"]
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_when_committed(proc: subprocess.Popen[bytes], cache: Path, at_least: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while committed(cache) < at_least:
        if proc.poll() is not None:
            errors = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"the run ended before it could be killed: {errors}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the run committed nothing in time")
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.slow
def test_a_killed_run_resumes_without_translating_anything_twice(
    tmp_path: Path, tiny_model: Path, lexicon_store: Path
) -> None:
    texts = sentences()
    docs = [{"id": f"d{i}", "zh": "\n".join(texts[i::4])} for i in range(4)]
    (tmp_path / "docs.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
    # one thread: a tiny model spends more time in thread hand-offs than in arithmetic on a busy machine
    settings = {"model": str(tiny_model), "num_beams": 1, "batch_size": 4, "threads": 1, "progress": False}
    settings["max_new_tokens"] = 16  # short outputs keep the test quick; the kill still lands mid-run
    # the aligner's dictionary from the project's model store, built once for the session
    align = {"models_dir": str(lexicon_store.parent)}
    config = {"ingest": {"name": "jsonl", "path": "docs.jsonl"}, "translate": settings, "align": align}
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    cache = tmp_path / "out" / "cache" / "translations.sqlite"

    proc = start_run(tmp_path)
    kill_when_committed(proc, cache, MIN_COMMITTED)
    assert proc.returncode == -signal.SIGKILL
    before = committed(cache)
    assert MIN_COMMITTED <= before < SENTENCES, "killed mid-translation"
    assert not (tmp_path / "out" / "aligned.tsv").exists()

    rerun = finish_run(tmp_path, "out")
    assert rerun.returncode == 0, rerun.stderr
    stats = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["run"]["translation"]
    assert stats["cache_hits"] == before  # everything committed is reused ...
    assert stats["segments_translated"] == SENTENCES - before  # ... and only the rest is translated
    assert committed(cache) == SENTENCES

    _, rows = read_tsv(tmp_path / "out" / "aligned.tsv")
    got = {row[4]: row[5] for row in rows}
    clean = MarianTranslator(MarianSettings(**settings))  # type: ignore[arg-type]
    clean.load()
    assert got == {t: tr.text for t, tr in zip(texts, clean.translate(texts), strict=True)}

    # The outputs of the resumed run are byte for byte those of a run that was never interrupted
    # (made in another folder with the same run folder name, which the review page shows).
    other = tmp_path / "uninterrupted"
    other.mkdir()
    for name in ("run.yaml", "docs.jsonl"):
        shutil.copy(tmp_path / name, other / name)
    assert finish_run(other, "out").returncode == 0
    outputs = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_file() and p.name != "manifest.json")
    assert {"aligned.tsv", "corpus.zh", "corpus.en", "report.json", "report.html", "review.html"} <= set(outputs)
    for name in outputs:
        assert (tmp_path / "out" / name).read_bytes() == (other / "out" / name).read_bytes(), name


def finish_run(cwd: Path, output: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "-q", "run", "run.yaml", "--output", output],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
