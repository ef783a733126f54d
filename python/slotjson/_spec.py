"""Class -> ``ModelSpec`` compilation and the per-class caches.

A ``ModelSpec`` is what both encoders follow: the Rust plan builder
(``_native.build_plans``) and the pure-Python reference (``to_builtins``).
Its attribute names are a contract with ``src/`` (see spec/TYPES.md).

Caching: each class stores its own ``__slotjson_spec__`` and
``__slotjson_plan__``; only the class's own namespace counts, so a subclass
never reuses its base's spec. The namespace is read through ``type``'s own
``__dict__`` descriptor (``own_namespace``), never through the class's
attributes, so a metaclass that overrides ``__getattribute__`` or
``__dict__`` can neither hide a cached spec or plan nor forge one; the
native encoder reads the same namespace directly, and uses a plan only if
it was built for that very class. Specs are cached all-or-nothing for the graph of
model classes reachable from the compiled class: once a class has a spec,
every class it refers to has one too, and a ``SpecError`` anywhere in the
graph is raised before anything is cached (both encoders therefore fail on
the same call).
"""

from __future__ import annotations

import collections
import dataclasses
import os
import sys
import threading
import types
from typing import Any

from ._errors import SpecError
from ._model import field_options, model_options
from ._rename import resolve_rename
from ._readers import reader_for
from ._types import Node, Resolver, model_classes

__all__ = ["FieldSpec", "ModelSpec", "compile", "plan_for", "spec_for"]

MISSING = dataclasses.MISSING

# Serializes compilation so two threads meeting a new class build one plan.
# Re-entrant: build_plans may call back into plan_for for the same graph.
_lock = threading.RLock()


def _new_lock_in_child() -> None:
    # A fork copies the lock in whatever state it is: held by a thread of the
    # parent that the child does not have, it would block every compile there.
    global _lock
    _lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock_in_child)


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class FieldSpec:
    name: str  # attribute name
    key: str  # JSON key
    type: Node
    omit: str | None  # None | "none" | "empty" | "default"
    default: Any  # compared with == for omit "default", `is` for "identical"; else MISSING
    slot: types.MemberDescriptorType | None  # read through it when not None
    alias: str | None = None  # the key with by_alias (None: ``key``)
    in_dict: bool = False  # read from the instance __dict__ (else getattr)


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class ModelSpec:
    cls: type
    name: str  # __qualname__
    slotted: bool  # every field has a member descriptor
    fields: tuple[FieldSpec, ...]
    by_alias: bool = False  # alias keys unless the call says otherwise
    array_like: bool = False  # values written as a JSON array, no keys
    tag: tuple[str, str | int] | None = None  # (key, value) written first
    extra: FieldSpec | None = None  # a dict (or None) whose items follow the fields
    computed: tuple[FieldSpec, ...] = ()  # read by getattr, written last
    as_declared: bool = False  # subclass instances in a field of this type are written as this class


# The real namespace and MRO of a class, whatever its metaclass defines.
_namespace_of = type.__dict__["__dict__"].__get__
_mro_of = type.__dict__["__mro__"].__get__


def own_namespace(cls: type) -> Any:
    """``cls``'s own namespace (a read-only mapping), bypassing metaclass hooks."""
    return _namespace_of(cls)


def _own_spec(cls: type) -> ModelSpec | None:
    spec = _namespace_of(cls).get("__slotjson_spec__")
    # Only a spec compiled for this class (not one copied from another).
    return spec if type(spec) is ModelSpec and spec.cls is cls else None


def _own_plan(cls: type) -> Any:
    plan = _namespace_of(cls).get("__slotjson_plan__")
    if plan is None or getattr(type(plan), "__module__", None) != "slotjson._native":
        return None
    return plan if plan.cls is cls else None


def display_name(cls: type) -> str:
    """``__qualname__`` without the ``func.<locals>.`` noise of local classes."""
    return cls.__qualname__.rpartition("<locals>.")[2]


