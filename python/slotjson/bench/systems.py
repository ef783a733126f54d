"""The workloads' dataclasses as attrs ``@define`` classes, ``msgspec.Struct``s
and pydantic v2 models: the same fields, annotations and data, so each model
system can be timed on exactly the data of a dataclass workload.

Classes are made once per system (cached); ``convert`` copies instances and
keeps the sharing of the original graph (a user that appears in many pull
requests stays one object). ``convert(items, COPY)`` copies into the original
dataclasses the same way: the baseline to compare with, since the order in
which a list's objects were allocated alone moves its encoding time by ~10%
(a copy of the nested workload encodes that much slower than the original).
The packages are imported only when asked for.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import types
import typing
from typing import Any

__all__ = ["COPY", "SYSTEMS", "classes", "convert"]

SYSTEMS = ("attrs", "msgspec", "pydantic")
# "dataclass" copies into the original classes: the baseline, built by the same
# procedure, so that every list's objects are allocated in the same order.
COPY = "dataclass"


@functools.cache
def classes(system: str, root: type) -> dict[type, type]:
    """``{dataclass: counterpart}`` for ``root`` and every dataclass it refers to."""
    made: dict[type, type] = {}

    def counterpart(cls: type) -> type:
        if cls in made:
            return made[cls]
        annotations = {f.name: _map(f.type, counterpart) for f in dataclasses.fields(cls)}
        made[cls] = _make(system, cls.__name__, annotations)
        return made[cls]

    counterpart(root)
    return made


def convert(items: list[Any], system: str) -> list[Any]:
    """``items`` (dataclass instances) as instances of ``system``'s classes."""
    if not items:
        return []
    if system == COPY:
        mapping = {cls: cls for cls in classes("attrs", type(items[0]))}
    else:
        mapping = classes(system, type(items[0]))
    memo: dict[int, Any] = {}

    def copy(value: Any) -> Any:
        cls = type(value)
        if cls in mapping:
            key = id(value)
            if key not in memo:
                values = {f.name: copy(getattr(value, f.name)) for f in dataclasses.fields(value)}
                target = mapping[cls]
                memo[key] = target.model_construct(**values) if system == "pydantic" else target(**values)
            return memo[key]
        if cls is list:
            return [copy(x) for x in value]
        if cls is dict:
            return {k: copy(x) for k, x in value.items()}
        return value

    return [copy(x) for x in items]


def _map(annotation: Any, counterpart: Any) -> Any:
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return counterpart(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is None or not args:
        return annotation
    mapped = tuple(_map(a, counterpart) for a in args)
    if origin in (typing.Union, types.UnionType):
        return functools.reduce(operator.or_, mapped)
    return origin[mapped if len(mapped) > 1 else mapped[0]]


def _make(system: str, name: str, annotations: dict[str, Any]) -> type:
    namespace = {"__annotations__": annotations, "__module__": __name__, "__qualname__": name}
    if system == "attrs":
        import attrs

        return attrs.define(type(name, (), namespace))
    if system == "msgspec":
        import msgspec

        return type(name, (msgspec.Struct,), namespace)
    if system == "pydantic":
        import pydantic

        return type(name, (pydantic.BaseModel,), namespace)
    raise ValueError(f"unknown model system {system!r}; choose from {', '.join(SYSTEMS)}")
