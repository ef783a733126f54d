"""The Redis conversations of the document stores, written once for the
blocking and the asyncio clients.

Each operation is a generator: it yields a batch (one round trip: a script
call, or commands sent together, optionally as a MULTI/EXEC transaction),
receives the replies and finally returns its result. ``redis_sync`` and
``redis_async`` only run the batches, so both stores say exactly the same
things to the server.
"""

from __future__ import annotations

import math
import os
import struct
import zlib
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from .._errors import FormatError
from .._native import Document, RangeRead, index_range
from ._script import POINTER_MAGIC

__all__ = [
    "Commands",
    "ConcurrentReplaceError",
    "Fetched",
    "ScriptCall",
    "Steps",
    "Pointer",
    "check_bounds",
    "delete_steps",
    "get_steps",
    "page_steps",
    "prepare_container",
    "put_steps",
    "ttl_milliseconds",
]

T = TypeVar("T")
Key = str | bytes

#: Containers up to this size (and the segment size) are written with a
#: single SET; larger ones are stored segmented (spec/FORMAT.md, section 10),
#: each segment written in SET/APPEND commands of at most this many bytes.
DEFAULT_CHUNK_SIZE = 64 << 20
#: The segment size when the server does not say its ``proto-max-bulk-len``
#: (Redis's default, and the most a Redis string can hold).
DEFAULT_SEGMENT_LIMIT = 512 << 20
#: Segments being written expire this long after their last write until the
#: pointer naming them is stored, so a writer that dies mid-upload leaves
#: nothing behind for long.
TEMP_TTL_MS = 10 * 60 * 1000
#: The segments of a replaced or deleted document stay readable this long,
#: for reads that fetched its pointer record just before (default).
DEFAULT_GRACE_MS = 30 * 1000
#: Without a script, page reads fetch the index entries of a page of at most
#: this many items together with the header, before the item count is known.
#: Past the end of the index the server returns blob bytes instead, so the
#: bound keeps that over-read small; larger pages take one more round trip.
SPECULATIVE_ENTRIES = 1024
#: Without a script, a read that finds the value replaced between its round
#: trips starts over, at most this many times.
MAX_ATTEMPTS = 8
#: GETRANGE positions are signed 64-bit on the server.
_MAX_POSITION = (1 << 63) - 1


