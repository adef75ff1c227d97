"""``executor: ray``: the shards go through Ray Data actors and the run folder is the local executor's, byte
for byte; a shard that failed or was lost is done again on restart, and only it.

One local Ray (two CPUs, no dashboard) serves the whole module; the executor uses a session that is already
open. Skips with the reason where Ray is not installed or cannot start.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import runner
from pipeline.config import Config, LocalExecutorSettings
from pipeline.errors import StageError
from pipeline.executors.ray import INSTALL_HINT

pytestmark = [pytest.mark.ray, pytest.mark.slow]

RAY = {"name": "ray", "num_actors": 2}
OUTPUTS = {"aligned.tsv", "corpus.zh", "corpus.en", "report.json", "report.html", "review.html"}


@pytest.fixture(scope="module")
def ray_session() -> Iterator[None]:
    ray = pytest.importorskip("ray", reason=f"Ray is not installed ({INSTALL_HINT})")
    pytest.importorskip("ray.data", reason=f"Ray Data is not installed ({INSTALL_HINT})")
    try:
        ray.init(num_cpus=2, include_dashboard=False)
    except Exception as exc:  # no shared memory, no free ports...: say why and skip
        pytest.skip(f"a local Ray cannot start here: {exc}")
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def runs(
    ray_session: None, demo_config: Callable[..., Config], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The same config run by the local executor and by Ray; the folders have the same name (the run's)."""
    base = tmp_path_factory.mktemp("runs")
    runner.run(demo_config(), output=base / "local" / "demo")
    runner.run(demo_config(RAY), output=base / "ray" / "demo")
    return base / "local" / "demo", base / "ray" / "demo"


def files(run: Path) -> dict[str, bytes]:
    """Every file of a run folder but manifest.json and the translation caches, by path in the folder."""
    found = {}
    for path in sorted(run.rglob("*")):
        name = path.relative_to(run)
        if path.is_file() and name.parts[0] != "cache" and path.name != "manifest.json":
            found[str(name)] = path.read_bytes()
    return found


def run_record(run: Path) -> dict[str, Any]:
    return json.loads((run / "manifest.json").read_text(encoding="utf-8"))["run"]


def test_ray_writes_the_local_executors_files_byte_for_byte(runs: tuple[Path, Path]) -> None:
    local, ray = runs
    expected = files(local)
    assert set(expected) >= OUTPUTS
    assert sum(name.startswith("stages/align/") for name in expected) == 3, "three shards"
    assert files(ray) == expected


def test_the_actors_translation_statistics_reach_the_manifest(runs: tuple[Path, Path]) -> None:
    local, ray = (run_record(r) for r in runs)
    assert local["executor"] == "local"
    assert ray["executor"] == "ray|address:local|actors:2|gpus_per_actor:0|cpus_per_actor:1"
    counts = ("sentences", "segments_translated", "cache_hits", "batches", "source_tokens")
    assert {k: ray["translation"][k] for k in counts} == {k: local["translation"][k] for k in counts}
    assert ray["translation"]["segments_translated"] > 0
    assert (
        ray["reused"]
        == local["reused"]
        == {"shards": 3, "segment": 0, "translate": 0, "align": 0}
        | {
            "score": 0,
            "export": 0,
        }
    )


def test_each_shard_keeps_its_translations_in_a_cache_file_of_its_own(runs: tuple[Path, Path]) -> None:
    _, ray = runs
    shards = sorted(s["keys"]["ingest"] for s in run_record(ray)["shards"])
    assert sorted(p.stem for p in (ray / "cache" / "shards").glob("*.sqlite")) == shards


