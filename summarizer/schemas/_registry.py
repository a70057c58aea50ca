"""The schemas a run can be given: the built-in ones by name, a user's by ``path:Model``.

`resolve_schema` turns what a user wrote (``incident``, ``path/to/module.py:Model``,
``package.module:Model``, a Pydantic class or a `Schema`) into a `Schema`; a user's own
model gets the generic prompt, or the one given as ``--prompt``. `json_schema_exports`
gives the JSON Schema of each built-in record, as ``schemas/`` holds them.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer._errors import SchemaError
from summarizer.schemas import _incident, _muc4
from summarizer.schemas._base import Schema


def builtin_schemas() -> dict[str, Schema]:
    """The schemas shipped with summarizer, by name."""
    return {schema.name: schema for schema in (_incident.SCHEMA, _muc4.SCHEMA)}


def resolve_schema(spec: str | Schema | type[BaseModel], prompt: str | None = None) -> Schema:
    """Turn ``incident``, ``file.py:Model``, ``pkg.mod:Model`` or a model class into a Schema."""
    if isinstance(spec, Schema):
        schema = spec
    elif isinstance(spec, type) and issubclass(spec, BaseModel):
        _check_fillable(spec)
        schema = Schema(spec.__name__, spec, spec, fill_prompt="generic")
    elif ":" in spec:
        return resolve_schema(_import_model(spec), prompt)
    elif spec in builtin_schemas():
        schema = builtin_schemas()[spec]
    else:
        raise SchemaError(
            f"unknown schema {spec!r}; built-in: {', '.join(builtin_schemas())}, "
            "or give path/to/module.py:Model or package.module:Model"
        )
    if prompt is not None:
        schema = Schema(**{**schema.__dict__, "fill_prompt": prompt})
    return schema


def _check_fillable(model: type[BaseModel]) -> None:
    """A model the model can fill: it has fields, and JSON Schema can describe them (the
    grammar that constrains the answer is built from it)."""
    name = model.__name__
    if not model.model_fields:
        raise SchemaError(f"{name} has no fields to fill; give a model of your own")
    try:
        model.model_json_schema()
    except Exception as exc:  # pydantic refuses types it cannot describe, in many ways
        reason = str(exc).splitlines()[0]  # pydantic adds a blank line and a link
        raise SchemaError(f"{name} cannot be described as JSON Schema: {reason}") from None


def _module_name(path: Path) -> str:
    """A name for a user's schema file that no other module has: ``json.py`` must not
    take the standard library's ``json`` in `sys.modules`."""
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    return f"summarizer_schema_{digest}_{path.stem}"


def _import_model(spec: str) -> type[BaseModel] | Schema:
    location, _, attribute = spec.rpartition(":")
    try:
        if location.endswith(".py"):
            path = Path(location).resolve()
            if not path.is_file():
                raise SchemaError(f"schema module not found: {location}")
            name = _module_name(path)
            module_spec = importlib.util.spec_from_file_location(name, path)
            assert module_spec is not None and module_spec.loader is not None
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module
            module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(location)
    except SchemaError:
        raise
    except SystemExit as exc:  # a module that calls sys.exit() while imported
        raise SchemaError(f"schema module {location} exited while imported ({exc})") from None
    except Exception as exc:  # a user's module can fail in any way while importing
        raise SchemaError(f"cannot import schema module {location}: {exc}") from None
    found = getattr(module, attribute, None)
    if isinstance(found, Schema) or (isinstance(found, type) and issubclass(found, BaseModel)):
        return found
    raise SchemaError(f"{spec}: {attribute!r} is not a Pydantic model in {location}")


def json_schema_exports() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema of each built-in record model (what ``schemas/`` holds)."""
    return {
        f"{name}.schema.json": schema.record_model.model_json_schema()
        for name, schema in builtin_schemas().items()
    }


def export_json_schemas(folder: Path) -> list[Path]:
    """Write `json_schema_exports()` into `folder`; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, content in json_schema_exports().items():
        path = folder / filename
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written
