"""The shape of each kind's context, as plain data, for checking templates before they are rendered.

A shape says what a template may write: a dict of field → "text", "number", "flag", a
nested dict (an object: {{ chart.caption }}) or a one-item list holding the shape of the
list's items ({% for task in tasks %}{{ task.owner }}). It is read off the context models,
so a field added to a model is known to the template check at once.
"""
from __future__ import annotations

import types
import typing
from typing import Any, Union

from . import KINDS
from .common import Context

Shape = Union[str, dict[str, Any], list[Any]]


def shape_of(annotation: Any) -> Shape:
    """The shape of a model field's annotation."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        kept = [a for a in typing.get_args(annotation) if a is not type(None)]
        return shape_of(kept[0]) if len(kept) == 1 else "any"
    if origin in (list, tuple):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return [shape_of(args[0]) if args else "any"]
    if isinstance(annotation, type):
        if issubclass(annotation, Context):
            return {name: shape_of(field.annotation) for name, field in annotation.model_fields.items()}
        if issubclass(annotation, bool):
            return "flag"
        if issubclass(annotation, (int, float)):
            return "number"
        if issubclass(annotation, str):
            return "text"
    return "any"


def context_model(kind: str) -> type[Context]:
    """The context model a kind's build_context returns."""
    return typing.get_type_hints(KINDS[kind].module.build_context)["return"]


def kind_shapes() -> dict[str, dict[str, Any]]:
    """The context shape of every kind rendered from a template (.docx or .html)."""
    return {name: shape_of(context_model(name)) for name, kind in KINDS.items()
            if {"docx", "pdf"} & set(kind.formats)}
