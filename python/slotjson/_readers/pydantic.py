"""pydantic v2 ``BaseModel`` classes: fields from ``model_fields`` (their
resolved ``annotation``), read from the instance ``__dict__``.

Keys are ``model_dump()``'s: the field name, or with ``by_alias`` the
``serialization_alias`` (else ``alias``, which ``alias_generator`` fills);
the model's ``serialize_by_alias`` config is the default, and ``dumps``'s
``by_alias=`` overrides it per call. ``exclude=True`` fields are left out;
``extra="allow"`` values follow the fields, then ``@computed_field``
properties (read with the GIL held, like ``model_dump`` calls them).

Refused with ``SpecError`` when the plan is compiled, so nothing is ever
silently written differently: ``@field_serializer``, ``@model_serializer``,
``exclude_if=``, ``RootModel``, and fields whose type pydantic serializes by
its own rules (``SecretStr``, ``HttpUrl``, any class with
``__get_pydantic_core_schema__``...)."""

from __future__ import annotations

import enum
import typing
from typing import Any

from .. import _spec
from .._errors import SpecError
from .._types import ANY
from . import defines

SYSTEM = "pydantic"


def recognises(cls: type) -> bool:
    return defines(cls, "pydantic.main", "BaseModel")


def build(cls: type) -> _spec.ModelSpec:
    name = _spec.display_name(cls)
    if defines(cls, "pydantic.root_model", "RootModel"):
        raise SpecError(f"{name}: RootModel is not supported (encode its .root value instead)")
    if not getattr(cls, "__pydantic_complete__", True):
        cls.model_rebuild()  # resolves forward references now defined
    if cls.__dict__.get("__pydantic_generic_metadata__", {}).get("parameters"):
        raise SpecError(f"{name}: an unparametrized generic model; use {name}[...] with concrete types")
    decorators = cls.__pydantic_decorators__
    if decorators.model_serializers:
        raise SpecError(f"{name}: @model_serializer is not supported (slotjson writes the fields itself)")
    for dec in decorators.field_serializers.values():
        fields = ", ".join(dec.info.fields)
        raise SpecError(f"{name}.{fields}: @field_serializer is not supported (convert the value before encoding)")
    config = cls.model_config
    fields = []
    for field_name, info in cls.model_fields.items():
        owner = f"{name}.{field_name}"
        if info.exclude:
            continue
        if getattr(info, "exclude_if", None) is not None:
            raise SpecError(f"{owner}: Field(exclude_if=...) is not supported")
        _check_types(owner, info.annotation)
        node = _spec.resolver_for(cls, field_name).node(info.annotation)
        alias = info.serialization_alias or info.alias or field_name
        fields.append(
            _spec.FieldSpec(
                field_name,
                _spec.checked_key(cls, field_name, field_name),
                node,
                None,
                _spec.MISSING,
                None,
                alias=_spec.checked_key(cls, field_name, alias),
                in_dict=True,
            )
        )
    computed = []
    for field_name, cinfo in cls.__pydantic_computed_fields__.items():
        owner = f"{name}.{field_name}"
        if getattr(cinfo, "exclude_if", None) is not None:
            raise SpecError(f"{owner}: computed_field(exclude_if=...) is not supported")
        annotation: Any = cinfo.return_type
        if annotation is _pydantic_undefined():
            node = ANY
        else:
            _check_types(owner, annotation)
            node = _spec.resolver_for(cls, field_name).node(annotation)
        computed.append(
            _spec.FieldSpec(
                field_name,
                _spec.checked_key(cls, field_name, field_name),
                node,
                None,
                _spec.MISSING,
                None,
                alias=_spec.checked_key(cls, field_name, cinfo.alias or field_name),
            )
        )
    extra = None
    if config.get("extra") == "allow":
        extra = _spec.FieldSpec(
            "__pydantic_extra__", "", ANY, None, _spec.MISSING, _spec._slot_of(cls, "__pydantic_extra__")
        )
    return _spec.new_spec(
        cls,
        fields,
        by_alias=bool(config.get("serialize_by_alias", False)),
        extra=extra,
        computed=computed,
        # As pydantic serializes a field by its annotation: an instance of a
        # subclass is written with the annotated model's fields.
        as_declared=True,
    )


def _pydantic_undefined() -> object:
    import sys

    return getattr(sys.modules.get("pydantic_core"), "PydanticUndefined", object())


def _check_types(owner: str, annotation: object, depth: int = 0) -> None:
    """Refuse classes pydantic writes by its own rules: pydantic's and
    pydantic_core's own types (``SecretStr``, ``HttpUrl``...) and any other
    class with a ``__get_pydantic_core_schema__`` hook, anywhere in the
    annotation. Models (of any system) and Enums are slotjson's to write."""
    if depth > 32:
        return
    if isinstance(annotation, type):
        from . import is_model_class

        if issubclass(annotation, enum.Enum) or is_model_class(annotation):
            return
        module = getattr(annotation, "__module__", "") or ""
        if module.split(".")[0] in ("pydantic", "pydantic_core") or hasattr(
            annotation, "__get_pydantic_core_schema__"
        ):
            raise SpecError(
                f"{owner}: {annotation.__qualname__} is serialized by pydantic's own rules, which slotjson "
                "does not follow; annotate the field with a plain type (str, ...) holding the converted value"
            )
        return
    for arg in typing.get_args(annotation):
        if not isinstance(arg, (str, int, bool, bytes, enum.Enum)) and arg is not None and arg is not Ellipsis:
            _check_types(owner, arg, depth + 1)
