"""A fake translator for the engine's tests: no model, every call recorded."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.config import EngineSettings
from pipeline.translate.engine import ModelTranslator


class Echo(ModelTranslator):
    """Translates ``甲`` as ``<甲>`` (or with ``rule``); costs are characters plus an end token.

    ``settings`` are engine settings (``batch_size=2``, ``repetition={"enabled": False}``), as in a config.
    """

    def __init__(
        self,
        rule: Callable[[str], str] | None = None,
        retry: Callable[[str], str] | None = None,
        name: str = "echo",
        **settings: object,
    ) -> None:
        super().__init__(EngineSettings(**{"progress": False, **settings}))  # type: ignore[arg-type]
        self.rule = rule or (lambda t: f"<{t}>")
        self.retry_rule = retry
        self.name = name
        self.batches: list[list[str]] = []
        self.retries: list[list[str]] = []

    def translate_batch(self, texts: list[str]) -> list[str]:
        self.batches.append(list(texts))
        return [self.rule(t) for t in texts]

    def retry_batch(self, texts: list[str]) -> list[str] | None:
        if self.retry_rule is None:
            return None
        self.retries.append(list(texts))
        return [self.retry_rule(t) for t in texts]

    def signature(self) -> str:
        return f"{self.name}|v1"

    @property
    def seen(self) -> list[str]:
        """Every segment given to the model, in order."""
        return [t for batch in self.batches for t in batch]
