"""attrs classes (``@define``, ``@frozen``, ``@attrs.s``, slotted or not):
fields from ``__attrs_attrs__`` (what ``attrs.fields()`` returns), in order,
keyed by their names as ``attrs.asdict`` keys them. Slotted classes are read
by slot; dict-based ones from the instance ``__dict__``."""

from __future__ import annotations

from .. import _spec
from .._types import ANY

SYSTEM = "attrs"


def recognises(cls: type) -> bool:
    return getattr(cls, "__attrs_attrs__", None) is not None


def build(cls: type) -> _spec.ModelSpec:
    fields = []
    for attribute in cls.__attrs_attrs__:
        name = attribute.name
        annotation = attribute.type
        node = ANY if annotation is None else _spec.resolver_for(cls, name).node(annotation)
        slot = _spec._slot_of(cls, name)
        fields.append(
            _spec.FieldSpec(
                name, _spec.checked_key(cls, name, name), node, None, _spec.MISSING, slot,
                in_dict=slot is None and _spec.plain_attribute(cls, name),
            )
        )
    return _spec.new_spec(cls, fields)
