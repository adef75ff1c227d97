"""The configuration reference is made from the config models: it cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from pipeline import reference
from pipeline.cli import main
from pipeline.config import Config, tagged_models

DOCS = Path(__file__).resolve().parent.parent / "docs" / "config.md"


def test_docs_config_md_is_the_generated_reference() -> None:
    assert DOCS.read_text(encoding="utf-8") == reference.render(), (
        "docs/config.md is out of date: run `python -m pipeline config --schema > docs/config.md`"
    )


def _keys(model: type[BaseModel], path: str) -> list[tuple[str, str | None]]:
    found = []
    for name, field in model.model_fields.items():
        backends = tagged_models(field)
        for tag, sub in backends.items():
            found += _keys(sub, f"{path}{name}[{tag}].")
        if backends:
            continue
        section = isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        if name != "name":
            # a section says what it is in its docstring, a key in its description
            found.append((f"{path}{name}", field.annotation.__doc__ if section else field.description))
        if section:
            found += _keys(field.annotation, f"{path}{name}.")
    return found


def test_every_key_says_what_it_does() -> None:
    missing = [key for key, description in _keys(Config, "") if not description]
    assert not missing, f"keys without a description: {missing}"


def test_the_command_prints_the_reference_and_the_json_schema(capsys) -> None:
    assert main(["config", "--schema"]) == 0
    assert capsys.readouterr().out == reference.render()
    assert main(["config", "--json"]) == 0
    assert '"$defs"' in capsys.readouterr().out
