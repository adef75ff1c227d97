"""Choosing an executor: the settings, Ray as an optional extra, and the actor's work without a Ray cluster.

None of these tests starts Ray (tests/executors/test_ray_executor.py does): the actor class is a plain class,
tried here in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline import runner
from pipeline.backends import build_shard_stages
from pipeline.config import Config, LocalExecutorSettings, RaySettings, validate
from pipeline.errors import ConfigError, InputError, ModelError, PipelineError, StageError
from pipeline.executors.ray import ShardWorker, check_keys, check_visible, shard_error
from pipeline.registry import READERS
from pipeline.stages import Shard, ShardResult, write_shards
from pipeline.store import StageStore

RAY = {"name": "ray", "num_actors": 2}
INGEST = {"ingest": {"sources": ["a.zh.txt"]}}


@pytest.mark.parametrize(
    ("executor", "expected"),
    [
        (None, LocalExecutorSettings()),
        ("local", LocalExecutorSettings()),
        ("ray", RaySettings(name="ray")),
        ({"name": "ray"}, RaySettings(name="ray", address=None, num_actors=1, num_gpus_per_actor=0)),
        (
            {"name": "ray", "address": "auto", "num_actors": 4, "num_gpus_per_actor": 0.5},
            RaySettings(name="ray", address="auto", num_actors=4, num_gpus_per_actor=0.5),
        ),
        (
            {"name": "ray", "address": "ray://head:10001", "num_gpus_per_actor": 2, "num_cpus_per_actor": 4},
            RaySettings(name="ray", address="ray://head:10001", num_gpus_per_actor=2, num_cpus_per_actor=4),
        ),
    ],
)
def test_executor_settings(executor: Any, expected: Any) -> None:
    data = INGEST if executor is None else {**INGEST, "executor": executor}
    assert validate(data).executor == expected


@pytest.mark.parametrize(
    ("executor", "problem"),
    [
        ({"name": "ray", "num_actors": 0}, "executor -> num_actors: must be > 0"),
        ({"name": "ray", "num_gpus_per_actor": -1}, "executor -> num_gpus_per_actor: must be >= 0"),
        (
            {"name": "ray", "num_gpus_per_actor": 1.5},
            "executor -> num_gpus_per_actor: 1.5 is neither a fraction of one GPU nor a whole number",
        ),
        ({"name": "ray", "local_num_cpus": 0}, "executor -> local_num_cpus: must be > 0"),
        ({"name": "ray", "gpus": 1}, "executor -> gpus: unknown key; valid keys here: name, address, num_actors"),
        ({"name": "local", "num_actors": 2}, "executor -> num_actors: unknown key; valid keys here: name"),
        ({"name": "spark"}, "executor: unknown backend 'spark'; valid names: 'local', 'ray'"),
        ("spark", "executor: unknown backend 'spark'; valid names: 'local', 'ray'"),
    ],
)
def test_bad_executor_settings_are_refused_by_path(executor: Any, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate({**INGEST, "executor": executor})
    assert problem in str(info.value)


def test_without_ray_the_run_stops_before_any_work_with_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, demo_config: Callable[..., Config], tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets where Ray is not installed
    with pytest.raises(ConfigError, match=r"executor -> name: 'ray' needs Ray .*pip install '\.\[ray\]'"):
        runner.run(demo_config(RAY), output=tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_local_run_never_imports_ray(demo_config: Callable[..., Config], tmp_path: Path) -> None:
    code = (
        "import json, sys; from pathlib import Path; from pipeline import runner; from pipeline.config import validate;"
        "runner.run(validate(json.loads(sys.argv[1])), output=Path(sys.argv[2]));"
        "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.')))"
    )
    config = json.dumps(demo_config().model_dump(mode="json"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code, config, str(tmp_path / "out")], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "aligned.tsv").is_file()


# -- the actor, in this process --------------------------------------------------------------------


def shards_of(config: Config, store: StageStore) -> list[Shard]:
    reader = READERS.load(config.ingest.name)(config.ingest)
    return write_shards(reader.read(), store, config.run.shard_documents, config.run.shard_characters)


def worker(config: Config, store: StageStore, caches: Path) -> ShardWorker:
    return ShardWorker(config.model_dump(mode="json"), str(store.root), str(caches), os.getcwd())


def reply(actor: ShardWorker, shard: Shard) -> dict[str, Any]:
    """What the driver receives: the actor's reply travels as JSON."""
    return json.loads(json.dumps(actor.process(shard)))


