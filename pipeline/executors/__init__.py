"""Executors: where the per-shard stages run (this process, or a Ray cluster)."""

from pipeline.executors.base import Executor

__all__ = ["Executor"]
