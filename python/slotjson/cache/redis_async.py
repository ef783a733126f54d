"""``AsyncRedisDocumentStore``: documents in Redis through ``redis.asyncio``."""

from __future__ import annotations

import asyncio
import functools
import inspect
import math
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from .._errors import FormatError
from .._native import Document, served_page
from ._client import (
    StoreUnavailableError,
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
    DEFAULT_BUILD_LOCK_S,
    DEFAULT_BUILD_WAIT_S,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_GRACE_MS,
    DEFAULT_SEGMENT_LIMIT,
    RELEASE_SCRIPT,
    Commands,
    Fetched,
    Key,
    ScriptCall,
    Steps,
    T,
    build_wait_delays,
    check_bounds,
    check_pointer_reply,
    delete_steps,
    get_steps,
    lock_key,
    page_steps,
    prepare_container,
    put_steps,
    ttl_milliseconds,
)

#: Bounds the native fast path takes (u64 on the native side); larger ones
#: are clamped by the general path.
_FAST_BOUND = (1 << 63) - 1


def _one(command: tuple[Any, ...]) -> Steps[Any]:
    replies = yield Commands((command,), transaction=False)
    if isinstance(replies[0], BaseException):
        raise replies[0]
    return replies[0]


def _script_steps(call: ScriptCall) -> Steps[Any]:
    return (yield call)


