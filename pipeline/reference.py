"""The configuration reference, made from the config models themselves (``pipeline config --schema``).

Every section, every backend a section can name, and every key with its type, default and the
description its pydantic field carries, as Markdown: ``docs/config.md`` is this text, and a test
fails when the two differ, so the reference cannot drift from the code.
"""

from __future__ import annotations

import json
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from pipeline.config import Config, tagged_models

HEADER = """# Configuration reference

Generated from the config models by `pipeline config --schema` (do not edit by hand; a test checks that
this file is up to date). A config is YAML with the sections below; only `ingest` is required. Each
section picks its backend with `name:`; keys of another backend are refused. Unknown keys are errors,
and every problem is reported at once with its path.
"""


def type_name(annotation: Any) -> str:
    """A reader's name for a field's type: ``one of: a, b``, ``list of ...``, ``... or null``."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return type_name(args[0])
    if origin is Literal:
        return "one of: " + ", ".join(f"`{a}`" for a in args)
    if origin in (Union, types.UnionType):
        kept = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(kept) + (" or null" if type(None) in args else "")
    if origin is list:
        return f"list of ({type_name(args[0])})" if get_origin(args[0]) is Literal else f"list of {type_name(args[0])}"
    if annotation is Path:
        return "path"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "section"
    return getattr(annotation, "__name__", str(annotation))


def default_text(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return "required"
    else:
        value = field.default
    if isinstance(value, BaseModel):
        return "(see below)"
    if isinstance(value, Path):
        value = str(value)
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _rows(model: type[BaseModel], prefix: str, skip_name: bool) -> Iterator[str]:
    """Table rows of a model's keys; keys of nested sections follow, dotted (``repetition.enabled``)."""
    nested = []
    for name, field in model.model_fields.items():
        if (name == "name" and skip_name) or tagged_models(field):
            continue
        kind, default = type_name(field.annotation), default_text(field)
        yield f"| `{prefix}{name}` | {kind} | {default} | {_cell(field.description)} |"
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            nested.append((name, field.annotation))
    for name, sub in nested:
        yield from _rows(sub, f"{prefix}{name}.", False)


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _model(title: str, model: type[BaseModel], skip_name: bool) -> list[str]:
    lines = [title, ""]
    doc = " ".join((model.__doc__ or "").split())
    if doc and not doc.startswith("Base of every config section"):
        lines += [doc, ""]
    rows = list(_rows(model, "", skip_name))
    if rows:
        lines += ["| key | type | default | what |", "|---|---|---|---|", *rows, ""]
    elif skip_name:
        lines += ["No keys besides `name`.", ""]
    for name, field in model.model_fields.items():
        if tagged_models(field):
            lines += _choice(f"{title.strip('#` ')}.{name}", field, title.count("#") + 1)
    return lines


def _choice(path: str, field: FieldInfo, level: int) -> list[str]:
    """A key whose value picks a backend by ``name:``: the backends, each with its keys."""
    backends = tagged_models(field)
    names = ", ".join(f"`{tag}`" for tag in backends)
    default = getattr(field.default, "name", None)
    chosen = f"; default `{default}`" if default else " (required)"
    lines = [f"{'#' * level} `{path}`", "", f"Backends (`name:`): {names}{chosen}.", ""]
    for tag, model in backends.items():
        lines += _model(f"{'#' * (level + 1)} `{path}: {{name: {tag}}}`", model, True)
    return lines


def render() -> str:
    """The whole reference, as ``docs/config.md`` holds it."""
    lines = [HEADER]
    for section, field in Config.model_fields.items():
        if tagged_models(field):
            lines += _choice(section, field, 2)
        else:
            lines += _model(f"## `{section}`", field.annotation, False)
    return "\n".join(lines).rstrip() + "\n"


def json_schema() -> str:
    """Config's JSON Schema (for editors that validate YAML against one)."""
    return json.dumps(Config.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