def spec_for(cls: type) -> ModelSpec | None:
    """The spec of dataclass ``cls`` (compiling its graph if needed), else None."""
    spec = _own_spec(cls) if isinstance(cls, type) else None
    if spec is not None:
        return spec
    if reader_for(cls) is None:
        return None
    with _lock:
        return _compile_graph(cls)[0]


def plan_for(cls: type) -> Any:
    """The native plan of dataclass ``cls`` (building it if needed), else None.

    The native encoder calls this when it meets a dataclass without a plan.
    Raises ``SpecError`` for unsupported annotations anywhere in the graph.
    """
    plan = _own_plan(cls) if isinstance(cls, type) else None
    if plan is not None:
        return plan
    if reader_for(cls) is None:
        return None
    with _lock:
        specs = _compile_graph(cls)
        missing = [spec for spec in specs if _own_plan(spec.cls) is None]
        if missing:
            from . import _native  # lazily: the pure-Python modules never need it

            plans = _native.build_plans(missing)
            if len(plans) != len(missing):
                raise RuntimeError("build_plans returned a wrong number of plans")
            for spec, built in zip(missing, plans):
                type.__setattr__(spec.cls, "__slotjson_plan__", built)
        return _own_plan(cls)


def compile(cls: type) -> type:
    """Compile ``cls`` (and every model it refers to) now; return ``cls``.

    Without it, compilation happens on first use; calling it at import time
    turns a bad annotation into an immediate ``SpecError``.
    """
    if reader_for(cls) is None:
        raise TypeError(
            f"slotjson.compile expects a dataclass, attrs, msgspec.Struct or pydantic model class, got {cls!r}"
        )
    plan_for(cls)
    return cls


def _compile_graph(root: type) -> list[ModelSpec]:
    """Specs of ``root`` and every model class reachable from it, root first.

    Missing specs are built first and cached only when all of them compiled.
    Self-references and cycles terminate because nodes refer to classes, not
    to specs, and each class is visited once.
    """
    specs: list[ModelSpec] = []
    new: list[ModelSpec] = []
    seen: set[int] = set()
    queue = collections.deque([root])
    while queue:
        cls = queue.popleft()
        if id(cls) in seen:
            continue
        seen.add(id(cls))
        spec = _own_spec(cls)
        if spec is None:
            spec = _build_spec(cls)
            new.append(spec)
        specs.append(spec)
        for field in (*spec.fields, *spec.computed):
            queue.extend(model_classes(field.type))
    for spec in new:
        type.__setattr__(spec.cls, "__slotjson_spec__", spec)
    return specs


def _build_spec(cls: type) -> ModelSpec:
    reader = reader_for(cls)
    assert reader is not None
    return reader.build(cls)


def new_spec(cls: type, fields: list[FieldSpec], **shape: Any) -> ModelSpec:
    """A ``ModelSpec`` for ``cls`` (readers' helper); ``shape`` sets the
    model-level options (``by_alias``, ``array_like``, ``tag``, ``extra``,
    ``computed``)."""
    for name in ("by_alias", "alias"):
        keys: dict[str, str] = {}
        for f in (*fields, *shape.get("computed", ())):
            key = f.key if name == "by_alias" else (f.alias if f.alias is not None else f.key)
            if key in keys:
                raise SpecError(
                    f"{display_name(cls)}.{f.name}: JSON key {key!r} is already used by field {keys[key]!r}"
                )
            keys[key] = f.name
    if "computed" in shape:
        shape["computed"] = tuple(shape["computed"])
    return ModelSpec(
        cls=cls,
        name=cls.__qualname__,
        slotted=all(f.slot is not None for f in fields),
        fields=tuple(fields),
        **shape,
    )


