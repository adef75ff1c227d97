"""The Ray executor: shards processed by a pool of Ray actors through Ray Data.

Ray Data reads one descriptor per shard (:func:`ray.data.from_items`, one block each) and maps them
with :class:`ShardWorker`, a callable class run by an actor pool of ``num_actors`` actors
(``map_batches(ShardWorker, batch_size=1, compute=ActorPoolStrategy(size=num_actors))``). Each actor
builds the per-shard stages from the run config once, so the translation model is loaded once per
actor, and runs :func:`pipeline.stages.process_shard` (the local executor's code) on one shard per
call, reading and writing the run folder's stage store. A shard whose results are stored is skipped
there, as locally; results come back in any order and are returned in shard order, and the driver
merges, scores and exports them once, as after a local run: the outputs are byte-identical.

Translation caches: each shard has its own SQLite file, ``cache/shards/<shard key>.sqlite``, opened by
one actor at a time (exclusive lock, no shared memory), so no two processes ever write one file and
the cache works on a network file system. A shard killed halfway finds its finished translations
there when it runs again.

What an actor counted (segments translated, cache hits, seconds) comes back with its result and is
added to the driver's translator statistics, so ``manifest.json`` reports the whole run; the seconds
are summed over actors, not wall-clock time.

On a cluster every node must see the run folder, the model and any other path in the config at the
same path (shared storage); actors start in the driver's working directory where it exists, so
relative paths work on one machine and on a cluster whose nodes share that directory.

Ray is imported only when this executor is built; without it, the run stops before any work with
the install hint.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import traceback
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline import errors
from pipeline.backends import build_shard_stages
from pipeline.config import Config, RaySettings, validate
from pipeline.errors import ConfigError, PipelineError, StageError
from pipeline.executors.base import Executor
from pipeline.stages import Shard, ShardResult, ShardStages, process_shard
from pipeline.store import StageStore
from pipeline.translate.base import TranslationStats

log = logging.getLogger("pipeline")

INSTALL_HINT = "pip install '.[ray]'"
#: The per-shard translation caches, inside the run folder.
SHARD_CACHES = Path("cache") / "shards"


def import_ray() -> Any:
    """The ``ray`` module with Ray Data, or a :class:`ConfigError` that says how to install it."""
    try:
        import ray
        import ray.data  # the executor's engine: its absence is the same problem
    except ImportError as exc:
        raise ConfigError(
            [
                f"executor -> name: 'ray' needs Ray with Ray Data, which cannot be imported ({exc}); "
                f"install it with: {INSTALL_HINT}, or set executor.name: local"
            ]
        ) from None
    return ray


class RayExecutor(Executor):
    def __init__(self, settings: RaySettings, config: Config | None = None) -> None:
        if config is None:
            raise ValueError("RayExecutor(settings, config): the actors build their stages from the run config")
        self.settings = settings
        self.config = config
        self.ray = import_ray()  # here, when the backends are built: before any work
        self._started = False

    def signature(self) -> str:
        s = self.settings
        return (
            f"ray|address:{s.address or 'local'}|actors:{s.num_actors}|gpus_per_actor:{s.num_gpus_per_actor:g}"
            f"|cpus_per_actor:{s.num_cpus_per_actor:g}"
        )

    def process(self, shards: Sequence[Shard], stages: ShardStages, store: StageStore) -> list[ShardResult]:
        if not shards:
            return []
        self._connect()
        replies = self._map(shards, store)
        failures = sorted((r for r in replies if "error" in r), key=lambda r: r["index"])
        if failures:
            raise shard_error(failures, shards)
        by_index = {r["index"]: _decode(r["result"]) for r in replies}
        if sorted(by_index) != [s.index for s in shards]:
            raise StageError(f"executor ray: {len(by_index)} shard results came back for {len(shards)} shards")
        for reply in replies:
            _add_stats(stages.translator.stats, reply["stats"])
        check_keys(replies, stages)
        results = [by_index[s.index] for s in shards]
        check_visible(results, store)
        return results

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()
            self._started = False

    # -- Ray -------------------------------------------------------------------------------------

    def _connect(self) -> None:
        """Join the configured cluster, or start a local Ray; a session the caller opened is used as it is."""
        if self.ray.is_initialized():
            return
        s = self.settings
        kwargs: dict[str, Any] = {"address": s.address}
        if s.address is None:  # options only a Ray started here takes
            kwargs.update(num_cpus=s.local_num_cpus, include_dashboard=False)
        try:
            self.ray.init(**kwargs)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"the Ray cluster at {s.address!r}" if s.address else "a local Ray"
            raise ConfigError(
                [f"executor -> address: cannot start or join {where}: {exc}; check `ray status` on the head node"]
            ) from None
        self._started = True

    def _map(self, shards: Sequence[Shard], store: StageStore) -> list[dict[str, Any]]:
        """Run every shard in the actor pool; one reply per shard, in the order they finish."""
        ray, s = self.ray, self.settings
        items = [dataclasses.asdict(shard) for shard in shards]
        dataset = ray.data.from_items(items, override_num_blocks=len(items))  # a block per shard: spread out
        dataset = dataset.map_batches(
            ShardWorker,
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=min(s.num_actors, len(items))),
            num_cpus=s.num_cpus_per_actor,
            num_gpus=s.num_gpus_per_actor,
            fn_constructor_kwargs={
                "config": self.config.model_dump(mode="json"),
                "stages_dir": str(store.root.resolve()),
                "caches_dir": str(store.root.resolve().parent / SHARD_CACHES),
                "cwd": os.getcwd(),
            },
        )
        replies: list[dict[str, Any]] = []
        try:
            for row in dataset.iter_rows():  # the other shards go on after a failure: more is stored for a rerun
                reply = json.loads(row["reply"])
                replies.append(reply)
                _log_reply(reply, len(replies), len(shards), first_failure=not any("error" in r for r in replies[:-1]))
        except Exception as exc:  # Ray's own failures: a node lost, a worker that cannot import this package
            last = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise StageError(
                f"executor ray: the Ray job failed: {last}; on a cluster every node needs this package installed "
                "and the run folder on shared storage; finished shards are stored, run again to resume"
            ) from exc
        return replies


class ShardWorker:
    """A Ray Data actor: the per-shard stages built once from the run config, then one shard per call.

    Failures are returned as data (error type, message, problems, traceback) rather than raised, so the
    driver raises the pipeline's own error with its message instead of Ray's wrapper.
    """

    def __init__(self, config: dict[str, Any], stages_dir: str, caches_dir: str, cwd: str) -> None:
        if os.path.isdir(cwd):  # relative paths in the config mean what they mean to the driver
            os.chdir(cwd)
        self.store = StageStore(Path(stages_dir))
        self.caches = Path(caches_dir)
        self.stages: ShardStages | None = None
        self.error: dict[str, Any] | None = None
        try:
            self.stages = build_shard_stages(validate(config))
        except Exception as exc:  # e.g. the model is not where this node looks: said with every shard
            self.error = _describe(exc, starting=True)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        shards = [
            Shard(int(i), str(k), int(d), int(c))
            for i, k, d, c in zip(batch["index"], batch["key"], batch["documents"], batch["characters"], strict=True)
        ]
        return {"reply": [json.dumps(self.process(shard)) for shard in shards]}

    def process(self, shard: Shard) -> dict[str, Any]:
        """One shard through :func:`process_shard`, with its own translation cache; the reply as JSON data."""
        if self.stages is None:
            return {"index": shard.index, "error": self.error}
        translator = self.stages.translator
        before = _stats(translator.stats)
        if not self.store.has("translate", self.stages.keys(shard.key)["translate"]):
            translator.open_cache(self.caches / f"{shard.key}.sqlite", exclusive=True)
        try:
            result = process_shard(shard, self.stages, self.store)
        except Exception as exc:
            return {"index": shard.index, "error": _describe(exc)}
        finally:
            translator.close_cache()
        stats = _difference(_stats(translator.stats), before)
        return {"index": shard.index, "result": dataclasses.asdict(result), "stats": stats}


# -- replies --------------------------------------------------------------------------------------


def _describe(exc: BaseException, starting: bool = False) -> dict[str, Any]:
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "problems": getattr(exc, "problems", None),
        "traceback": "" if isinstance(exc, PipelineError) else traceback.format_exc(),
        "starting": starting,
    }


def shard_error(failures: Sequence[dict[str, Any]], shards: Sequence[Shard]) -> PipelineError:
    """The first failed shard's error, raised as the pipeline error it was, saying what else is left."""
    first = failures[0]
    error = first["error"]
    if error["type"] == "ConfigError" and error["problems"]:
        return ConfigError(error["problems"])
    if error["starting"]:  # this machine built the same stages: the actor's node lacks something
        where = (
            "a Ray actor could not build the stages this machine built: on a cluster every node needs the model "
            "and every path of the config at the same path"
        )
    else:
        where = f"in a Ray actor, shard {first['index'] + 1} of {len(shards)}"
    left = "; the others are stored" if len(failures) < len(shards) else ""
    rest = f"{len(failures)} of {len(shards)} shards failed{left}; run again to resume"
    kind = getattr(errors, error["type"], None)
    if isinstance(kind, type) and issubclass(kind, PipelineError) and kind is not ConfigError:
        return kind(f"{error['message']} ({where}; {rest})")
    return StageError(f"{error['type']}: {error['message']} ({where}; {rest})\n{error['traceback']}")


