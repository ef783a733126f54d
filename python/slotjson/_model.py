"""``@model`` and ``field()``: slotted dataclasses carrying slotjson options.

Nothing is compiled here: annotations may name classes that do not exist yet
(forward references), so the spec is built on first use (see ``_spec``).
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from dataclasses import MISSING, Field
from typing import Any, NamedTuple

from ._readers import reader_for
from ._rename import Rename, resolve_rename

__all__ = ["FIELD_METADATA_KEY", "FieldOptions", "ModelOptions", "field", "model"]

# Key of the slotjson settings inside ``dataclasses.Field.metadata``. A dunder
# string rather than a sentinel object so it survives copying and reloading.
FIELD_METADATA_KEY = "__slotjson__"

OMIT_RULES = (None, "none", "empty", "default")


class ModelOptions(NamedTuple):
    """Stored on a model class as ``__slotjson_options__``."""

    rename: Rename = None  # as given: None, "camel", "pascal", "kebab" or a callable
    omit_none: bool = False


class FieldOptions(NamedTuple):
    """Stored in a field's metadata under ``FIELD_METADATA_KEY``."""

    name: str | None = None
    omit_if: str | None = None
    skip: bool = False


DEFAULT_MODEL_OPTIONS = ModelOptions()
DEFAULT_FIELD_OPTIONS = FieldOptions()


def field(
    *,
    name: str | None = None,
    omit_if: str | None = None,
    skip: bool = False,
    **kwargs: Any,
) -> Any:
    """``dataclasses.field`` plus slotjson settings.

    ``name`` is the JSON key (overrides the model's ``rename``), ``omit_if``
    leaves the key out when the value is ``None`` (``"none"``), ``None`` or an
    empty str/list/tuple/dict (``"empty"``), or equal to the field default
    (``"default"``); ``skip=True`` keeps the field out of JSON entirely.
    Every other keyword goes to ``dataclasses.field``.
    """
    if name is not None and not isinstance(name, str):
        raise TypeError(f"field(name=...) must be a str, got {type(name).__name__}")
    if omit_if not in OMIT_RULES:
        raise ValueError(
            f'field(omit_if=...) must be None, "none", "empty" or "default", got {omit_if!r}'
        )
    if not isinstance(skip, bool):
        raise TypeError(f"field(skip=...) must be a bool, got {type(skip).__name__}")
    if skip and (name is not None or omit_if is not None):
        raise TypeError("field(skip=True) excludes the field from JSON; name= and omit_if= have no effect with it")
    if omit_if == "default" and kwargs.get("default", MISSING) is MISSING and kwargs.get(
        "default_factory", MISSING
    ) is MISSING:
        raise TypeError('field(omit_if="default") needs default= or default_factory=')
    metadata: Mapping[Any, Any] | None = kwargs.pop("metadata", None)
    merged = dict(metadata or {})
    merged[FIELD_METADATA_KEY] = FieldOptions(name, omit_if, skip)
    return dataclasses.field(metadata=merged, **kwargs)


def field_options(f: Field[Any]) -> FieldOptions:
    options = f.metadata.get(FIELD_METADATA_KEY, DEFAULT_FIELD_OPTIONS)
    return options if isinstance(options, FieldOptions) else DEFAULT_FIELD_OPTIONS


def model_options(cls: type) -> ModelOptions:
    """The options of ``cls``, inherited from the nearest model base if it has none.

    A plain subclass of a model therefore serializes like its base; decorating
    the subclass with ``@model(...)`` replaces them for all its fields.
    """
    options = getattr(cls, "__slotjson_options__", DEFAULT_MODEL_OPTIONS)
    return options if isinstance(options, ModelOptions) else DEFAULT_MODEL_OPTIONS