class AsyncRedisDocumentStore:
    """``RedisDocumentStore`` for a ``redis.asyncio.Redis`` client: the same
    methods, as coroutines, sending the same commands."""

    def __init__(
        self,
        client: Any,
        *,
        scripting: bool = True,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        segment_size: int | None = None,
        grace: float | timedelta = DEFAULT_GRACE_MS / 1000,
    ) -> None:
        check_client(client, asyncio=True)
        self._client = client
        self._chunk_size = check_chunk_size(chunk_size)
        self._segment_size = None if segment_size is None else check_chunk_size(segment_size, "segment_size")
        self._segment_limit: int | None = None
        self._grace_ms = check_grace(grace)
        self._follow = not is_cluster(client)
        self._unavailable = unavailable_errors()
        from redis.exceptions import NoScriptError

        self._no_script = NoScriptError
        self._script = client.register_script(PAGE_SCRIPT) if scripting else None
        self._swap = client.register_script(SWAP_SCRIPT) if scripting else None
        self._release = client.register_script(RELEASE_SCRIPT) if scripting else None

    @property
    def client(self) -> Any:
        """The redis-py client in use."""
        return self._client

    async def _execute(self, batch: ScriptCall | Commands) -> Any:
        if isinstance(batch, ScriptCall):
            script = {"page": self._script, "swap": self._swap, "release": self._release}[batch.script]
            assert script is not None
            return await script(keys=list(batch.keys), args=list(batch.args))
        async with self._client.pipeline(transaction=batch.transaction) as pipe:
            for command in batch.commands:
                pipe.execute_command(*command)
            return await pipe.execute(raise_on_error=False)

    async def _run(self, steps: Steps[T]) -> T:
        try:
            batch = next(steps)
            while True:
                try:
                    reply = await self._execute(batch)
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

    async def _segment_size_now(self) -> int:
        """The segment size: asked of the server once (its
        ``proto-max-bulk-len``, which bounds a string and a command's
        argument), 512 MiB where CONFIG is refused."""
        if self._segment_limit is None:
            try:
                limit = bulk_limit(await self._client.config_get("proto-max-bulk-len"))
            except self._unavailable as e:
                raise describe_unavailable(e) from e
            except Exception:
                limit = None  # CONFIG renamed or not permitted
            self._segment_limit = limit or DEFAULT_SEGMENT_LIMIT
        return segment_size_for(self._segment_size, self._segment_limit)

    async def put(self, key: Key, doc: Document | bytes | memoryview, ttl: float | timedelta | None = None) -> None:
        """Store ``doc`` (a Document, or container bytes) under ``key``,
        replacing any value atomically; see ``RedisDocumentStore.put``."""
        data = prepare_container(doc)
        ttl_ms = ttl_milliseconds(ttl)
        segment_size = await self._segment_size_now()
        scripting = self._swap is not None
        await self._run(put_steps(key, data, ttl_ms, self._chunk_size, segment_size, self._grace_ms, scripting))

    async def get(self, key: Key, *, verify: bool = False) -> Document | None:
        """The whole document, or None; see ``RedisDocumentStore.get``."""
        return await self._run(get_steps(key, verify))

    async def read_page(self, key: Key, offset: int = 0, limit: int | None = None) -> PageRead | None:
        """A page with its metadata; see ``RedisDocumentStore.read_page``."""
        check_bounds(offset, limit)
        if self._script is not None and self._follow and offset <= _FAST_BOUND and (limit or 0) <= _FAST_BOUND:
            # The path of every request of a service, without the steps'
            # machinery: one EVALSHA whose reply comes packed in one string,
            # checked and cut (headers included) in one native call.
            # Anything unusual (the script not loaded yet, another Redis
            # type) takes the general path below.
            command = ("EVALSHA", self._script.sha, 1, key, offset, -1 if limit is None else limit, 1, 1)
            try:
                try:
                    reply = await self._client.execute_command(*command)
                except self._no_script:
                    # First use on this server (or after a restart).
                    await self._client.script_load(PAGE_SCRIPT)
                    reply = await self._client.execute_command(*command)
            except self._unavailable as e:
                raise describe_unavailable(e) from e
            if reply is None:
                return None
            if type(reply) is list and len(reply) == 2 and type(reply[0]) is bytes:
                meta, blob = reply
                try:
                    check_pointer_reply(meta)
                    body, start, stop, total, checksum, headers, _ = served_page(meta, blob, offset, limit)
                except FormatError as e:
                    raise FormatError(f"Redis key {key!r}: {e}") from e
                return PageRead(body, offset, limit, start, stop, total, checksum, headers)
        finish = functools.partial(page_read, offset=offset, limit=limit)
        return await self._run(page_steps(key, offset, limit, self._script is not None, finish, self._follow))

    async def page(self, key: Key, offset: int = 0, limit: int | None = None) -> bytes | None:
        """``Document.page(offset, limit)`` of the stored document."""
        read = await self.read_page(key, offset, limit)
        return None if read is None else read.body

    async def envelope(
        self,
        key: Key,
        offset: int = 0,
        limit: int | None = None,
        *,
        items_key: str = "items",
        total_key: str = "total",
        extra: dict[Any, Any] | None = None,
    ) -> bytes | None:
        """``Document.envelope(...)`` of the stored document."""
        check_bounds(offset, limit)

        def finish(fetched: Fetched) -> bytes:
            return fetched.read.envelope(fetched.blob, items_key=items_key, total_key=total_key, extra=extra)

        return await self._run(page_steps(key, offset, limit, self._script is not None, finish, self._follow))

    async def read_page_or_build(
        self,
        key: Key,
        offset: int = 0,
        limit: int | None = None,
        *,
        build: Callable[[], Any],
        ttl: float | timedelta | None = None,
        lock_timeout: float = DEFAULT_BUILD_LOCK_S,
        wait: float = DEFAULT_BUILD_WAIT_S,
    ) -> PageRead:
        r"""``read_page``, rebuilding the document when it is missing (or
        damaged): cache-aside, once across every process that shares Redis.

        The first reader to find the key missing takes a lock key in Redis
        (``SET NX`` with an expiry of ``lock_timeout`` seconds, so a builder
        that dies frees it), calls ``build()`` (a ``Document`` or container
        bytes; a coroutine function is awaited, a plain one run in a thread),
        ``put``\ s it with ``ttl`` and releases the lock. The others read
        again for up to ``wait`` seconds, then raise
        ``StoreUnavailableError`` (a 503 through ``slotjson.web``), as does
        an unreachable Redis.
        """
        check_bounds(offset, limit)
        read = await self._read_or_damaged(key, offset, limit)
        if read is not None:
            return read
        lock = lock_key(key)
        token = uuid.uuid4().hex.encode()
        lock_ms = ttl_milliseconds(lock_timeout)
        assert lock_ms is not None
        taken = await self._run(_one(("SET", lock, token, "NX", "PX", lock_ms)))
        if taken:
            try:
                if inspect.iscoroutinefunction(build):
                    doc = await build()
                else:
                    # A slow build must not stop this process serving
                    # (503s, other documents) meanwhile.
                    doc = await asyncio.to_thread(build)
                await self.put(key, doc, ttl)
            finally:
                await self._release_lock(lock, token)
            read = await self.read_page(key, offset, limit)
            if read is not None:
                return read
        else:
            for delay in build_wait_delays(wait):
                await asyncio.sleep(delay)
                read = await self._read_or_damaged(key, offset, limit)
                if read is not None:
                    return read
        raise StoreUnavailableError(
            f"Redis key {key!r} is missing and being rebuilt", retry_after=max(1, math.ceil(wait))
        )

    async def _read_or_damaged(self, key: Key, offset: int, limit: int | None) -> PageRead | None:
        try:
            return await self.read_page(key, offset, limit)
        except FormatError:
            return None  # rebuilt like a missing one

    async def _release_lock(self, lock: bytes, token: bytes) -> None:
        try:
            if self._release is not None:
                await self._run(_script_steps(ScriptCall((lock,), (token,), script="release")))
            elif await self._run(_one(("GET", lock))) == token:
                await self._run(_one(("DEL", lock)))
        except StoreUnavailableError:
            pass  # it expires

    async def delete(self, key: Key) -> bool:
        """Remove the document; True when the key existed."""
        return await self._run(delete_steps(key, self._grace_ms))

    def __repr__(self) -> str:
        mode = "script" if self._script is not None else "ranges"
        return f"<slotjson.cache.AsyncRedisDocumentStore {mode} client={self._client!r}>"
