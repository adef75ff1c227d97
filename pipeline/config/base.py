"""What every config section shares: unknown keys refused, values frozen, backends picked by ``name``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Discriminator


class Section(BaseModel):
    """Base of every config section: unknown keys are refused, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def tag_of(default: str) -> Any:
    """Discriminator that reads ``name`` and falls back to the section's default backend."""

    def tag(value: Any) -> str:
        if isinstance(value, Mapping):
            return str(value.get("name", default))
        return str(getattr(value, "name", default))

    return Discriminator(tag)
