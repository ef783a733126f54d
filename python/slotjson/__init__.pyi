import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol, TypeVar, overload

from typing_extensions import dataclass_transform

# One class for both names (slotjson.Document is slotjson._native.Document at
# run time), so it is declared once, in _native.pyi, and re-exported here.
from ._native import Document as Document

__version__: str
__all__: list[str]

_T = TypeVar("_T")
_C = TypeVar("_C", bound=type)

_Rename = Literal["camel", "pascal", "kebab"] | Callable[[str], str] | None
_OmitRule = Literal["none", "empty", "default"] | None
_Nan = Literal["error", "null"]
_Timedelta = Literal["iso", "seconds"]
_Default = Callable[[Any], Any] | None

class SpecError(TypeError): ...

class EncodeError(TypeError, ValueError):
    path: tuple[int | str | Any, ...]
    def __init__(self, message: str, path: tuple[Any, ...] = ...) -> None: ...

class FormatError(ValueError): ...

# Mirrors dataclasses.field: the return type is the default's type so that
# ``x: int = field(default=0)`` type-checks.
@overload

class ArrowStreamExportable(Protocol):
    """A table: pyarrow Table/RecordBatch/RecordBatchReader, pandas or polars DataFrame, DuckDB result.

    dumps() writes it as a JSON array of row objects; dumps_indexed() gives one item per row.
    """

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

def field(
    *,
    default: _T,
    name: str | None = None,
    omit_if: _OmitRule = None,
    skip: bool = False,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = ...,
) -> _T: ...
@overload
def field(
    *,
    default_factory: Callable[[], _T],
    name: str | None = None,
    omit_if: _OmitRule = None,
    skip: bool = False,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = ...,
) -> _T: ...
@overload
def field(
    *,
    name: str | None = None,
    omit_if: Literal["none", "empty"] | None = None,
    skip: bool = False,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = ...,
) -> Any: ...
# dataclass_transform goes on the first overload (PEP 681).
@overload
@dataclass_transform(field_specifiers=(field, dataclasses.field, dataclasses.Field))
def model(cls: _C, /) -> _C: ...
@overload
def model(
    *,
    rename: _Rename = None,
    omit_none: bool = False,
    init: bool = True,
    repr: bool = True,
    eq: bool = True,
    order: bool = False,
    unsafe_hash: bool = False,
    frozen: bool = False,
    match_args: bool = True,
    kw_only: bool = False,
    slots: Literal[True] = True,
    weakref_slot: bool = False,
) -> Callable[[_C], _C]: ...

def compile(cls: _C) -> _C: ...
def describe(cls: type) -> str: ...
def dumps(
    obj: object,
    /,
    *,
    utc_z: bool = False,
    omit_microseconds: bool = False,
    nan: _Nan = "error",
    ascii: bool = False,
    default: _Default = None,
    max_depth: int = 256,
    timedelta: _Timedelta = "iso",
    threads: int | None = None,
    release_gil: bool = False,
    by_alias: bool | None = None,
) -> bytes: ...
def set_threads(n: int | None, /) -> int | None:
    """Worker threads for calls without threads= (None: the CPU count); returns the previous setting."""

def dumps_indexed(
    items: list[Any] | tuple[Any, ...] | ArrowStreamExportable,
    *,
    utc_z: bool = False,
    omit_microseconds: bool = False,
    nan: _Nan = "error",
    ascii: bool = False,
    default: _Default = None,
    max_depth: int = 256,
    timedelta: _Timedelta = "iso",
    threads: int | None = None,
    release_gil: bool = False,
    by_alias: bool | None = None,
) -> Document: ...
def to_builtins(
    obj: object,
    /,
    *,
    utc_z: bool = False,
    omit_microseconds: bool = False,
    nan: _Nan = "error",
    ascii: bool = False,
    default: _Default = None,
    max_depth: int = 256,
    timedelta: _Timedelta = "iso",
    by_alias: bool | None = None,
) -> Any: ...
