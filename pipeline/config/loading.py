"""A whole run's config: validated in one place, every problem reported at once with its path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import yaml
from pydantic import Tag, ValidationError, field_validator, model_validator

from pipeline.config.alignment import AlignSection, DPAlignerSettings
from pipeline.config.base import Section
from pipeline.config.inputs import IngestSection, RunSection, SegmentSection
from pipeline.config.outputs import (
    ExecutorSection,
    ExportSection,
    LocalExecutorSettings,
    SacrebleuSettings,
    ScoreSection,
)
from pipeline.config.translation import MarianSettings, TranslateSection
from pipeline.errors import ConfigError

# ---------------------------------------------------------------------------------------------


class Config(Section):
    """A whole run. ``ingest`` is the only section without defaults."""

    run: RunSection = RunSection()
    ingest: IngestSection
    segment: SegmentSection = SegmentSection()
    translate: TranslateSection = MarianSettings()
    align: AlignSection = DPAlignerSettings()
    score: ScoreSection = SacrebleuSettings()
    export: ExportSection = ExportSection()
    executor: ExecutorSection = LocalExecutorSettings()

    @model_validator(mode="after")
    def _mt_pairs_need_translations(self) -> Config:
        if self.translate.name == "none" and self.export.pairs != "reference":
            raise ValueError(
                f"export -> pairs: {self.export.pairs!r} needs machine translations, but translate.name is 'none'; "
                "use pairs: reference"
            )
        return self

    @field_validator("executor", mode="before")
    @classmethod
    def _executor_by_name(cls, value: Any) -> Any:
        """``executor: ray`` is short for ``executor: {name: ray}``."""
        return {"name": value} if isinstance(value, str) else value

    def run_name(self, config_path: Path | None) -> str:
        if self.run.name:
            return self.run.name
        return config_path.stem if config_path else "run"


def tagged_models(field: Any) -> dict[str, Any]:
    """Backend tag -> settings model for a field declared as a tagged union; empty otherwise.
    (pydantic moves the tag of a one-member union into the field's metadata.)"""
    found: dict[str, Any] = {m.tag: field.annotation for m in field.metadata if isinstance(m, Tag)}

    def walk(node: Any) -> None:
        if get_origin(node) is Annotated:
            base, *meta = get_args(node)
            tags = [m.tag for m in meta if isinstance(m, Tag)]
            if tags:
                found[tags[0]] = base
                return
            walk(base)
        else:
            for arg in get_args(node):
                walk(arg)

    walk(field.annotation)
    return found


def _resolve(loc: Sequence[int | str]) -> tuple[list[str], Any]:
    """Error location as the user wrote it (pydantic's union tags removed), and the model that
    holds the last key, whose fields an "unknown key" message lists."""
    parts: list[str] = []
    model: Any = Config
    holder: Any = Config
    items = [str(p) for p in loc]
    i = 0
    while i < len(items):
        part = items[i]
        parts.append(part)
        holder = model
        field = getattr(model, "model_fields", {}).get(part)
        model = None
        if field is not None:
            tagged = tagged_models(field)
            if tagged and i + 1 < len(items) and items[i + 1] in tagged:
                model = tagged[items[i + 1]]
                i += 1
            elif not tagged:
                model = field.annotation
        i += 1
    return parts, holder


def _message(error: Mapping[str, Any], holder: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        valid = ", ".join(getattr(holder, "model_fields", {})) or "(none)"
        return f"unknown key; valid keys here: {valid}"
    if kind == "union_tag_invalid":
        return f"unknown backend {ctx.get('tag')!r}; valid names: {ctx.get('expected_tags')}"
    if kind == "greater_than":
        return f"must be > {ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"must be >= {ctx.get('ge')}"
    if kind == "missing":
        return "required key is missing"
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])  # a validator's own sentence, without pydantic's "Value error, " prefix
    return str(error["msg"])


def validate(data: Any, source: str | None = None) -> Config:
    """Validate a parsed config; raise :class:`ConfigError` listing every problem with its path."""
    if not isinstance(data, Mapping):
        raise ConfigError([f"the config must be a mapping of sections, got {type(data).__name__}"], source)
    try:
        return Config.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            parts, holder = _resolve(error["loc"])
            path = " -> ".join(parts) or "(top level)"
            problems.append(f"{path}: {_message(error, holder)}")
        raise ConfigError(problems, source) from None


def parse_override(item: str) -> tuple[list[str], Any]:
    """``translate.batch_size=8`` -> (["translate", "batch_size"], 8). Values are YAML scalars."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError([f"--set {item!r}: expected KEY.SUB=VALUE, e.g. translate.batch_size=8"])
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ConfigError([f"--set {item!r}: value is not valid YAML ({exc})"]) from None
    return key.strip().split("."), value


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``--set`` overrides to a parsed config, creating sections as needed."""
    for item in overrides:
        keys, value = parse_override(item)
        node = data
        for key in keys[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child
        node[keys[-1]] = value
    return data


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse a YAML config file safely; errors name the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"config file not found: {path}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"cannot read config file {path}: {exc}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError([f"invalid YAML{where}: {getattr(exc, 'problem', exc)}"], str(path)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError([f"the config must be a mapping of sections, got {type(data).__name__}"], str(path))
    return data


def load(path: Path, overrides: Sequence[str] = ()) -> Config:
    """Read, override and validate a config file."""
    data = apply_overrides(read_yaml(path), overrides)
    return validate(data, str(path))
