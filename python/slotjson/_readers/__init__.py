"""Model systems: one small reader per system turns a class into a ``ModelSpec``.

The plan and the walker know nothing of model systems, only the generic
features a spec can ask for (values from slots, from the instance
``__dict__`` or by attribute lookup; alias keys; an array form; a constant
tag written first; extra items after the fields; computed values). Each
reader module has:

- ``SYSTEM``: the name used in messages (``"attrs"``);
- ``recognises(cls)``: whether ``cls`` belongs to the system, decided from
  the class alone (its ``__mro__``, dunder attributes), never by importing
  the system's package, so ``import slotjson`` needs none of them;
- ``build(cls)``: the ``ModelSpec`` (raising ``SpecError`` for what the
  plan cannot express).

Adding a system means one new module listed in ``_MODULES``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["is_model_class", "reader_for"]

# Checked in this order: the first reader that recognises a class wins
# (dataclasses last: other systems may also generate dataclass attributes).
_MODULES = ("pydantic", "msgspec", "attrs", "dataclasses")
_loaded: list[ModuleType] = []


def _readers() -> list[ModuleType]:
    if not _loaded:
        _loaded.extend(importlib.import_module(f"{__name__}.{name}") for name in _MODULES)
    return _loaded


def reader_for(cls: object) -> ModuleType | None:
    """The reader module of the system ``cls`` belongs to, else None."""
    if not isinstance(cls, type):
        return None
    for reader in _readers():
        if reader.recognises(cls):
            return reader
    return None


def is_model_class(cls: object) -> bool:
    """Whether ``cls`` is a class slotjson writes as a model (of any system)."""
    return reader_for(cls) is not None


def defines(cls: type, module: str, qualname: str) -> bool:
    """Whether ``module.qualname`` is ``cls`` or one of its bases (checked by
    name, so the defining package need not be imported)."""
    for base in cls.__mro__:
        if base.__qualname__ == qualname and base.__module__ == module:
            return True
    return False
