"""``RedisDocumentStore``: documents in Redis through a blocking redis-py client."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from .._native import Document
from ._client import (
    bulk_limit,
    check_chunk_size,
    check_client,
    check_grace,
    describe_unavailable,
    is_cluster,
    segment_size_for,
    unavailable_errors,
)
from ._page import PageRead, page_read
from ._script import PAGE_SCRIPT, SWAP_SCRIPT
from ._steps import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_GRACE_MS,
    DEFAULT_SEGMENT_LIMIT,
    Commands,
    Fetched,
    Key,
    ScriptCall,
    Steps,
    T,
    check_bounds,
    delete_steps,
    get_steps,
    page_steps,
    prepare_container,
    put_steps,
    ttl_milliseconds,
)


class RedisDocumentStore:
    """Stores ``slotjson.Document`` containers in Redis and serves pages of
    them reading only the bytes each page needs.

    ``client`` is a ``redis.Redis`` that returns bytes (the default,
    ``decode_responses=False``). With ``scripting`` (the default) a page is one
    round trip running a short server-side Lua script that reads the header,
    the page's index entries and its blob slice atomically; pass
    ``scripting=False`` for servers that refuse ``EVALSHA``: pages then take
    two or three pipelined round trips and are retried if the document is
    replaced in between.

    Containers larger than ``chunk_size`` bytes, or than ``segment_size``
    (by default the server's ``proto-max-bulk-len``, asked before the first
    write), are stored as segments plus a pointer record under ``key``
    (spec/FORMAT.md, section 10); a page reads only the segments it touches.
    The segments of a replaced or deleted document expire after ``grace``
    seconds. With a cluster client (``redis.cluster.RedisCluster``) the
    segments spread over the nodes and pages of segmented documents take
    three round trips.

    A Redis that cannot be reached (or is loading, or a cluster that is
    down) raises ``StoreUnavailableError``, which ``slotjson.web`` answers
    with a JSON 503.

    Every read returns ``None`` for a missing key and raises
    ``slotjson.FormatError`` when the key holds anything but a valid
    container (another Redis type included).
    """

    def __init__(
        self,
        client: Any,
        *,
        scripting: bool = True,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        segment_size: int | None = None,
        grace: float | timedelta = DEFAULT_GRACE_MS / 1000,
    ) -> None:
        check_client(client, asyncio=False)
        self._client = client
        self._chunk_size = check_chunk_size(chunk_size)
        self._segment_size = None if segment_size is None else check_chunk_size(segment_size, "segment_size")
        self._segment_limit: int | None = None
        self._grace_ms = check_grace(grace)
        self._follow = not is_cluster(client)
        self._unavailable = unavailable_errors()
        self._script = client.register_script(PAGE_SCRIPT) if scripting else None
        self._swap = client.register_script(SWAP_SCRIPT) if scripting else None

    @property
    def client(self) -> Any:
        """The redis-py client in use."""
        return self._client

    def _execute(self, batch: ScriptCall | Commands) -> Any:
        if isinstance(batch, ScriptCall):
            script = self._script if batch.script == "page" else self._swap
            assert script is not None
            return script(keys=list(batch.keys), args=list(batch.args))
        with self._client.pipeline(transaction=batch.transaction) as pipe:
            for command in batch.commands:
                pipe.execute_command(*command)
            return pipe.execute(raise_on_error=False)

    def _run(self, steps: Steps[T]) -> T:
        try:
            batch = next(steps)
            while True:
                try:
                    reply = self._execute(batch)
                except self._unavailable as e:
                    # The steps may clean up (their own error is dropped).
                    try:
                        steps.throw(e)
                    except (StopIteration, Exception):
                        pass
                    raise describe_unavailable(e) from e
                except Exception as e:
                    batch = steps.throw(e)
                    continue
                batch = steps.send(reply)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    def _segment_size_now(self) -> int:
        """The segment size: asked of the server once (its
        ``proto-max-bulk-len``, which bounds a string and a command's
        argument), 512 MiB where CONFIG is refused."""
        if self._segment_limit is None:
            try:
                limit = bulk_limit(self._client.config_get("proto-max-bulk-len"))
            except self._unavailable as e:
                raise describe_unavailable(e) from e
            except Exception:
                limit = None  # CONFIG renamed or not permitted
            self._segment_limit = limit or DEFAULT_SEGMENT_LIMIT
        return segment_size_for(self._segment_size, self._segment_limit)

    def put(self, key: Key, doc: Document | bytes | memoryview, ttl: float | timedelta | None = None) -> None:
        """Store ``doc`` (a Document, or container bytes) under ``key``,
        replacing any value atomically. ``ttl``: seconds or a timedelta after
        which Redis drops it; None keeps it until replaced or deleted."""
        data = prepare_container(doc)
        ttl_ms = ttl_milliseconds(ttl)
        segment_size = self._segment_size_now()
        scripting = self._swap is not None
        self._run(put_steps(key, data, ttl_ms, self._chunk_size, segment_size, self._grace_ms, scripting))

    def get(self, key: Key, *, verify: bool = False) -> Document | None:
        """The whole document (one GET), opened in place; ``verify=True``
        also checks its checksum and whole index."""
        return self._run(get_steps(key, verify))

    def read_page(self, key: Key, offset: int = 0, limit: int | None = None) -> PageRead | None:
        """The page of ``limit`` items from ``offset`` (all the rest when
        None), clamped like a slice, with its item range, the total and the
        container checksum (for HTTP headers)."""
        check_bounds(offset, limit)
        finish = functools.partial(page_read, offset=offset, limit=limit)
        return self._run(page_steps(key, offset, limit, self._script is not None, finish, self._follow))

    def page(self, key: Key, offset: int = 0, limit: int | None = None) -> bytes | None:
        """``Document.page(offset, limit)`` of the stored document, read
        without loading the rest of it."""
        read = self.read_page(key, offset, limit)
        return None if read is None else read.body

    def envelope(
        self,
        key: Key,
        offset: int = 0,
        limit: int | None = None,
        *,
        items_key: str = "items",
        total_key: str = "total",
        extra: dict[Any, Any] | None = None,
    ) -> bytes | None:
        """``Document.envelope(...)`` of the stored document, read like
        ``page``: ``{"items":[...],"total":N, ...extra}``."""
        check_bounds(offset, limit)

        def finish(fetched: Fetched) -> bytes:
            return fetched.read.envelope(fetched.blob, items_key=items_key, total_key=total_key, extra=extra)

        return self._run(page_steps(key, offset, limit, self._script is not None, finish, self._follow))

    def delete(self, key: Key) -> bool:
        """Remove the document; True when the key existed."""
        return self._run(delete_steps(key, self._grace_ms))

    def __repr__(self) -> str:
        mode = "script" if self._script is not None else "ranges"
        return f"<slotjson.cache.RedisDocumentStore {mode} client={self._client!r}>"