def _decode(data: dict[str, Any]) -> ShardResult:
    return ShardResult(
        index=data["index"],
        keys=data["keys"],
        reused=tuple(data["reused"]),
        seconds=data["seconds"],
        align_counts=data["align_counts"],
    )


def _log_reply(reply: dict[str, Any], done: int, total: int, first_failure: bool) -> None:
    if "error" in reply:
        if first_failure:  # the rest are counted in the error raised at the end
            log.error("shard %d failed in a Ray actor: %s", reply["index"] + 1, reply["error"]["message"])
        return
    state = "reused" if "align" in reply["result"]["reused"] else "processed"
    log.info("shard %d done (%d/%d): %s", reply["index"] + 1, done, total, state)


def check_keys(replies: Sequence[dict[str, Any]], stages: ShardStages) -> None:
    """Warn when the actors' backends are not the driver's (e.g. ``device: auto`` found a GPU there only):
    the manifest's signatures describe the driver's backends; the shards' keys are the actors'."""
    for reply in replies:
        keys = reply["result"]["keys"]
        if keys != stages.keys(keys["ingest"]):
            log.warning(
                "the Ray actors' stage settings differ from the driver's (translator here: %s): manifest.json and "
                "report.json name the driver's backends; the keys of every shard (manifest run.shards) are the "
                "actors'. Set translate.device explicitly to avoid this.",
                stages.translator.signature(),
            )
            return


