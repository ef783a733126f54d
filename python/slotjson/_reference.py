"""``to_builtins``: the pure-Python reference conversion, the oracle for ``dumps``.

For every supported value::

    dumps(x, **o) == json.dumps(
        to_builtins(x, **o), ensure_ascii=o["ascii"], separators=(",", ":"), allow_nan=False
    ).encode()

It follows the same ``ModelSpec`` as the native encoder (field order, keys,
omission, annotation checks) but is written independently of it: it never
touches ``_native``. Clarity beats speed here; errors carry the same path and
detail text the native encoder produces (see spec/TYPES.md).
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import re
import uuid
from collections.abc import Callable
from typing import Any

from ._errors import FIELD, INDEX, KEY, EncodeError, encode_error
from ._readers import is_model_class
from ._spec import spec_for
from ._tables import is_table, table_rows
from ._types import Node, temporal_rule

__all__ = ["iso_duration", "to_builtins"]

_SURROGATE = re.compile("[\ud800-\udfff]")
_MICROSECOND = dt.timedelta(microseconds=1)
_EMPTY_CHECKS: tuple[tuple[type, Callable[[Any], int]], ...] = (
    (str, str.__len__),
    (list, list.__len__),
    (tuple, tuple.__len__),
    (dict, dict.__len__),
)


def to_builtins(
    obj: Any,
    /,
    *,
    utc_z: bool = False,
    omit_microseconds: bool = False,
    nan: str = "error",
    ascii: bool = False,
    default: Callable[[Any], Any] | None = None,
    max_depth: int = 256,
    timedelta: str = "iso",
    by_alias: bool | None = None,
) -> Any:
    """Convert ``obj`` to dicts, lists, str, int, float, bool and None as ``dumps`` writes it.

    Raises ``EncodeError`` exactly where ``dumps`` would (same ``path`` and
    message) and ``SpecError`` for models with unsupported annotations.
    """
    if nan not in ("error", "null"):
        raise ValueError(f'nan must be "error" or "null", got {nan!r}')
    if timedelta not in ("iso", "seconds"):
        raise ValueError(f'timedelta must be "iso" or "seconds", got {timedelta!r}')
    if not isinstance(max_depth, int) or isinstance(max_depth, bool) or max_depth < 0:
        raise ValueError(f"max_depth must be an int >= 0, got {max_depth!r}")
    if default is not None and not callable(default):
        raise TypeError(f"default must be callable or None, got {type(default).__name__}")
    if by_alias is not None and not isinstance(by_alias, bool):
        raise TypeError(f"by_alias must be a bool or None, got {type(by_alias).__name__}")
    root = type(obj).__name__ if is_model_class(type(obj)) else ""
    converter = _Converter(
        root=root,
        utc_z=bool(utc_z),
        omit_microseconds=bool(omit_microseconds),
        nan_to_null=nan == "null",
        ascii=bool(ascii),
        default=default,
        max_depth=max_depth,
        timedelta_seconds=timedelta == "seconds",
    )
    converter.by_alias = by_alias
    if is_table(obj):
        # A table (pyarrow, polars, pandas, DuckDB): its rows.
        obj = table_rows(obj, utc_z=bool(utc_z), omit_microseconds=bool(omit_microseconds))
    return converter.value(obj)


def exception_text(error: Exception) -> str:
    """``Name: message``, or ``Name`` when ``str(error)`` is empty or raises
    an ``Exception`` (a broken ``__str__`` must not hide the real failure)."""
    try:
        text = str(error)
    except Exception:
        text = ""
    name = type(error).__name__
    return f"{name}: {text}" if text else name


def iso_duration(total_microseconds: int) -> str:
    """ISO 8601 duration: ``PT0S``, ``P1D``, ``-PT1H``, ``PT1.5S``, ``P1DT2H3M4.000005S``.

    The sign applies to the whole duration (``-P1DT1S``), unlike
    ``timedelta``'s own normalization (``-2 days, 23:59:59``).
    """
    if total_microseconds == 0:
        return "PT0S"
    sign = "-" if total_microseconds < 0 else ""
    rest = abs(total_microseconds)
    days, rest = divmod(rest, 86_400_000_000)
    hours, rest = divmod(rest, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds, micros = divmod(rest, 1_000_000)
    parts = [sign, "P"]
    if days:
        parts.append(f"{days}D")
    if hours or minutes or seconds or micros:
        parts.append("T")
        if hours:
            parts.append(f"{hours}H")
        if minutes:
            parts.append(f"{minutes}M")
        if seconds or micros:
            parts.append(str(seconds))
            if micros:
                parts.append("." + f"{micros:06d}".rstrip("0"))
            parts.append("S")
    return "".join(parts)


class _Converter:
    """One conversion: options plus the state of the walk.

    ``path`` holds tagged segments of the value being converted; ``active``
    the ids of the containers and models open on that path (cycle check),
    ``depth`` their number, and ``hooks`` the number of unwrapping steps
    (Enum values, default= results) whose result is being converted. Both
    counts are limited by ``max_depth``.
    Errors abort the whole conversion, so none of this is restored on error.
    """

    def __init__(
        self,
        *,
        root: str,
        utc_z: bool,
        omit_microseconds: bool,
        nan_to_null: bool,
        ascii: bool,
        default: Callable[[Any], Any] | None,
        max_depth: int,
        timedelta_seconds: bool,
    ) -> None:
        self.root = root
        self.utc_z = utc_z
        self.timespec = "seconds" if omit_microseconds else "auto"
        self.nan_to_null = nan_to_null
        self.ascii = ascii
        self.default = default
        self.max_depth = max_depth
        self.timedelta_seconds = timedelta_seconds
        self.path: list[tuple[str, object]] = []
        self.active: set[int] = set()
        self.depth = 0
        self.hooks = 0
        self.by_alias: bool | None = None

    # -- bookkeeping -------------------------------------------------------

    def error(self, detail: str, cause: BaseException | None = None) -> EncodeError:
        return encode_error(self.root, tuple(self.path), detail, cause)

    def raised(self, error: Exception) -> EncodeError:
        """The error for an ``Exception`` that Python code called during the
        conversion raised (a property, a tzinfo's ``utcoffset``, ``__eq__``
        for omit-if-default, an Enum's ``value``): ``Name: message`` at the
        current path, with ``error`` as ``__cause__``. Callers catch only
        ``Exception``: ``KeyboardInterrupt``, ``SystemExit`` and every other
        ``BaseException`` propagate unchanged."""
        return self.error(exception_text(error), error)

    def too_deep(self) -> EncodeError:
        return self.error(f"maximum depth {self.max_depth} exceeded")

    def enter(self, container: object) -> None:
        # The cycle check comes first: a cycle is the better explanation.
        if id(container) in self.active:
            raise self.error("circular reference detected")
        if self.depth >= self.max_depth:
            raise self.too_deep()
        self.active.add(id(container))
        self.depth += 1

    def leave(self, container: object) -> None:
        self.active.discard(id(container))
        self.depth -= 1

    # -- untyped: dispatch on the value's own type --------------------------

    def value(self, v: Any) -> Any:
        # Order matters for classes with several bases: dataclasses first,
        # then Enum before str/int/float (an IntEnum is written as its
        # value), bool before int, datetime before date.
        if v is None or isinstance(v, bool):
            return v
        if is_model_class(type(v)):
            return self.model(v)
        if isinstance(v, enum.Enum):
            return self.unwrapped(self.enum_value(v))
        if isinstance(v, str):
            return self.string(v)
        if isinstance(v, int):
            return int.__int__(v)
        if isinstance(v, float):
            return self.finite_float(v)
        if isinstance(v, (list, tuple)):
            return self.sequence(v, None)
        if isinstance(v, dict):
            return self.mapping(v, None, None)
        if isinstance(v, dt.datetime):
            return self.datetime(v)
        if isinstance(v, dt.date):
            return self.date(v)
        if isinstance(v, dt.time):
            return self.time(v)
        if isinstance(v, dt.timedelta):
            return self.timedelta(v)
        if isinstance(v, uuid.UUID):
            return uuid.UUID.__str__(v)
        if isinstance(v, decimal.Decimal):
            return decimal.Decimal.__str__(v)
        return self.hook(v)

    def hook(self, v: Any) -> Any:
        name = type(v).__name__
        if self.default is None:
            raise self.error(f"unsupported type {name} (pass default= to convert it)")
        if self.hooks >= self.max_depth:
            raise self.too_deep()
        try:
            result = self.default(v)
        except Exception as error:
            raise self.error(f"default= hook raised {exception_text(error)}", error) from error
        if type(result) is type(v):
            # An unsupported type in, the same type out: calling the hook
            # again would most likely loop (e.g. a hook that returns its
            # argument for types it does not handle).
            raise self.error(f"default= hook returned unsupported type {name}")
        return self.unwrapped(result)

    def unwrapped(self, v: Any) -> Any:
        """Convert ``v``, reached by unwrapping (an Enum's value, a hook's
        result): one more step toward ``max_depth``, so a value that unwraps
        to itself ends with ``maximum depth N exceeded``."""
        if self.hooks >= self.max_depth:
            raise self.too_deep()
        self.hooks += 1
        converted = self.value(v)
        self.hooks -= 1
        return converted

    # -- typed: validate against an annotation node -------------------------

    def typed(self, node: Any, v: Any) -> Any:
        # Optional and union only pick the node to write with; loop instead of
        # recursing to keep Python frames per nesting level low. Messages name
        # the annotation as written (``int | None``), not the inner node.
        shown = node
        while True:
            kind = node.kind
            if kind == "any" or kind == "custom" or kind == "literal":
                return self.value(v)
            if kind == "optional":
                if v is None:
                    return None
                node = node.inner
            elif kind == "union":
                node = self.choose(node, v, shown)
            else:
                break
        if not accepts(node, v, True):
            raise self.mismatch(shown, node, v)
        return self._WRITERS[kind](self, node, v)

    def choose(self, node: Any, v: Any, shown: Node) -> Any:
        float_takes_int = not any(choice.kind == "int" for choice in node.choices)
        for choice in node.choices:
            if accepts(choice, v, float_takes_int):
                return choice
        raise self.mismatch(shown, node, v)

    def mismatch(self, shown: Node, node: Node, v: Any) -> EncodeError:
        got = type(v).__name__
        if node.kind == "tuple" and isinstance(v, (list, tuple)):
            got = f"{got} of length {len(v)}"
        return self.error(f"expected {shown.text}, got {got}")

    # -- writers -----------------------------------------------------------

    def string(self, v: str) -> str:
        s = str.__str__(v)
        if not self.ascii and not s.isascii():
            found = _SURROGATE.search(s)
            if found is not None:
                raise self.error(
                    f"string contains a lone surrogate U+{ord(found.group()):04X} "
                    f"at index {found.start()} (use ascii=True)"
                )
        return s

    def finite_float(self, v: float) -> float | None:
        x = float.__float__(v)
        if x - x == 0.0:  # finite (inf - inf and nan - nan are nan)
            return x
        if self.nan_to_null:
            return None
        raise self.error(f'float {x!r} is not allowed in JSON (use nan="null")')

    def datetime(self, v: dt.datetime) -> str | None:
        if type(v) is not dt.datetime and (rule := temporal_rule(type(v), dt.datetime)):
            return self.temporal_override(v, rule)
        return self.with_offset(dt.datetime.isoformat, v)

    def date(self, v: dt.date) -> str | None:
        if type(v) is not dt.date and (rule := temporal_rule(type(v), dt.date)):
            return self.temporal_override(v, rule)
        return dt.date.isoformat(v)

    def time(self, v: dt.time) -> str | None:
        if type(v) is not dt.time and (rule := temporal_rule(type(v), dt.time)):
            return self.temporal_override(v, rule)
        return self.with_offset(dt.time.isoformat, v)

    def with_offset(self, isoformat: Callable[..., str], v: Any) -> str:
        # The base class's isoformat asks the tzinfo for the offset once and
        # checks it (ValueError beyond ±24h, TypeError for a non-timedelta);
        # Exceptions from it are wrapped like the native encoder's.
        try:
            text = isoformat(v, timespec=self.timespec)
        except Exception as error:
            raise self.raised(error) from error
        if self.utc_z and text.endswith("+00:00"):
            text = text[:-6] + "Z"  # a zero offset (others end in seconds or minutes)
        return text

    def temporal_override(self, v: Any, rule: str) -> str | None:
        """A date/time subclass that is not read field by field (see ``temporal_rule``)."""
        if rule == "null":
            return None
        try:
            text = v.isoformat()
        except Exception as error:
            raise self.raised(error) from error
        if not isinstance(text, str):
            raise self.error(f"{type(v).__name__}.isoformat() returned {type(text).__name__}, not str")
        return self.string(text)

    def timedelta(self, v: dt.timedelta) -> str | float:
        if self.timedelta_seconds:
            return dt.timedelta.total_seconds(v)
        return iso_duration(dt.timedelta.__floordiv__(v, _MICROSECOND))

    def sequence(self, v: list[Any] | tuple[Any, ...], item: Node | None) -> list[Any]:
        self.enter(v)
        path = self.path
        out = []
        items = list.__iter__(v) if isinstance(v, list) else tuple.__iter__(v)
        for index, x in enumerate(items):
            path.append((INDEX, index))
            out.append(self.value(x) if item is None else self.typed(item, x))
            path.pop()
        self.leave(v)
        return out

    def fixed_tuple(self, items: tuple[Node, ...], v: list[Any] | tuple[Any, ...]) -> list[Any]:
        self.enter(v)
        path = self.path
        out = []
        for index, (node, x) in enumerate(zip(items, v)):
            path.append((INDEX, index))
            out.append(self.typed(node, x))
            path.pop()
        self.leave(v)
        return out

    def mapping(self, v: dict[Any, Any], key_node: Node | None, value_node: Node | None) -> dict[Any, Any]:
        self.enter(v)
        path = self.path
        out = {}
        typed_keys = key_node is not None and key_node.kind != "any"
        for k, x in dict.items(v):
            path.append((KEY, k))
            key = self.typed_key(key_node, k) if typed_keys else self.any_key(k)
            out[key] = self.value(x) if value_node is None else self.typed(value_node, x)
            path.pop()
        self.leave(v)
        return out

    def any_key(self, k: Any) -> Any:
        # str/int keys are kept (json.dumps writes str(int)); bool, None and
        # float keys are passed through for json.dumps to write as
        # "true"/"false", "null" and repr(float).
        if k is None or isinstance(k, bool):
            return k
        if isinstance(k, enum.Enum):
            return self.enum_key(k)
        if isinstance(k, str):
            return self.string(k)
        if isinstance(k, int):
            return int.__int__(k)
        if isinstance(k, float):
            return self.finite_float(k)
        raise self.error(f"unsupported dict key type {type(k).__name__}")

    def typed_key(self, node: Any, k: Any) -> Any:
        kind = node.kind
        if kind == "str" and isinstance(k, str):
            return self.string(k)
        if kind == "int" and isinstance(k, int) and not isinstance(k, bool):
            return int.__int__(k)
        if kind == "enum" and isinstance(k, node.cls):
            return self.enum_key(k)
        raise self.error(f"expected {node.text} key, got {type(k).__name__}")

    def enum_value(self, member: enum.Enum) -> Any:
        try:
            return member.value
        except Exception as error:
            raise self.raised(error) from error

    def enum_key(self, k: enum.Enum) -> Any:
        value = self.enum_value(k)
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return int.__int__(value)
        raise self.error(
            f"dict key {type(k).__name__}.{k.name} has a {type(value).__name__} value; "
            "enum keys need str or int values"
        )

    def model(self, v: Any, declared: type | None = None) -> dict[str, Any] | list[Any]:
        cls = type(v)
        if declared is not None and declared is not cls:
            # A subclass instance in a field annotated with its base: written
            # as the base when the base's system says so (pydantic).
            base_spec = spec_for(declared)
            if base_spec is not None and base_spec.as_declared:
                cls = declared
        spec = spec_for(cls)
        assert spec is not None  # only called for model instances
        self.enter(v)
        path = self.path
        by_alias = spec.by_alias if self.by_alias is None else self.by_alias
        array = spec.array_like
        items: list[Any] = []
        out: dict[str, Any] = {}
        if spec.tag is not None:
            if array:
                items.append(spec.tag[1])
            else:
                out[spec.tag[0]] = spec.tag[1]
        for field in spec.fields:
            path.append((FIELD, field.name))
            value = self.read(v, cls, field)
            if array:
                items.append(self.typed(field.type, value))
            elif field.omit is None or not self.omitted(field, value):
                key = field.alias if by_alias and field.alias is not None else field.key
                out[key] = self.typed(field.type, value)
            path.pop()
        if spec.extra is not None:
            extra = self.read(v, cls, spec.extra)
            if extra is not None:
                if not isinstance(extra, dict):
                    path.append((FIELD, spec.extra.name))
                    raise self.error(f"expected dict, got {type(extra).__name__}")
                for k, x in dict.items(extra):
                    path.append((KEY, k))
                    out[self.any_key(k)] = self.value(x)
                    path.pop()
        for field in spec.computed:
            path.append((FIELD, field.name))
            value = self.read(v, cls, field)
            converted = self.typed(field.type, value)
            if array:
                items.append(converted)
            else:
                out[field.alias if by_alias and field.alias is not None else field.key] = converted
            path.pop()
        self.leave(v)
        return items if array else out

    def read(self, v: Any, cls: type, field: Any) -> Any:
        slot = field.slot
        if slot is not None:
            try:
                return slot.__get__(v, cls)
            except AttributeError:
                raise self.error(f"attribute '{field.name}' is not set") from None
            except Exception as error:  # a descriptor of another class, planted on cls
                raise self.raised(error) from error
        try:
            return getattr(v, field.name)
        except AttributeError as error:
            raise self.error(f"attribute '{field.name}' is not set", error) from error
        except Exception as error:  # a property or descriptor failed
            raise self.raised(error) from error

    def omitted(self, field: Any, value: Any) -> bool:
        rule = field.omit
        if rule == "none":
            return value is None
        if rule == "empty":
            if value is None:
                return True
            for cls, length in _EMPTY_CHECKS:
                if isinstance(value, cls):
                    return length(value) == 0
            return False
        if rule == "identical":
            return value is field.default
        # "default": the semantics of PyObject_RichCompareBool (identity
        # first, then ==); an Exception from __eq__ becomes an EncodeError.
        default = field.default
        try:
            return value is default or bool(value == default)
        except Exception as error:
            raise self.raised(error) from error

    _WRITERS: dict[str, Callable[[_Converter, Any, Any], Any]] = {
        "str": lambda self, node, v: self.string(v),
        "int": lambda self, node, v: int.__int__(v),
        # an int in a float field is written unchanged (no float() rounding)
        "float": lambda self, node, v: self.finite_float(v) if isinstance(v, float) else int.__int__(v),
        "bool": lambda self, node, v: v,
        "none": lambda self, node, v: None,
        "datetime": lambda self, node, v: self.datetime(v),
        "date": lambda self, node, v: self.date(v),
        "time": lambda self, node, v: self.time(v),
        "timedelta": lambda self, node, v: self.timedelta(v),
        "uuid": lambda self, node, v: uuid.UUID.__str__(v),
        "decimal": lambda self, node, v: decimal.Decimal.__str__(v),
        "list": lambda self, node, v: self.sequence(v, node.item),
        "tuple": lambda self, node, v: self.fixed_tuple(node.items, v),
        "dict": lambda self, node, v: self.mapping(v, node.key, node.value),
        "enum": lambda self, node, v: self.unwrapped(v.value),
        "model": lambda self, node, v: self.model(v, node.cls),
    }


def accepts(node: Any, v: Any, float_takes_int: bool) -> bool:
    """Whether ``v``'s type matches ``node`` (union dispatch and field checks).

    Only types are checked, never values. ``float_takes_int`` is False inside
    a union that also has an int choice.
    """
    kind = node.kind
    if kind == "any" or kind == "custom" or kind == "literal":
        # Literal values are not checked at all: each is written by its own
        # type, like Any.
        return True
    if kind == "str":
        return isinstance(v, str)
    if kind == "int":
        return isinstance(v, int) and not isinstance(v, bool)
    if kind == "float":
        return isinstance(v, float) or (
            float_takes_int and isinstance(v, int) and not isinstance(v, bool)
        )
    if kind == "bool":
        return isinstance(v, bool)
    if kind == "none":
        return v is None
    if kind == "datetime":
        return isinstance(v, dt.datetime)
    if kind == "date":
        return isinstance(v, dt.date) and not isinstance(v, dt.datetime)
    if kind == "time":
        return isinstance(v, dt.time)
    if kind == "timedelta":
        return isinstance(v, dt.timedelta)
    if kind == "uuid":
        return isinstance(v, uuid.UUID)
    if kind == "decimal":
        return isinstance(v, decimal.Decimal)
    if kind == "optional":
        return v is None or accepts(node.inner, v, float_takes_int)
    if kind == "union":
        inner_float_takes_int = not any(c.kind == "int" for c in node.choices)
        return any(accepts(c, v, inner_float_takes_int) for c in node.choices)
    if kind == "list":
        return isinstance(v, (list, tuple))
    if kind == "tuple":
        return isinstance(v, (list, tuple)) and len(v) == len(node.items)
    if kind == "dict":
        return isinstance(v, dict)
    if kind == "enum" or kind == "model":
        return isinstance(v, node.cls)
    raise AssertionError(f"unknown node kind {kind!r}")

