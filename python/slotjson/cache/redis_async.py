"""``AsyncRedisDocumentStore``: documents in Redis through ``redis.asyncio``."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from .._native import Document
from ._client import check_chunk_size, check_client
from ._page import PageRead, page_read
from ._script import PAGE_SCRIPT
from ._steps import (
    DEFAULT_CHUNK_SIZE,
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


class AsyncRedisDocumentStore:
    """``RedisDocumentStore`` for a ``redis.asyncio.Redis`` client: the same
    methods, as coroutines, sending the same commands."""

    def __init__(self, client: Any, *, scripting: bool = True, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        check_client(client, asyncio=True)
        self._client = client
        self._chunk_size = check_chunk_size(chunk_size)
        self._script = client.register_script(PAGE_SCRIPT) if scripting else None

    @property
    def client(self) -> Any:
        """The redis-py client in use."""
        return self._client

    async def _execute(self, batch: ScriptCall | Commands) -> Any:
        if isinstance(batch, ScriptCall):
            assert self._script is not None
            return await self._script(keys=list(batch.keys), args=list(batch.args))
        async with self._client.pipeline(transaction=batch.transaction) as pipe:
            for command in batch.commands:
                pipe.execute_command(*command)
            return await pipe.execute(raise_on_error=False)

    async def _run(self, steps: Steps[T]) -> T:
        try:
            batch = next(steps)
            while True:
                batch = steps.send(await self._execute(batch))
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    async def put(self, key: Key, doc: Document | bytes | memoryview, ttl: float | timedelta | None = None) -> None:
        """Store ``doc`` (a Document, or container bytes) under ``key``,
        replacing any value atomically; see ``RedisDocumentStore.put``."""
        data = prepare_container(doc)
        await self._run(put_steps(key, data, ttl_milliseconds(ttl), self._chunk_size))

    async def get(self, key: Key, *, verify: bool = False) -> Document | None:
        """The whole document, or None; see ``RedisDocumentStore.get``."""
        return await self._run(get_steps(key, verify))

    async def read_page(self, key: Key, offset: int = 0, limit: int | None = None) -> PageRead | None:
        """A page with its metadata; see ``RedisDocumentStore.read_page``."""
        check_bounds(offset, limit)
        finish = functools.partial(page_read, offset=offset, limit=limit)
        return await self._run(page_steps(key, offset, limit, self._script is not None, finish))

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

        return await self._run(page_steps(key, offset, limit, self._script is not None, finish))

    async def delete(self, key: Key) -> bool:
        """Remove the document; True when the key existed."""
        return await self._run(delete_steps(key))

    def __repr__(self) -> str:
        mode = "script" if self._script is not None else "ranges"
        return f"<slotjson.cache.AsyncRedisDocumentStore {mode} client={self._client!r}>"