def check_visible(results: Sequence[ShardResult], store: StageStore) -> None:
    missing = [r.index for r in results if not store.has("align", r.keys["align"])]
    if missing:
        raise StageError(
            f"this machine cannot see what the Ray actors stored for {len(missing)} of {len(results)} shards under "
            f"{store.root}: on a cluster the run folder (run.output_dir or --output) must be on shared storage that "
            "every node mounts at the same path"
        )


# -- translation statistics -----------------------------------------------------------------------

_COUNTS = [f.name for f in dataclasses.fields(TranslationStats) if f.name not in ("flags", "notes")]


def _stats(stats: TranslationStats) -> dict[str, Any]:
    return {
        **{name: getattr(stats, name) for name in _COUNTS},
        "flags": dict(stats.flags),
        "notes": list(stats.notes),
    }


def _difference(after: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """What a shard added to an actor's statistics."""
    return {
        **{name: after[name] - before[name] for name in _COUNTS},
        "flags": dict(Counter(after["flags"]) - Counter(before["flags"])),
        "notes": after["notes"][len(before["notes"]) :],
    }


def _add_stats(stats: TranslationStats, part: dict[str, Any]) -> None:
    for name in _COUNTS:
        setattr(stats, name, getattr(stats, name) + part[name])
    stats.flags.update(part["flags"])
    stats.notes.extend(n for n in part["notes"] if n not in stats.notes)
