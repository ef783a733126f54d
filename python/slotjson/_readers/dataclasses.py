"""Standard library dataclasses (and ``@slotjson.model`` classes): fields from
``dataclasses.fields()``, options from ``slotjson.field`` metadata."""

from __future__ import annotations

from .. import _spec

SYSTEM = "dataclass"


def recognises(cls: type) -> bool:
    return hasattr(cls, "__dataclass_fields__")


def build(cls: type) -> _spec.ModelSpec:
    return _spec.dataclass_spec(cls)