def test_a_failed_shard_stops_the_run_and_only_it_is_done_again_on_restart(
    runs: tuple[Path, Path], demo_config: Callable[..., Config], tmp_path: Path
) -> None:
    _, finished = runs
    run = tmp_path / "demo"
    shutil.copytree(finished, run)
    keys = run_record(run)["shards"][1]["keys"]
    stages = run / "stages"
    # shard 2 as a crash before its alignment leaves it, and with a stored translation it cannot read
    (stages / "align" / f"{keys['align']}.jsonl").unlink()
    (stages / "align-counts" / f"{keys['align']}.jsonl").unlink()
    broken = stages / "translate" / f"{keys['translate']}.jsonl"
    broken.write_text("not a record\n", encoding="utf-8")
    others = {p.name: p.stat().st_mtime_ns for p in (stages / "align").glob("*.jsonl")}

    with pytest.raises(
        StageError,
        match=r"^JSONDecodeError: .* \(in a Ray actor, shard 2 of 3; 1 of 3 shards failed; the others are stored; "
        r"run again to resume\)",
    ):
        runner.run(demo_config(RAY), output=run)
    assert {p.name: p.stat().st_mtime_ns for p in (stages / "align").glob("*.jsonl")} == others

    broken.unlink()  # the cause is gone: the restart translates and aligns shard 2, and nothing else
    result = runner.run(demo_config(RAY), output=run)
    assert result.reused == {"shards": 3, "segment": 3, "translate": 2, "align": 2, "score": 1, "export": 1}
    assert files(run) == files(finished)
    translation = run_record(run)["translation"]
    # its translations were committed to its cache file when it first ran: the model is not asked again
    assert translation["segments_translated"] == 0
    assert translation["cache_hits"] > 0


def test_a_second_run_reuses_every_shard_and_rewrites_nothing(
    runs: tuple[Path, Path], demo_config: Callable[..., Config], tmp_path: Path
) -> None:
    _, finished = runs
    run = tmp_path / "demo"
    shutil.copytree(finished, run)
    written = {name: (run / name).stat().st_mtime_ns for name in OUTPUTS}
    result = runner.run(demo_config(RAY), output=run)
    assert result.reused == {"shards": 3, "segment": 3, "translate": 3, "align": 3, "score": 1, "export": 1}
    assert {name: (run / name).stat().st_mtime_ns for name in OUTPUTS} == written
    assert run_record(run)["translation"]["sentences"] == 0


def own_actors() -> list[int]:
    """This process's shard actors: Ray titles them ``ray::MapWorker(MapBatches(ShardWorker))``, and they
    descend from this process, which started the local Ray (other people's runs are left alone)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"ShardWorker" in title and descends_from_this_process(int(entry.name)):
                found.append(int(entry.name))
    return found


def descends_from_this_process(pid: int) -> bool:
    while pid > 1:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])  # the parent's id, after the (name)
        if pid == os.getpid():
            return True
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="finds the actor's process in /proc (Linux)")
def test_an_actor_killed_in_the_middle_of_the_run_is_restarted_and_its_shard_done_again(
    ray_session: None, demo_config: Callable[..., Config], tmp_path: Path
) -> None:
    run = tmp_path / "ray" / "demo"
    aligned = run / "stages" / "align"
    killed: list[tuple[int, int]] = []  # (process id, shards finished when it was killed)

    def kill_after_the_first_shard() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (aligned.is_dir() and any(aligned.glob("*.jsonl"))):
            time.sleep(0.005)
        finished = len(list(aligned.glob("*.jsonl")))
        for pid in own_actors():
            os.kill(pid, signal.SIGKILL)
            killed.append((pid, finished))

    # one actor, one document a shard: it is killed with five of six shards to go
    config = demo_config({"name": "ray", "num_actors": 1}, run={"shard_documents": 1})
    killer = threading.Thread(target=kill_after_the_first_shard)
    killer.start()
    result = runner.run(config, output=run)
    killer.join()
    assert killed, "no shard actor was found to kill"
    assert all(finished < 6 for _, finished in killed), f"the run had finished before the kill: {killed}"
    assert result.reused["shards"] == 6
    runner.run(config.model_copy(update={"executor": LocalExecutorSettings()}), output=tmp_path / "local" / "demo")
    assert files(run) == files(tmp_path / "local" / "demo")
