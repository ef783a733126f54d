"""The libraries slotjson is compared with, each called the way its docs recommend.

A ``Competitor`` turns a model class into a pair of encoders (a whole list,
one item) during setup, outside the timed region: that is where a reused
``msgspec.json.Encoder`` or a pydantic ``TypeAdapter`` is built, as an
application would do once at start-up. Every encoder returns ``bytes``,
because that is what slotjson returns and what a server writes to a socket;
the str-returning libraries pay for their ``.encode()``.

``run(..., extra_competitors=[...])`` accepts more ``Competitor`` objects;
the harness verifies them like the built-in ones (that is how the tests
check that a wrong encoder is refused).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import importlib.metadata
import json
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["NAMES", "Competitor", "Encoders", "isoformat_default", "load"]


@dataclasses.dataclass(frozen=True)
class Encoders:
    many: Callable[[Sequence[Any]], bytes]  # list of model instances -> JSON array
    one: Callable[[Any], bytes]  # one model instance -> JSON object


@dataclasses.dataclass(frozen=True)
class Competitor:
    """An encoder to compare; ``build`` may import lazily, it runs once per model class."""

    name: str
    version: str
    call: str  # the expression timed, with "{items}" where the list goes; shown in the report
    build: Callable[[type], Encoders]  # model class -> encoders; runs untimed
    # True when most of the time goes to Python bytecode (dataclasses.asdict):
    # such encoders are left out of release_gil (the bytecode holds the GIL
    # anyway) and of indexed (per-item encoding costs what encode shows).
    python_level: bool = False
    # True for an encoder that refuses model instances (ssrjson): it is given
    # the workload as ready dicts and lists (the reference output, parsed,
    # built untimed), so its rows show what encoding the same data costs
    # once an application has turned its objects into dicts.
    builtins_only: bool = False

    def call_on(self, items: str) -> str:
        return self.call.replace("{items}", items)


def isoformat_default(value: Any) -> Any:
    """``default=`` hook for the dict-based encoders: the stdlib and ujson
    know nothing of datetimes, and ``isoformat()`` is what slotjson writes."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _as_dicts(model: type) -> Callable[[Any], Any]:
    """``dataclasses.asdict`` for a dataclass workload; nothing to do for one of dicts already."""
    return dataclasses.asdict if dataclasses.is_dataclass(model) else (lambda value: value)


def _stdlib(model: type) -> Encoders:
    asdict = _as_dicts(model)
    # Compact and UTF-8 like every other library here, so the output sizes
    # (and MB/s) compare like for like.
    encoder = json.JSONEncoder(default=isoformat_default, ensure_ascii=False, separators=(",", ":"))
    return Encoders(
        many=lambda items: encoder.encode([asdict(x) for x in items]).encode(),
        one=lambda item: encoder.encode(asdict(item)).encode(),
    )


def _orjson(model: type) -> Encoders:
    import orjson

    # Dataclasses and datetimes are native to orjson: no option needed.
    dumps = orjson.dumps
    return Encoders(many=dumps, one=dumps)


def _msgspec(model: type) -> Encoders:
    import msgspec

    encode = msgspec.json.Encoder().encode  # reused: building one per call is the slow path
    return Encoders(many=encode, one=encode)


def _pydantic(model: type) -> Encoders:
    import pydantic

    many = pydantic.TypeAdapter(list[model]).dump_json  # type: ignore[valid-type]
    one = pydantic.TypeAdapter(model).dump_json
    return Encoders(many=many, one=one)


def _ujson(model: type) -> Encoders:
    import ujson

    asdict = _as_dicts(model)
    dumps = ujson.dumps

    def encode(value: Any) -> bytes:
        return dumps(value, default=isoformat_default, ensure_ascii=False, escape_forward_slashes=False).encode()

    return Encoders(many=lambda items: encode([asdict(x) for x in items]), one=lambda item: encode(asdict(item)))


def _ssrjson(model: type) -> Encoders:
    import ssrjson

    dumps = ssrjson.dumps_to_bytes  # SIMD string writing; refuses dataclasses (builtins_only)
    return Encoders(many=dumps, one=dumps)


# name -> (module to import, distribution for the version, timed call, builder, python_level)
_KNOWN: dict[str, tuple[str, str, str, Callable[[type], Encoders], bool]] = {
    "json": ("json", "", "JSONEncoder(default=isoformat).encode([asdict(x) for x in {items}]).encode()",
             _stdlib, True),
    "orjson": ("orjson", "orjson", "orjson.dumps({items})", _orjson, False),
    "msgspec": ("msgspec", "msgspec", "encoder.encode({items})  (encoder = msgspec.json.Encoder(), reused)",
                _msgspec, False),
    "pydantic": ("pydantic", "pydantic", "TypeAdapter(list[T]).dump_json({items})", _pydantic, False),
    "ujson": ("ujson", "ujson", "ujson.dumps([asdict(x) for x in {items}], default=isoformat).encode()",
              _ujson, True),
    "ssrjson": ("ssrjson", "ssrjson", "ssrjson.dumps_to_bytes({items})", _ssrjson, False),
}
# Encoders that refuse model instances: timed on the same data as dicts (see Competitor.builtins_only).
_BUILTINS_ONLY = frozenset({"ssrjson"})
NAMES = tuple(_KNOWN)


def load(names: Sequence[str]) -> tuple[list[Competitor], list[str]]:
    """The competitors among ``names`` that import here, and a note for each that does not."""
    found: list[Competitor] = []
    notes: list[str] = []
    for name in names:
        if name not in _KNOWN:
            raise ValueError(f"unknown competitor {name!r}; choose from {', '.join(NAMES)}")
        module, distribution, call, build, python_level = _KNOWN[name]
        try:
            importlib.import_module(module)
        except ImportError as exc:
            notes.append(f"{name}: not installed ({exc}); skipped. `pip install {distribution}` to include it.")
            continue
        found.append(Competitor(name, _version(distribution), call, build, python_level,
                                builtins_only=name in _BUILTINS_ONLY))
    return found, notes


def _version(distribution: str) -> str:
    if not distribution:  # the stdlib module ships with the interpreter
        import platform

        return f"stdlib (Python {platform.python_version()})"
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