def resolver_for(cls: type, name: str) -> Resolver:
    """The resolver of field ``name``'s annotation: evaluated in the namespace
    of the class declaring it, with the class and its bases by name."""
    declaring = _declaring_class(cls, name)
    module = sys.modules.get(declaring.__module__)
    return Resolver(
        f"{display_name(cls)}.{name}",
        dict(vars(declaring)),
        collections.ChainMap(_class_names(cls), getattr(module, "__dict__", {})),
    )


def checked_key(cls: type, name: str, key: object) -> str:
    """``key`` as a JSON key of field ``name`` (a str without lone surrogates)."""
    _check_key(f"{display_name(cls)}.{name}", key)
    assert isinstance(key, str)
    return key


def plain_attribute(cls: type, name: str) -> bool:
    """Whether an instance attribute ``name`` lives in the instance ``__dict__``
    (no class attribute along the MRO is a data descriptor that would take
    precedence over it)."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            found = type(klass.__dict__[name])
            return not (hasattr(found, "__set__") or hasattr(found, "__delete__"))
    return True


def dataclass_spec(cls: type) -> ModelSpec:
    """The spec of a dataclass: fields from ``dataclasses.fields()`` with the
    ``slotjson.field`` options and the model's ``rename``/``omit_none``."""
    options = model_options(cls)
    rename = resolve_rename(options.rename)
    default_omit = "none" if options.omit_none else None
    owner_prefix = display_name(cls)
    localns = _class_names(cls)
    fields: list[FieldSpec] = []
    keys: dict[str, str] = {}

    for f in dataclasses.fields(cls):
        settings = field_options(f)
        if settings.skip:
            continue
        owner = f"{owner_prefix}.{f.name}"
        declaring = _declaring_class(cls, f.name)
        module = sys.modules.get(declaring.__module__)
        resolver = Resolver(
            owner,
            dict(vars(declaring)),
            collections.ChainMap(localns, getattr(module, "__dict__", {})),
        )
        node = resolver.node(f.type)

        key = settings.name if settings.name is not None else rename(f.name) if rename else f.name
        _check_key(owner, key)
        if key in keys:
            raise SpecError(
                f"{owner}: JSON key {key!r} is already used by field {keys[key]!r}"
            )
        keys[key] = f.name

        omit = settings.omit_if or default_omit
        default: Any = MISSING
        if omit == "default":
            factory: Any = f.default_factory  # field() guarantees one of the two
            default = f.default if f.default is not MISSING else factory()
        fields.append(FieldSpec(f.name, key, node, omit, default, _slot_of(cls, f.name)))

    return ModelSpec(
        cls=cls,
        name=cls.__qualname__,
        slotted=all(f.slot is not None for f in fields),
        fields=tuple(fields),
    )


def _class_names(cls: type) -> dict[str, type]:
    # Lets annotations name the class itself and its bases even when they are
    # local to a function (not reachable through module globals).
    return {base.__name__: base for base in reversed(cls.__mro__[:-1])}


def _declaring_class(cls: type, name: str) -> type:
    """The class whose own annotations declare ``name`` (its namespace resolves it)."""
    for base in cls.__mro__:
        if name in base.__dict__.get("__annotations__", {}):
            return base
    return cls


def _slot_of(cls: type, name: str) -> types.MemberDescriptorType | None:
    """The member descriptor a lookup of ``name`` finds first, if it is one.

    A property or plain class attribute that shadows it (or no slot at all)
    means the value must be read with getattr.
    """
    for klass in _mro_of(cls):
        namespace = _namespace_of(klass)
        if name in namespace:
            found = namespace[name]
            return found if type(found) is types.MemberDescriptorType else None
    return None


def _check_key(owner: str, key: object) -> None:
    if not isinstance(key, str):
        raise SpecError(f"{owner}: rename returned {type(key).__name__}, expected str")
    # Keys are written verbatim by the native encoder; a surrogate would make
    # the output invalid UTF-8.
    for index, char in enumerate(key):
        if "\ud800" <= char <= "\udfff":
            raise SpecError(
                f"{owner}: JSON key {key!r} contains a lone surrogate U+{ord(char):04X} at index {index}"
            )
