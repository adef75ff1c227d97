"""Typed errors raised by library code.

Only the CLI turns these into messages and exit codes; library code never calls ``sys.exit``.
Every message names what was wrong (a file, a line, a config key) and how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence


class PipelineError(Exception):
    """Base class of every error the pipeline raises on purpose."""

    exit_code = 1


class ConfigError(PipelineError):
    """The configuration is invalid. Holds every problem found, not only the first."""

    exit_code = 2

    def __init__(self, problems: Sequence[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''}{where}:\n{lines}")


class InputError(PipelineError):
    """An input file is missing, unreadable or malformed."""

    exit_code = 3


class ModelError(PipelineError):
    """A translation model cannot be found, downloaded or loaded."""

    exit_code = 4


class StageError(PipelineError):
    """A stage failed while processing valid input (a bug or an environment problem)."""

    exit_code = 5