#: Cache-aside builds: the lock key's expiry (a builder that dies frees it)
#: and how long the processes that did not get it wait for the document.
DEFAULT_BUILD_LOCK_S = 60.0
DEFAULT_BUILD_WAIT_S = 5.0
#: Releases the build lock only if it still holds this builder's token.
RELEASE_SCRIPT = r"""
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def lock_key(key: Key) -> bytes:
    """The key of the cache-aside build lock of ``key``."""
    return _key_bytes(key) + b":sj-build-lock"


def build_wait_delays(wait: float) -> list[float]:
    """Pauses between reads while another process builds: short at first,
    then at most a quarter second, adding up to ``wait``."""
    delays, total, step = [], 0.0, 0.02
    while total < wait:
        step = min(step * 1.5, 0.25, wait - total)
        delays.append(step)
        total += step
    return delays


class ConcurrentReplaceError(RuntimeError):
    """A page read without a server-side script kept finding the document
    replaced between its round trips (see ``scripting=False``)."""


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """Run a server-side script (one round trip, atomic on the server):
    ``"page"`` (``PAGE_SCRIPT``) or ``"swap"`` (``SWAP_SCRIPT``)."""

    keys: tuple[Key, ...]
    args: tuple[Any, ...]
    script: str = "page"


@dataclass(frozen=True, slots=True)
class Commands:
    """Send these commands in one round trip. With ``transaction`` they run
    in MULTI/EXEC and so see one state of the data. Replies come back in
    order; a command's error comes back as its reply (an exception
    instance), not raised."""

    commands: tuple[tuple[Any, ...], ...]
    transaction: bool = True


Batch = ScriptCall | Commands
Steps = Generator[Batch, Any, T]


@dataclass(frozen=True, slots=True)
class Fetched:
    """The checked plan of a page read and the blob bytes fetched for it."""

    read: RangeRead
    blob: bytes


# ---------------------------------------------------------------- replies


def _text(reply: Any) -> str:
    return reply.decode() if isinstance(reply, bytes) else str(reply)


def _raise_errors(replies: list[Any]) -> None:
    for reply in replies:
        if isinstance(reply, BaseException):
            raise reply


def _not_a_string(redis_type: str) -> FormatError:
    return FormatError(f"the value is a Redis {redis_type}, not a slotjson document container")


def _about(key: Key, steps: Steps[T]) -> Steps[T]:
    """Run ``steps``, naming ``key`` in any FormatError they raise: a
    service reading many keys needs to know which one is damaged."""
    try:
        return (yield from steps)
    except FormatError as e:
        raise FormatError(f"Redis key {key!r}: {e}") from e


def _string_or_none(type_reply: Any) -> bool:
    """True when the key holds a string, False when it does not exist;
    raises FormatError for any other type."""
    redis_type = _text(type_reply)
    if redis_type == "none":
        return False
    if redis_type != "string":
        raise _not_a_string(redis_type)
    return True


# ---------------------------------------------------------------- writes


def ttl_milliseconds(ttl: float | timedelta | None) -> int | None:
    """A time to live in whole milliseconds (rounded up so a short TTL never
    becomes 0), or None for no expiry."""
    if ttl is None:
        return None
    if isinstance(ttl, timedelta):
        seconds = ttl.total_seconds()
    elif isinstance(ttl, (int, float)) and not isinstance(ttl, bool):
        seconds = float(ttl)
    else:
        raise TypeError(f"ttl must be seconds (int or float), a timedelta or None, not {type(ttl).__name__}")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"ttl must be a positive, finite duration, not {ttl!r}")
    return max(1, math.ceil(seconds * 1000))


def prepare_container(doc: Any) -> bytes | memoryview:
    """The container bytes to store for ``doc``: a Document, or the bytes of
    a container (checked, O(1)). A container without a body checksum is
    rewritten with one: the ETag of ``slotjson.web`` and the replacement
    check of script-less reads rely on it."""
    if isinstance(doc, Document):
        return doc.to_bytes()
    try:
        view = memoryview(doc)
    except TypeError:
        raise TypeError(f"expected a slotjson.Document or container bytes, not {type(doc).__name__}") from None
    if not view.c_contiguous:
        raise TypeError("container bytes must be C-contiguous")
    view = view.cast("B")
    opened = Document.from_bytes(view)  # raises FormatError for anything else
    if RangeRead(view[:64], 0, 0).body_checksum is None:
        return opened.to_bytes()
    return view


# ---------------------------------------------------------------- pointers

#: Bytes 0..128 of a pointer record: magic, version, flags, CRC-32 of bytes
#: 16..end, container length, segment size, segment count, version id,
#: reserved; then the container's 64-byte header, then the key prefix.
_POINTER_FIXED = struct.Struct("<8sHHIQQQ16s8s64s")
POINTER_VERSION = 1


@dataclass(frozen=True, slots=True)
class Pointer:
    """A checked pointer record: where the segments of a document are."""

    length: int
    segment_size: int
    count: int
    version: bytes
    header: bytes
    prefix: bytes

    def segment_key(self, i: int) -> bytes:
        return self.prefix + str(i).encode()

    def segment_keys(self) -> list[bytes]:
        return [self.segment_key(i) for i in range(self.count)]

    def encode(self) -> bytes:
        fixed = _POINTER_FIXED.pack(
            POINTER_MAGIC,
            POINTER_VERSION,
            0,
            0,
            self.length,
            self.segment_size,
            self.count,
            self.version,
            bytes(8),
            self.header,
        )
        body = fixed[16:] + self.prefix
        return fixed[:12] + struct.pack("<I", zlib.crc32(body)) + body

    @classmethod
    def parse(cls, record: bytes) -> Pointer:
        """Check a pointer record (spec/FORMAT.md, section 10)."""
        record = bytes(record)
        if len(record) < _POINTER_FIXED.size or not record.startswith(POINTER_MAGIC):
            raise FormatError(f"not a slotjson pointer record ({len(record)} bytes)")
        _, version, flags, crc, length, size, count, vid, reserved, header = _POINTER_FIXED.unpack_from(record)
        if version != POINTER_VERSION:
            raise FormatError(f"unsupported pointer record version {version}")
        if zlib.crc32(record[16:]) != crc:
            raise FormatError("pointer record checksum mismatch")
        if flags or any(reserved):
            raise FormatError("pointer record: unsupported flags or reserved bytes not zero")
        if size < 1 or count != -(-length // size) or count < 1 or len(record) == _POINTER_FIXED.size:
            raise FormatError(f"pointer record: {count} segments of {size} bytes cannot hold {length} bytes")
        return cls(length, size, count, vid, header, record[_POINTER_FIXED.size :])


def _key_bytes(key: Key) -> bytes:
    return key.encode() if isinstance(key, str) else bytes(key)


def new_pointer(key: Key, data: bytes | memoryview, segment_size: int) -> Pointer:
    """The pointer of a new version of ``key`` split in ``segment_size``
    segments. Segment keys are ``key`` + ``:sj-seg:`` + a random version id +
    ``:`` + the segment number: never reused, so a segment's bytes never
    change, and (without a hash tag in ``key``) spread over a cluster's
    slots."""
    version = os.urandom(16)
    prefix = _key_bytes(key) + b":sj-seg:" + version.hex().encode() + b":"
    count = -(-len(data) // segment_size)
    return Pointer(len(data), segment_size, count, version, bytes(data[:64]), prefix)


def _old_pointer(reply: Any) -> Pointer | None:
    """The pointer record a swap replaced, if it was a valid one."""
    if not isinstance(reply, bytes) or not reply.startswith(POINTER_MAGIC):
        return None
    try:
        return Pointer.parse(reply)
    except FormatError:
        return None


def _swap(key: Key, value: bytes | memoryview, ttl_ms: int | None, scripting: bool) -> Steps[Pointer | None]:
    """Set ``key`` to ``value`` (replacing any type) and return the pointer
    record it held, all in one atomic step."""
    if scripting:
        reply = yield ScriptCall((key,), (value, ttl_ms or 0), script="swap")
        if isinstance(reply, BaseException):
            raise reply
        return _old_pointer(reply)
    expiry: tuple[Any, ...] = ("PX", ttl_ms) if ttl_ms is not None else ()
    replies = yield Commands((("GETRANGE", key, 0, _pointer_span(key)), ("SET", key, value, *expiry)), transaction=True)
    _raise_errors(replies[1:])
    return _old_pointer(replies[0])


def _expire_segments(pointer: Pointer, ms: int) -> Commands:
    return Commands(tuple(("PEXPIRE", k, ms) for k in pointer.segment_keys()), transaction=False)


def _write_segment(segment_key: bytes, data: bytes | memoryview, chunk_size: int) -> Steps[None]:
    """Write one segment in chunks; it expires TEMP_TTL_MS after each write."""
    replies = yield Commands((("SET", segment_key, data[:chunk_size], "PX", TEMP_TTL_MS),), transaction=False)
    _raise_errors(replies)
    for at in range(chunk_size, len(data), chunk_size):
        chunk = data[at : at + chunk_size]
        replies = yield Commands(
            (("APPEND", segment_key, chunk), ("PEXPIRE", segment_key, TEMP_TTL_MS)),
            transaction=True,
        )
        _raise_errors(replies)
        if replies[0] != at + len(chunk):
            # Expired or touched by someone else: never point at it.
            raise RuntimeError(
                f"the segment {segment_key!r} changed while it was being written "
                f"({replies[0]} bytes where {at + len(chunk)} were expected)"
            )


def put_steps(
    key: Key,
    data: bytes | memoryview,
    ttl_ms: int | None,
    chunk_size: int,
    segment_size: int,
    grace_ms: int,
    scripting: bool,
) -> Steps[None]:
    """Store ``data`` under ``key`` so that readers see the old document or
    the new one, never a mix.

    A container of at most ``chunk_size`` and ``segment_size`` bytes is one
    SET. A larger one is written as segments of ``segment_size`` bytes (each
    in chunks, each expiring TEMP_TTL_MS after its last write), then the
    pointer record naming them is swapped in with one atomic step: that is
    the commit. Only then do the new segments lose their temporary expiry
    (or take the document's ``ttl_ms`` plus the grace), and the segments of
    the document replaced get ``grace_ms`` to live. A put that fails before
    the commit removes the segments it wrote.
    """
    chunk_size = min(chunk_size, segment_size)
    if len(data) <= chunk_size:
        old = yield from _swap(key, data, ttl_ms, scripting)
        if old is not None:
            yield _expire_segments(old, grace_ms)
        return None
    pointer = new_pointer(key, data, segment_size)
    record = pointer.encode()
    written: list[bytes] = []
    try:
        for i in range(pointer.count):
            written.append(pointer.segment_key(i))
            yield from _write_segment(written[-1], data[i * segment_size : (i + 1) * segment_size], chunk_size)
        old = yield from _swap(key, record, ttl_ms, scripting)
    except Exception:
        # (Interrupted or cancelled, the segments just expire.)
        try:
            yield Commands(tuple(("UNLINK", k) for k in written), transaction=False)
        except Exception:
            pass  # unreachable: the segments expire on their own
        raise
    if ttl_ms is None:
        keep: tuple[tuple[Any, ...], ...] = tuple(("PERSIST", k) for k in written)
    else:
        keep = tuple(("PEXPIRE", k, ttl_ms + grace_ms) for k in written)
    replies = yield Commands(keep, transaction=False)
    _raise_errors(replies)
    if old is not None:
        yield _expire_segments(old, grace_ms)
    # A put that swapped its own pointer in between ours and our PERSIST
    # expired our segments before we kept them: check the pointer is still
    # ours, or give the segments back their expiry.
    replies = yield Commands((("GETRANGE", key, 0, len(record) - 1),), transaction=False)
    if replies[0] != record:
        yield _expire_segments(pointer, grace_ms)
    return None


def _pointer_span(key: Key) -> int:
    """How many bytes of a value to read to get any pointer record written
    for ``key`` (128 bytes, the key and about 50 more), and no more of a
    large container."""
    return _POINTER_FIXED.size + len(_key_bytes(key)) + 1024


def delete_steps(key: Key, grace_ms: int) -> Steps[bool]:
    """Remove ``key``; True when it existed. UNLINK frees a large value off
    the server's main thread; a segmented document's segments expire after
    the grace period (reads that already hold its pointer finish)."""
    replies = yield Commands((("GETRANGE", key, 0, _pointer_span(key)), ("UNLINK", key)), transaction=True)
    _raise_errors(replies[1:])
    old = _old_pointer(replies[0])
    if old is not None:
        yield _expire_segments(old, grace_ms)
    return bool(replies[1])


# ---------------------------------------------------------------- reads


def get_steps(key: Key, verify: bool) -> Steps[Document | None]:
    """The whole document, or None when the key does not exist."""
    return _about(key, _get(key, verify))


def _get(key: Key, verify: bool) -> Steps[Document | None]:
    for _ in range(MAX_ATTEMPTS):
        replies = yield Commands((("TYPE", key), ("GET", key)), transaction=True)
        if not _string_or_none(replies[0]):
            return None
        _raise_errors(replies)
        value = replies[1]
        if not value.startswith(POINTER_MAGIC):
            return Document.from_bytes(value, verify=verify)
        pointer = Pointer.parse(value)
        keys = pointer.segment_keys()
        parts = yield Commands(tuple(("GET", k) for k in keys), transaction=False)
        _raise_errors(parts)
        last = pointer.length - pointer.segment_size * (pointer.count - 1)
        sizes = [pointer.segment_size] * (pointer.count - 1) + [last]
        if all(isinstance(p, bytes) and len(p) == n for p, n in zip(parts, sizes)):
            return Document.from_bytes(b"".join(parts), verify=verify)
        # A segment is gone: the document was replaced or deleted since.
    raise ConcurrentReplaceError(f"Redis key {key!r} was replaced during each of {MAX_ATTEMPTS} attempts to read it")


def _pointer_range(pointer: Pointer, start: int, end: int) -> Steps[bytes | None]:
    """Container bytes ``start..end`` of a segmented document, read from the
    segments they lie in (one pipelined round trip, one GETRANGE each, on
    whichever nodes hold them); None when a segment is gone."""
    size = pointer.segment_size
    commands = []
    for i in range(start // size, (end - 1) // size + 1):
        at = i * size
        commands.append(("GETRANGE", pointer.segment_key(i), max(start, at) - at, min(end, at + size) - at - 1))
    replies = yield Commands(tuple(commands), transaction=False)
    _raise_errors(replies)
    data = b"".join(replies)
    return data if len(data) == end - start else None


def _segmented(pointer: Pointer, offset: int, limit: int | None) -> Steps[Fetched | bool]:
    """A page of a segmented document from its pointer: the index entries,
    then the blob slice. False when a segment is gone (the document was
    replaced: start over from the pointer)."""
    read = RangeRead(pointer.header, offset, limit)
    read.check_length(pointer.length)
    start, end = read.index_range
    if start == end:
        return Fetched(read, b"")
    index = yield from _pointer_range(pointer, start, end)
    if index is None:
        return False
    first, last = read.blob_range(index)
    if first == last:
        return Fetched(read, b"")
    blob = yield from _pointer_range(pointer, first, last)
    return False if blob is None else Fetched(read, blob)


def check_pointer_reply(meta: bytes) -> None:
    """For the first string of a packed script reply (``PAGE_SCRIPT`` with
    ``ARGV[4] = 1``) read through a pointer record: check the record, and
    that the header and length the script used are the record's. Nothing to
    do (and no cost beyond finding the first line) for a plain container."""
    reply = meta
    line = reply[: reply.find(b"\n", 0, 100)]
    if line.endswith(b" 0"):
        return
    fields = line.split()
    if len(fields) != 5 or not all(f.isdigit() for f in fields):
        raise FormatError("malformed page script reply")
    size = int(fields[4])
    pointer = Pointer.parse(reply[len(reply) - size :])
    header = reply[len(line) + 1 : len(line) + 1 + int(fields[2])]
    if int(fields[0]) != pointer.length or header != pointer.header:
        raise FormatError("the server read a header that is not the pointer record's")


def checked_script_reply(reply: Any, offset: int, limit: int | None) -> Fetched | None:
    """The page of a script reply of shape ``false``, 0 or 1 (see
    ``PAGE_SCRIPT``)."""
    if reply is None:
        return None
    if reply[0] == 0:
        raise _not_a_string(_text(reply[1]))
    _, header, length, index, blob_at, blob, *record = reply
    through_pointer = bool(record) and record[0] is not None
    if through_pointer:
        pointer = Pointer.parse(record[0])
        if (header, length) != (pointer.header, pointer.length):
            raise FormatError("the server read a header that is not the pointer record's")
    read = RangeRead(header, offset, limit)
    read.check_length(length)
    start, end = read.index_range
    if len(index) != end - start and through_pointer and len(index) < end - start:
        raise FormatError("a segment the pointer record names is missing")
    if len(index) != end - start:
        raise FormatError(f"the server read {len(index)} index bytes where the header calls for {end - start}")
    first, last = read.blob_range(index)
    if first != last and (blob_at, blob_at + len(blob)) != (first, last):
        raise FormatError(
            f"the server read blob bytes {blob_at}..{blob_at + len(blob)} where the index calls for {first}..{last}"
        )
    return Fetched(read, blob)


def _getrange(key: Key, start: int, end: int) -> tuple[Any, ...]:
    """GETRANGE for the half-open range ``start..end`` (its end is inclusive)."""
    return ("GETRANGE", key, min(start, _MAX_POSITION), min(end - 1, _MAX_POSITION))


def _ranges_attempt(key: Key, offset: int, limit: int | None) -> Steps[Fetched | None | bool]:
    """One try of the script-less read; returns False when the value was
    replaced between round trips. Each round trip re-reads the 64-byte header
    in the same transaction as its ranges: stored containers carry a body
    checksum in the header, so a replaced value shows as a changed header."""
    speculative = limit is not None and limit < SPECULATIVE_ENTRIES
    commands: list[tuple[Any, ...]] = [("TYPE", key), ("GETRANGE", key, 0, 63), ("STRLEN", key)]
    if speculative:
        assert limit is not None
        commands.append(_getrange(key, *index_range(offset, offset + limit)))
    replies = yield Commands(tuple(commands), transaction=True)
    if not _string_or_none(replies[0]):
        return None
    _raise_errors(replies)
    header, length = replies[1], replies[2]
    if header.startswith(POINTER_MAGIC):
        replies = yield Commands((("GET", key),), transaction=False)
        _raise_errors(replies)
        if replies[0] is None:
            return None
        if not replies[0].startswith(POINTER_MAGIC):
            return False
        return (yield from _segmented(Pointer.parse(replies[0]), offset, limit))
    read = RangeRead(header, offset, limit)
    read.check_length(length)
    start, end = read.index_range
    if start == end:
        return Fetched(read, b"")
    if speculative:
        index = replies[3]
    else:
        replies = yield Commands((("GETRANGE", key, 0, 63), _getrange(key, start, end)), transaction=True)
        _raise_errors(replies)
        if replies[0] != header:
            return False
        index = replies[1]
    first, last = read.blob_range(index)
    replies = yield Commands((("GETRANGE", key, 0, 63), _getrange(key, first, last)), transaction=True)
    _raise_errors(replies)
    if replies[0] != header:
        return False
    return Fetched(read, replies[1])


def page_steps(
    key: Key,
    offset: int,
    limit: int | None,
    scripting: bool,
    finish: Callable[[Fetched], T],
    follow: bool = True,
) -> Steps[T | None]:
    """Fetch the bytes of one page (the header, the page's index entries and
    the blob slice, nothing else) and return ``finish`` of them, which
    assembles and checks the page. With ``scripting`` in one round trip
    (``follow``: the script reads a segmented document's segments too; a
    cluster client reads them itself, two more round trips); otherwise in two
    or three, retried when the document is replaced in between."""
    return _about(key, _finished(_page(key, offset, limit, scripting, follow), finish))


def _finished(steps: Steps[Fetched | None], finish: Callable[[Fetched], T]) -> Steps[T | None]:
    fetched = yield from steps
    return None if fetched is None else finish(fetched)


def _page(key: Key, offset: int, limit: int | None, scripting: bool, follow: bool) -> Steps[Fetched | None]:
    args = (offset, -1 if limit is None else limit, 1 if follow else 0)
    seen = None
    for _ in range(MAX_ATTEMPTS):
        if scripting:
            reply = yield ScriptCall((key,), args)
            if reply is None or reply[0] != 2:
                return checked_script_reply(reply, offset, limit)
            pointer = Pointer.parse(reply[1])
            result = yield from _segmented(pointer, offset, limit)
            if result is False and pointer == seen:
                # The same pointer twice, a segment missing both times: not
                # a replacement but a damaged (or partly evicted) document.
                raise FormatError("a segment the pointer record names is missing")
            seen = pointer
        else:
            result = yield from _ranges_attempt(key, offset, limit)
        if result is not False:
            assert not isinstance(result, bool)
            return result
    raise ConcurrentReplaceError(
        f"Redis key {key!r} was replaced during each of {MAX_ATTEMPTS} attempts to read a page"
    )


def check_bounds(offset: int, limit: int | None) -> None:
    """Page bounds as ``Document.page`` takes them: non-negative ints."""
    for name, value in (("offset", offset), ("limit", limit)):
        if value is None and name == "limit":
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if value < 0:
            raise ValueError(f"{name} must be >= 0, not {value}")