def test_a_worker_processes_a_shard_with_a_cache_file_of_its_own_and_says_what_it_cost(
    demo_config: Callable[..., Config], tmp_path: Path
) -> None:
    config, store, caches = demo_config(RAY), StageStore(tmp_path / "stages"), tmp_path / "caches"
    shard = shards_of(config, store)[1]
    actor = worker(config, store, caches)

    first = reply(actor, shard)
    assert first["index"] == 1 and first["result"]["reused"] == []
    assert first["stats"]["sentences"] > 0 and first["stats"]["segments"] > 0
    assert [p.name for p in caches.iterdir()] == [f"{shard.key}.sqlite"]
    assert store.has("align", first["result"]["keys"]["align"])

    again = reply(actor, shard)
    assert again["result"]["reused"] == ["segment", "translate", "align"]
    assert again["stats"]["sentences"] == again["stats"]["segments"] == 0


def test_a_worker_that_cannot_load_the_model_says_why_with_every_shard(
    demo_config: Callable[..., Config], tmp_path: Path
) -> None:
    config = demo_config(RAY, translate={"model": str(tmp_path / "no-such-model")})
    store = StageStore(tmp_path / "stages")
    shards = shards_of(config, store)
    actor = worker(config, store, tmp_path / "caches")
    replies = [reply(actor, shard) for shard in shards]
    assert [r["error"]["type"] for r in replies] == ["ModelError"] * 3
    error = shard_error(replies, shards)
    assert isinstance(error, ModelError)
    assert str(error).startswith(f"translate -> model: folder {tmp_path / 'no-such-model'} does not exist")
    assert str(error).endswith(
        "(a Ray actor could not build the stages this machine built: on a cluster every node needs the model "
        "and every path of the config at the same path; 3 of 3 shards failed; run again to resume)"
    )


@pytest.mark.parametrize(
    ("error", "kind", "message"),
    [
        (
            {
                "type": "InputError",
                "message": "docs.jsonl:3: bad",
                "problems": None,
                "traceback": "",
                "starting": False,
            },
            InputError,
            "docs.jsonl:3: bad (in a Ray actor, shard 2 of 3; 1 of 3 shards failed; the others are stored; "
            "run again to resume)",
        ),
        (
            {
                "type": "ConfigError",
                "message": "1 problem",
                "problems": ["translate -> x: bad"],
                "traceback": "",
                "starting": False,
            },
            ConfigError,
            "1 problem:\n  - translate -> x: bad",
        ),
        (
            {
                "type": "KeyError",
                "message": "'zh'",
                "problems": None,
                "traceback": "Traceback (most recent call last)",
                "starting": False,
            },
            StageError,
            "KeyError: 'zh' (in a Ray actor, shard 2 of 3; 1 of 3 shards failed; the others are stored; "
            "run again to resume)\nTraceback (most recent call last)",
        ),
    ],
)
def test_an_actors_failure_is_raised_in_the_driver_as_the_pipeline_error_it_was(
    error: dict[str, Any], kind: type[PipelineError], message: str
) -> None:
    shards = [Shard(i, f"k{i}", 1, 10) for i in range(3)]
    raised = shard_error([{"index": 1, "error": error}], shards)
    assert type(raised) is kind
    assert str(raised) == message


def test_results_the_driver_cannot_see_say_the_run_folder_must_be_shared(tmp_path: Path) -> None:
    store = StageStore(tmp_path / "stages")
    store.write("align", "seen", [])
    results = [ShardResult(0, {"align": "seen"}, ()), ShardResult(1, {"align": "on-another-node"}, ())]
    with pytest.raises(
        StageError,
        match=r"cannot see what the Ray actors stored for 1 of 2 shards under .*: on a cluster .* shared storage",
    ):
        check_visible(results, store)


def test_actors_whose_stage_keys_differ_from_the_drivers_are_reported(
    demo_config: Callable[..., Config], caplog: pytest.LogCaptureFixture
) -> None:
    stages = build_shard_stages(demo_config())
    same = stages.keys("shard")
    check_keys([{"result": {"keys": same}}], stages)
    assert not caplog.records
    gpu = {**same, "translate": "translated-on-a-gpu"}
    check_keys([{"result": {"keys": same}}, {"result": {"keys": gpu}}], stages)
    assert "the Ray actors' stage settings differ from the driver's" in caplog.text
