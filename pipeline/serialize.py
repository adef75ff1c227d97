"""Records to JSON and back, so that stage results can be stored on disk and read by a later run.

JSON rather than pickle: a run folder may come from anywhere, and reading it must never run code.
The conversion is driven by the records' own type hints, so a new field needs no code here.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from functools import cache
from typing import Any, TypeVar, Union

T = TypeVar("T")


def to_data(value: Any) -> Any:
    """A record (or a tuple/list/dict of them) as plain JSON-able data; tuples become lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: to_data(v) for k, v in value.items()}
        return [[to_data(k), to_data(v)] for k, v in value.items()]  # JSON objects only have string keys
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_data(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` (a record class or a typing form) from :func:`to_data` output."""
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        if data is None:
            return None
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return from_data(options[0], data)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_data(args[0], v) for v in data)
        return tuple(from_data(a, v) for a, v in zip(args, data, strict=True))
    if origin is list:
        (item,) = typing.get_args(kind)
        return [from_data(item, v) for v in data]
    if origin is dict:
        key_kind, value_kind = typing.get_args(kind)
        items = data.items() if isinstance(data, dict) else data
        return {from_data(key_kind, k): from_data(value_kind, v) for k, v in items}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{f.name: from_data(hints[f.name], data[f.name]) for f in dataclasses.fields(kind)})
    return data


def dumps(value: Any) -> str:
    """One compact JSON line (no ASCII escaping: Chinese text stays readable in the file)."""
    return json.dumps(to_data(value), ensure_ascii=False, separators=(",", ":"))


def loads(kind: type[T], line: str) -> T:
    result: T = from_data(kind, json.loads(line))
    return result
