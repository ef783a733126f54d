"""``msgspec.Struct`` classes: fields from ``__struct_fields__`` read by slot,
keyed by the names msgspec encodes (``rename=``), with its ``omit_defaults``,
``array_like`` and tag (``tag=``/``tag_field=``) configuration.

``omit_defaults`` follows msgspec: a value is left out when it *is* the
default object, or, for a ``list``/``dict``/``set`` factory default, when it
is an empty instance of exactly that type."""

from __future__ import annotations

import sys

from .. import _spec
from .._errors import SpecError
from . import defines

SYSTEM = "msgspec.Struct"

_EMPTY_FACTORIES = (list, dict, set)


def recognises(cls: type) -> bool:
    return defines(cls, "msgspec", "Struct")


def build(cls: type) -> _spec.ModelSpec:
    msgspec = sys.modules["msgspec"]  # loaded: cls is a Struct
    config = cls.__struct_config__
    array_like = bool(config.array_like)
    fields = []
    for info in msgspec.structs.fields(cls):
        name = info.name
        owner = f"{_spec.display_name(cls)}.{name}"
        node = _spec.resolver_for(cls, name).node(info.type)
        omit, default = None, _spec.MISSING
        if config.omit_defaults and not array_like:
            if info.default is not msgspec.NODEFAULT:
                omit, default = "identical", info.default
            elif info.default_factory in _EMPTY_FACTORIES:
                omit = "empty"
        slot = _spec._slot_of(cls, name)
        if slot is None:
            raise SpecError(f"{owner}: the Struct field has no slot (shadowed by a class attribute)")
        fields.append(
            _spec.FieldSpec(name, _spec.checked_key(cls, name, info.encode_name), node, omit, default, slot)
        )
    tag = None
    if config.tag is not None:
        tag = (config.tag_field, config.tag)
        if any(f.key == config.tag_field for f in fields) and not array_like:
            raise SpecError(f"{_spec.display_name(cls)}: the tag field {config.tag_field!r} is also a field key")
    return _spec.new_spec(cls, fields, array_like=array_like, tag=tag)
