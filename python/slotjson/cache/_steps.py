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
import uuid
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from .._errors import FormatError
from .._native import Document, RangeRead, index_range

__all__ = [
    "Commands",
    "ConcurrentReplaceError",
    "Fetched",
    "ScriptCall",
    "Steps",
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

#: Containers up to this size are written with a single SET; larger ones in
#: chunks to a temporary key that is then renamed over the target.
DEFAULT_CHUNK_SIZE = 64 << 20
#: A temporary key outlives its last write by this much, so a writer that
#: dies mid-upload leaves nothing behind for long.
TEMP_TTL_MS = 10 * 60 * 1000
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


class ConcurrentReplaceError(RuntimeError):
    """A page read without a server-side script kept finding the document
    replaced between its round trips (see ``scripting=False``)."""


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """Run the page script (one round trip, atomic on the server)."""

    keys: tuple[Key, ...]
    args: tuple[int, ...]


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


def _temp_key(key: Key) -> bytes:
    """A fresh key next to ``key`` for writing a large container in chunks.

    On Redis Cluster the final RENAME needs both keys in one hash slot. The
    slot of a key with a hash tag (a non-empty ``{...}``) is that of the tag,
    which an appended suffix keeps; otherwise it is the slot of the whole key,
    which wrapping the key in braces turns into the tag. A key with a ``}``
    but no valid tag cannot be wrapped; it only gets the suffix, and a
    cluster rejects the rename (CROSSSLOT) rather than storing anything wrong.
    """
    raw = key.encode() if isinstance(key, str) else bytes(key)
    suffix = b":slotjson-tmp:" + uuid.uuid4().hex.encode()
    opening = raw.find(b"{")
    has_tag = opening != -1 and raw.find(b"}", opening + 1) > opening + 1
    if has_tag or b"}" in raw or not raw:
        return raw + suffix
    return b"{" + raw + b"}" + suffix


def put_steps(key: Key, data: bytes | memoryview, ttl_ms: int | None, chunk_size: int) -> Steps[None]:
    """Store ``data`` under ``key`` so that readers see the old value or the
    new one, never a mix: one SET when it fits in a chunk, otherwise chunks
    appended to a temporary key that is renamed over ``key`` (RENAME
    replaces the value in one step, TTL included)."""
    expiry: tuple[Any, ...] = ("PX", ttl_ms) if ttl_ms is not None else ()
    if len(data) <= chunk_size:
        replies = yield Commands((("SET", key, data, *expiry),), transaction=False)
        _raise_errors(replies)
        return None
    temp = _temp_key(key)
    replies = yield Commands((("SET", temp, data[:chunk_size], "PX", TEMP_TTL_MS),), transaction=False)
    _raise_errors(replies)
    for at in range(chunk_size, len(data), chunk_size):
        chunk = data[at : at + chunk_size]
        replies = yield Commands(
            (("APPEND", temp, chunk), ("PEXPIRE", temp, TEMP_TTL_MS)),
            transaction=True,
        )
        _raise_errors(replies)
        if replies[0] != at + len(chunk):
            # The temporary key expired or was touched: never rename it.
            yield Commands((("UNLINK", temp),), transaction=False)
            raise RuntimeError(
                f"the temporary key {temp!r} changed while {key!r} was being written "
                f"({replies[0]} bytes where {at + len(chunk)} were expected)"
            )
    keep = ("PEXPIRE", temp, ttl_ms) if ttl_ms is not None else ("PERSIST", temp)
    replies = yield Commands((keep, ("RENAME", temp, key)), transaction=True)
    _raise_errors(replies)
    return None


def delete_steps(key: Key) -> Steps[bool]:
    """Remove ``key``; True when it existed. UNLINK frees a large value off
    the server's main thread."""
    replies = yield Commands((("UNLINK", key),), transaction=False)
    _raise_errors(replies)
    return bool(replies[0])


# ---------------------------------------------------------------- reads


def get_steps(key: Key, verify: bool) -> Steps[Document | None]:
    """The whole document, or None when the key does not exist."""
    return _about(key, _get(key, verify))


def _get(key: Key, verify: bool) -> Steps[Document | None]:
    replies = yield Commands((("TYPE", key), ("GET", key)), transaction=True)
    if not _string_or_none(replies[0]):
        return None
    _raise_errors(replies)
    return Document.from_bytes(replies[1], verify=verify)


def _checked_script_reply(reply: Any, offset: int, limit: int | None) -> Fetched | None:
    if reply is None:
        return None
    if reply[0] == 0:
        raise _not_a_string(_text(reply[1]))
    _, header, length, index, blob_at, blob = reply
    read = RangeRead(header, offset, limit)
    read.check_length(length)
    start, end = read.index_range
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
    key: Key, offset: int, limit: int | None, scripting: bool, finish: Callable[[Fetched], T]
) -> Steps[T | None]:
    """Fetch the bytes of one page (the header, the page's index entries and
    the blob slice, nothing else) and return ``finish`` of them, which
    assembles and checks the page. With ``scripting`` in one round trip;
    otherwise in two or three, retried when the document is replaced in
    between."""
    return _about(key, _finished(_page(key, offset, limit, scripting), finish))


def _finished(steps: Steps[Fetched | None], finish: Callable[[Fetched], T]) -> Steps[T | None]:
    fetched = yield from steps
    return None if fetched is None else finish(fetched)


def _page(key: Key, offset: int, limit: int | None, scripting: bool) -> Steps[Fetched | None]:
    if scripting:
        reply = yield ScriptCall((key,), (offset, -1 if limit is None else limit))
        return _checked_script_reply(reply, offset, limit)
    for _ in range(MAX_ATTEMPTS):
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
