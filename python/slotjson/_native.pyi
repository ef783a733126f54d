# The part of the Rust extension module that the Python side relies on.
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, Protocol, SupportsIndex, TypedDict, final, overload

from typing_extensions import Buffer

from ._spec import ModelSpec

class PlanField(TypedDict):
    name: str
    key: str
    offset: int | None  # byte offset of the slot; None: read with getattr
    writer: str
    omit: str | None

class Plan:
    def fields(self) -> list[PlanField]: ...

def build_plans(specs: Sequence[ModelSpec], /) -> list[Plan]: ...
def dumps(
    obj: object,
    /,
    *,
    utc_z: bool = False,
    omit_microseconds: bool = False,
    nan: Literal["error", "null"] = "error",
    ascii: bool = False,
    default: Callable[[Any], Any] | None = None,
    max_depth: int = 256,
    timedelta: Literal["iso", "seconds"] = "iso",
    threads: int | None = None,
    release_gil: bool = False,
) -> bytes: ...
def dumps_indexed(
    items: list[Any] | tuple[Any, ...] | ArrowStreamExportable,
    *,
    utc_z: bool = False,
    omit_microseconds: bool = False,
    nan: Literal["error", "null"] = "error",
    ascii: bool = False,
    default: Callable[[Any], Any] | None = None,
    max_depth: int = 256,
    timedelta: Literal["iso", "seconds"] = "iso",
    threads: int | None = None,
    release_gil: bool = False,
) -> Document: ...
def set_threads(n: int | None, /) -> int | None: ...

class ReaderState(TypedDict):
    raw: bool  # reads object memory now
    reason: str  # "ok", or why not (a layout mismatch, a reader it relies on, switched off)

# Keys: str, int, float, list, tuple, dict, datetime, date, time, timedelta,
# timezone, slots, uuid (the raw readers) and bytes_builder.
def layout_report() -> dict[str, ReaderState]: ...
def raw_path_enabled() -> bool: ...
def _set_raw_path(enabled: bool, /) -> bool: ...

_Path = str | bytes | os.PathLike[str] | os.PathLike[bytes]


class ArrowStreamExportable(Protocol):
    """A table: pyarrow Table/RecordBatch/RecordBatchReader, pandas or polars DataFrame, DuckDB result.

    dumps() writes it as a JSON array of row objects; dumps_indexed() gives one item per row.
    """

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

class _BinaryWriter(Protocol):
    def write(self, data: bytes, /) -> object: ...

@final
class Document:
    """An immutable JSON array with an index of where each item starts.

    Made by ``dumps_indexed``, ``from_bytes`` or ``open``; not constructible.
    ``bytes(doc)`` and ``memoryview(doc)`` give the whole array, zero-copy.
    """

    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: SupportsIndex, /) -> bytes: ...
    @overload
    def __getitem__(self, index: slice, /) -> bytes: ...
    def __buffer__(self, flags: int, /) -> memoryview: ...
    @property
    def nbytes(self) -> int: ...
    @property
    def offsets(self) -> memoryview: ...
    def page(self, offset: SupportsIndex = 0, limit: SupportsIndex | None = None) -> bytes: ...
    def take(self, indices: Iterable[SupportsIndex]) -> bytes: ...
    def envelope(
        self,
        offset: SupportsIndex = 0,
        limit: SupportsIndex | None = None,
        *,
        items_key: str = "items",
        total_key: str = "total",
        extra: dict[Any, Any] | None = None,
    ) -> bytes: ...
    def to_bytes(self, *, checksum: bool = True) -> bytes: ...
    @classmethod
    def from_bytes(cls, buffer: Buffer, *, verify: bool = False) -> Document:
        """Open container bytes: ``bytes``, a memoryview of bytes and a read-only
        ``mmap`` are read in place; writable buffers (``bytearray``, ``array``,
        a writable ``mmap``) are copied first. Buffers of anything but single
        bytes, or not contiguous, raise ``TypeError``."""
    @classmethod
    def open(cls, path: _Path | int, *, verify: bool = False, mmap: bool = False) -> Document:
        """Read a container file (a path, or a descriptor read from its start)
        into memory. ``mmap=True`` maps the file instead: if it is truncated
        while the document lives, a read of a lost page kills the process with
        SIGBUS; map only files nothing else shortens."""
    def write(self, target: _Path | _BinaryWriter, *, checksum: bool = True) -> None: ...
    def verify(self) -> None: ...

@final
class _DocumentIndex:
    """The buffer behind ``Document.offsets`` (bytes of N+1 little-endian u64)."""

    def __buffer__(self, flags: int, /) -> memoryview: ...

@final
class RangeRead:
    """Byte-range reading of one page of a container (see spec/FORMAT.md)."""

    def __init__(self, header: Buffer, offset: SupportsIndex, limit: SupportsIndex | None = None) -> None: ...
    @property
    def count(self) -> int: ...
    @property
    def blob_len(self) -> int: ...
    @property
    def body_checksum(self) -> int | None: ...
    @property
    def container_len(self) -> int: ...
    @property
    def items(self) -> tuple[int, int]: ...
    @property
    def index_range(self) -> tuple[int, int]: ...
    def check_length(self, length: int, /) -> None: ...
    def blob_range(self, index: Buffer, /) -> tuple[int, int]: ...
    def page(self, fetched: Buffer, /) -> bytes: ...
    def envelope(
        self,
        fetched: Buffer,
        /,
        *,
        items_key: str = "items",
        total_key: str = "total",
        extra: dict[Any, Any] | None = None,
    ) -> bytes: ...

def index_range(first: SupportsIndex, last: SupportsIndex, /) -> tuple[int, int]: ...
def sj64(data: Buffer, /) -> int: ...
def served_page(
    meta: bytes, blob: bytes, offset: int, limit: int | None = None
) -> tuple[bytes, int, int, int, int | None, list[tuple[bytes, bytes]], bytes | None]: ...
