"""Annotation -> type node: the per-field half of the Python -> Rust contract.

Nodes are frozen, slotted and read by attribute name from Rust. Every node has
``kind`` (what to write) and ``text`` (the annotation as error messages show
it); container kinds add their children (see spec/TYPES.md for the table).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime
import decimal
import enum
import types
import typing
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, Union

from ._errors import SpecError
from ._readers import is_model_class

__all__ = [
    "DictType",
    "EnumType",
    "ListType",
    "LiteralType",
    "ModelType",
    "Node",
    "OptionalType",
    "Resolver",
    "ScalarType",
    "TupleType",
    "UnionType",
    "is_missing_sentinel",
    "model_classes",
    "temporal_rule",
]


@dataclasses.dataclass(frozen=True, slots=True)
class ScalarType:
    """Kinds any, str, int, float, bool, none, datetime, date, time,
    timedelta, uuid, decimal and custom: no children."""

    kind: str
    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class OptionalType:
    kind: str
    text: str
    inner: Node


@dataclasses.dataclass(frozen=True, slots=True)
class UnionType:
    kind: str
    text: str
    choices: tuple[Node, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class ListType:
    kind: str
    text: str
    item: Node


@dataclasses.dataclass(frozen=True, slots=True)
class TupleType:
    kind: str
    text: str
    items: tuple[Node, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class DictType:
    kind: str
    text: str
    key: Node
    value: Node


@dataclasses.dataclass(frozen=True, slots=True)
class EnumType:
    kind: str
    text: str
    cls: type


@dataclasses.dataclass(frozen=True, slots=True)
class LiteralType:
    kind: str
    text: str
    values: tuple[Any, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class ModelType:
    kind: str
    text: str
    cls: type


Node = (
    ScalarType | OptionalType | UnionType | ListType | TupleType | DictType | EnumType | LiteralType | ModelType
)

ANY = ScalarType("any", "Any")
NONE = ScalarType("none", "None")

# Order matters: subclasses before their bases (bool before int, datetime
# before date), mirroring the run-time dispatch in the reference encoder.
_CLASS_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "bool"),
    (str, "str"),
    (int, "int"),
    (float, "float"),
    (datetime.datetime, "datetime"),
    (datetime.date, "date"),
    (datetime.time, "time"),
    (datetime.timedelta, "timedelta"),
    (uuid.UUID, "uuid"),
    (decimal.Decimal, "decimal"),
)
# Names the messages use for the classes above (``UUID`` rather than ``uuid``).
_BUILTIN_TEXT = {cls: cls.__name__ for cls, _ in _CLASS_KINDS}

# Values JSON has no natural form for; failing at compile time beats a
# surprise at the first dumps().
_UNSUPPORTED_CLASSES = (bytes, bytearray, memoryview, set, frozenset, complex, type)

_CALLABLE: object = collections.abc.Callable
_LIST_ORIGINS = (list, collections.abc.Sequence)
_DICT_ORIGINS = (dict, collections.abc.Mapping)
_TYPE_ALIAS_TYPE = getattr(typing, "TypeAliasType", None)  # Python >= 3.12
_LITERAL_STRING: object = getattr(typing, "LiteralString", object())  # Python >= 3.11


def model_classes(node: Node) -> Iterator[type]:
    """Every model class a node refers to (directly or in its children)."""
    if isinstance(node, ModelType):
        yield node.cls
    elif isinstance(node, OptionalType):
        yield from model_classes(node.inner)
    elif isinstance(node, ListType):
        yield from model_classes(node.item)
    elif isinstance(node, DictType):
        yield from model_classes(node.value)
    elif isinstance(node, (UnionType, TupleType)):
        for child in node.choices if isinstance(node, UnionType) else node.items:
            yield from model_classes(child)


# Classes whose instances stand for "no value" although they subclass a
# datetime type, by (module, qualname) of the class or of a base between it
# and the datetime type, so that recognising them needs no import:
# pandas.NaT (a datetime subclass whose fields mean nothing; pandas 3 shows
# its class as pandas.api.typing.NaTType, a subclass of
# pandas._libs.tslibs.nattype._NaT). pandas writes it as null; reading its
# fields would give a made-up date.
MISSING_SENTINELS: frozenset[tuple[str, str]] = frozenset(
    {
        ("pandas._libs.tslibs.nattype", "NaTType"),
        ("pandas._libs.tslibs.nattype", "_NaT"),
        ("pandas.api.typing", "NaTType"),
    }
)

# A class's real attributes, whatever its metaclass defines.
_type_module = type.__dict__["__module__"].__get__
_type_qualname = type.__dict__["__qualname__"].__get__
_type_namespace = type.__dict__["__dict__"].__get__
_type_mro = type.__dict__["__mro__"].__get__


def is_missing_sentinel(cls: type) -> bool:
    """Whether ``cls`` or one of its bases is a known missing-value sentinel
    class (``pandas.NaT``'s): its instances are written ``null``."""
    for klass in _type_mro(cls):
        try:
            if (_type_module(klass), _type_qualname(klass)) in MISSING_SENTINELS:
                return True
        except (AttributeError, TypeError):
            continue
    return False


def temporal_rule(cls: type, base: type) -> str | None:
    """How an instance of ``cls``, a strict subclass of ``base`` (``datetime``,
    ``date`` or ``time``), is written by both encoders.

    ``"null"`` for a missing-value sentinel (``pandas.NaT``); ``"isoformat"``
    when a class between ``cls`` and ``base`` in the MRO defines
    ``isoformat`` (its text is what the class says it is); ``None`` to read
    the fields like ``base``'s own (overrides of ``utcoffset``, ``tzname``,
    ``__str__`` do not change what ``base.isoformat`` writes).
    """
    if is_missing_sentinel(cls):
        return "null"
    for klass in _type_mro(cls):
        if klass is base:
            return None
        if "isoformat" in _type_namespace(klass):
            return "isoformat"
    return None


def is_dataclass_type(obj: object) -> bool:
    return isinstance(obj, type) and hasattr(obj, "__dataclass_fields__")


def annotation_repr(annotation: object) -> str:
    """``bytes`` for classes, ``dict[Color, int]`` for builtin generics
    (``repr`` would say ``dict[__main__.Color, int]``), ``repr()`` otherwise."""
    if annotation is Ellipsis:
        return "..."
    if isinstance(annotation, types.GenericAlias):
        args = typing.get_args(annotation)
        inner = ", ".join(annotation_repr(arg) for arg in args) if args else "()"
        return f"{annotation_repr(typing.get_origin(annotation))}[{inner}]"
    if isinstance(annotation, type):
        return annotation.__qualname__
    return repr(annotation)


class Resolver:
    """Turns one field's annotation into a node.

    ``owner`` (``"PullRequest.labels"``) prefixes every ``SpecError``.
    String annotations (``from __future__ import annotations``, forward
    references) are evaluated in ``globalns``/``localns`` the way
    ``typing.get_type_hints`` evaluates a class's annotations.
    """

    def __init__(self, owner: str, globalns: dict[str, Any], localns: Mapping[str, Any]) -> None:
        self.owner = owner
        self.globalns = globalns
        self.localns = localns
        self._expanding: list[object] = []  # type aliases being expanded

    def node(self, annotation: object) -> Node:
        annotation = self._evaluate(annotation)
        if annotation is Any:
            return ANY
        if annotation is object:
            return ScalarType("any", "object")
        if annotation is None or annotation is type(None):
            return NONE
        if annotation is _LITERAL_STRING:
            return ScalarType("str", "LiteralString")
        if isinstance(annotation, typing.NewType):
            return dataclasses.replace(self.node(annotation.__supertype__), text=annotation.__name__)
        if _TYPE_ALIAS_TYPE is not None and isinstance(annotation, _TYPE_ALIAS_TYPE):
            return self._alias(annotation)
        if isinstance(annotation, typing.TypeVar):
            self._fail(annotation, "type variables are not supported")

        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated or origin is typing.Final:
            return self.node(args[0])
        if origin is Union or origin is types.UnionType:
            return self._union(args)
        if origin is typing.Literal:
            return self._literal(annotation, args)
        if origin is tuple:
            return self._tuple(annotation, args)
        if isinstance(origin, type):
            if origin in _LIST_ORIGINS or issubclass(origin, list):
                return self._list(origin, args)
            if origin in _DICT_ORIGINS or _is_dict_class(origin):
                return self._dict(annotation, origin, args)
        if origin is None and isinstance(annotation, type):
            return self._class(annotation)
        if is_dataclass_type(origin):
            self._fail(annotation, "generic dataclasses are not supported")
        self._fail(annotation)

    # -- helpers -----------------------------------------------------------

    def _fail(self, annotation: object, reason: str | None = None) -> typing.NoReturn:
        message = f"{self.owner}: unsupported annotation {annotation_repr(annotation)}"
        raise SpecError(f"{message} ({reason})" if reason else message)

    def _evaluate(self, annotation: object) -> object:
        if isinstance(annotation, typing.ForwardRef):
            annotation = annotation.__forward_arg__
        if not isinstance(annotation, str):
            return annotation
        try:
            value = eval(annotation, self.globalns, self.localns)  # noqa: S307 - annotation text
        except NameError as error:
            raise SpecError(
                f"{self.owner}: cannot resolve annotation {annotation!r}: "
                f"name {error.name!r} is not defined"
            ) from error
        except Exception as error:
            raise SpecError(
                f"{self.owner}: cannot evaluate annotation {annotation!r}: "
                f"{type(error).__name__}: {error}"
            ) from error
        if isinstance(value, str):  # a string naming a string: not a type
            self._fail(annotation)
        return value

    def _alias(self, alias: Any) -> Node:
        # ``type Tree = list[Tree] | int`` would expand forever; nodes are
        # immutable trees, so a recursive alias cannot be represented.
        if any(alias is other for other in self._expanding):
            self._fail(alias, "recursive type aliases are not supported")
        self._expanding.append(alias)
        try:
            return dataclasses.replace(self.node(alias.__value__), text=alias.__name__)
        finally:
            self._expanding.pop()

    def _union(self, args: tuple[object, ...]) -> Node:
        members = [arg for arg in args if arg is not type(None) and arg is not None]
        if len(members) == 1 and len(args) == 2:
            inner = self.node(members[0])
            return OptionalType("optional", f"{inner.text} | None", inner)
        choices = tuple(self.node(arg) for arg in args)
        return UnionType("union", " | ".join(c.text for c in choices), choices)

    def _literal(self, annotation: object, args: tuple[object, ...]) -> Node:
        texts = []
        for value in args:
            if isinstance(value, enum.Enum):
                texts.append(f"{type(value).__name__}.{value.name}")
            elif value is None or type(value) in (str, int, bool):
                texts.append(repr(value))
            else:
                self._fail(annotation, "Literal values must be str, int, bool, None or Enum members")
        return LiteralType("literal", f"Literal[{', '.join(texts)}]", tuple(args))

    def _tuple(self, annotation: object, args: tuple[object, ...]) -> Node:
        if annotation is tuple:  # bare typing.Tuple: args () like tuple[()]
            return ListType("list", "tuple", ANY)
        if len(args) == 2 and args[1] is Ellipsis:
            item = self.node(args[0])
            return ListType("list", f"tuple[{item.text}, ...]", item)
        if args in ((), ((),)):  # tuple[()] (3.10 typing.Tuple[()] gives ((),))
            return TupleType("tuple", "tuple[()]", ())
        items = tuple(self.node(arg) for arg in args)
        return TupleType("tuple", f"tuple[{', '.join(i.text for i in items)}]", items)

    def _list(self, origin: type, args: tuple[object, ...]) -> Node:
        item = self.node(args[0]) if args else ANY
        name = origin.__name__
        return ListType("list", f"{name}[{item.text}]" if args else name, item)

    def _dict(self, annotation: object, origin: type, args: tuple[object, ...]) -> Node:
        name = origin.__name__
        if not args:
            return DictType("dict", name, ANY, ANY)
        if len(args) != 2:
            self._fail(annotation)
        key = self.node(args[0])
        if key.kind not in ("str", "int", "enum", "any"):
            self._fail(annotation, "dict keys must be str, int, an Enum or Any")
        if isinstance(key, EnumType):
            self._check_enum_key(annotation, key.cls)
        value = self.node(args[1])
        return DictType("dict", f"{name}[{key.text}, {value.text}]", key, value)

    def _check_enum_key(self, annotation: object, cls: type[enum.Enum]) -> None:
        for member in cls:
            value = member.value
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                self._fail(
                    annotation,
                    f"{cls.__name__}.{member.name} has a {type(value).__name__} value; "
                    "enum dict keys need str or int values",
                )

    def _class(self, cls: type) -> Node:
        name = cls.__name__
        if issubclass(cls, enum.Enum):
            return EnumType("enum", name, cls)
        for base, kind in _CLASS_KINDS:
            if issubclass(cls, base):
                return ScalarType(kind, _BUILTIN_TEXT[base] if cls is base else name)
        if is_model_class(cls):
            return ModelType("model", name, cls)
        if issubclass(cls, _UNSUPPORTED_CLASSES):
            self._fail(cls, "JSON has no representation for it")
        if cls is _CALLABLE:
            self._fail(cls)
        if cls is collections.abc.Sequence or issubclass(cls, (list, tuple)):
            return ListType("list", name, ANY)
        if cls is collections.abc.Mapping or _is_dict_class(cls):
            return DictType("dict", name, ANY, ANY)
        # Another class: values are converted by what they are at run time,
        # through default= when unsupported.
        return ScalarType("custom", name)


def _is_dict_class(cls: type) -> bool:
    # ``dict in __mro__`` rather than issubclass: TypedDict classes refuse
    # issubclass() but are plain dicts at run time.
    return dict in getattr(cls, "__mro__", ())