def model(
    cls: type | None = None,
    /,
    *,
    rename: Rename = None,
    omit_none: bool = False,
    **dataclass_kwargs: Any,
) -> Any:
    """Make ``cls`` a slotted dataclass that slotjson serializes.

    Usable bare (``@model``) or with options (``@model(rename="camel")``).
    Other keywords are ``dataclasses.dataclass`` options. An existing
    dataclass is kept if already slotted, otherwise rebuilt with slots.
    """
    resolve_rename(rename)  # validate now; the spec resolves it again when compiling
    options = ModelOptions(rename, _check_bool("omit_none", omit_none))
    if dataclass_kwargs.get("slots", True) is not True:
        raise TypeError("slotjson.model always creates a slotted dataclass; slots=False is not supported")
    dataclass_kwargs.pop("slots", None)

    def wrap(cls: type) -> type:
        if not isinstance(cls, type):
            raise TypeError(f"@slotjson.model decorates a class, got {type(cls).__name__}")
        reader = reader_for(cls)
        if reader is not None and reader.SYSTEM != "dataclass":
            # Checked before anything is changed: turning such a class into a
            # dataclass would break it.
            raise TypeError(
                f"@slotjson.model cannot be applied to {cls.__qualname__}, which is {_article(reader.SYSTEM)} {reader.SYSTEM} class: "
                "slotjson encodes its instances as they are (pass them to dumps); remove the decorator"
            )
        if "__dataclass_fields__" in cls.__dict__:
            new_cls = _slot_existing_dataclass(cls, dict(dataclass_kwargs))
        else:
            new_cls = dataclasses.dataclass(cls, slots=True, **dataclass_kwargs)
        if new_cls is not cls:
            _retarget_class_cells(new_cls, cls)
        type.__setattr__(new_cls, "__slotjson_options__", options)
        return new_cls

    return wrap if cls is None else wrap(cls)


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return value


def _slot_existing_dataclass(cls: type, dataclass_kwargs: dict[str, Any]) -> type:
    """Give an already-processed dataclass a ``__slots__`` layout.

    Running ``dataclass()`` again would lose field defaults (with slots they
    only live in the ``Field`` objects), so this does what
    ``dataclass(slots=True)`` does after processing: recreate the class with
    the same namespace, the field names as slots and no instance ``__dict__``.
    Its generated methods are kept; they only refer to fields by name.
    """
    weakref_slot = dataclass_kwargs.pop("weakref_slot", False)
    if dataclass_kwargs:
        names = ", ".join(sorted(dataclass_kwargs))
        raise TypeError(
            f"{cls.__qualname__} is already a dataclass; pass {names} to its @dataclass decorator"
        )
    if "__slots__" in cls.__dict__:
        if weakref_slot and "__weakref__" not in _inherited_slots(cls, include_self=True):
            raise TypeError(f"{cls.__qualname__} is already slotted without a __weakref__ slot")
        return cls

    inherited = _inherited_slots(cls, include_self=False)
    wanted = [f.name for f in dataclasses.fields(cls)]
    if weakref_slot:
        wanted.append("__weakref__")
    namespace = dict(cls.__dict__)
    for name in wanted:
        # A class attribute holding a default would clash with the slot.
        namespace.pop(name, None)
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace["__slots__"] = tuple(name for name in wanted if name not in inherited)
    new_cls = type(cls)(cls.__name__, cls.__bases__, namespace)
    new_cls.__qualname__ = cls.__qualname__
    params = cls.__dict__.get("__dataclass_params__")
    if getattr(params, "frozen", False) and "__getstate__" not in cls.__dict__:
        # The default pickle protocol restores slots with setattr, which a
        # frozen dataclass refuses.
        type.__setattr__(new_cls, "__getstate__", _frozen_getstate)
        type.__setattr__(new_cls, "__setstate__", _frozen_setstate)
    return new_cls


def _inherited_slots(cls: type, *, include_self: bool) -> set[str]:
    names: set[str] = set()
    for base in cls.__mro__[0 if include_self else 1 : -1]:
        slots = base.__dict__.get("__slots__", ())
        names.update((slots,) if isinstance(slots, str) else slots)
    return names


def _frozen_getstate(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


def _frozen_setstate(self: Any, state: list[Any]) -> None:
    for f, value in zip(dataclasses.fields(self), state):
        object.__setattr__(self, f.name, value)


def _retarget_class_cells(new_cls: type, old_cls: type) -> None:
    """Point zero-argument ``super()`` in the methods at the recreated class.

    Methods compiled in the class body close over ``__class__`` = the original
    class. Adding slots creates a new class, after which ``super()`` in those
    methods raises ``TypeError`` on instances (a CPython limitation before
    3.14). The functions are shared with the discarded original, so updating
    their cells is safe.
    """
    for value in new_cls.__dict__.values():
        for function in _functions_of(value):
            closure = getattr(function, "__closure__", None)
            if not closure:
                continue
            for name, cell in zip(function.__code__.co_freevars, closure):
                if name == "__class__":
                    try:
                        if cell.cell_contents is old_cls:
                            cell.cell_contents = new_cls
                    except ValueError:  # empty cell
                        pass


def _functions_of(value: object) -> list[Any]:
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    if isinstance(value, property):
        return [f for f in (value.fget, value.fset, value.fdel) if f is not None]
    if isinstance(value, types.FunctionType):
        return [value]
    return []


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
