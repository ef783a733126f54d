"""slotjson.cache.AsyncRedisDocumentStore against a real redis-server: the
same reads and errors as the blocking store."""

from __future__ import annotations

import asyncio

import pytest
import slotjson
from slotjson.cache import AsyncRedisDocumentStore, PageRead

DOC = slotjson.dumps_indexed([{"n": i, "name": f"item {i}"} for i in range(500)])


def run(redis_server, scripting, body, **options):  # noqa: F811
    """Run ``body(store, client)`` on a fresh asyncio client and loop."""
    import redis.asyncio

    async def main():
        client = redis.asyncio.Redis(host="127.0.0.1", port=redis_server.port)
        try:
            await client.flushall()
            return await body(AsyncRedisDocumentStore(client, scripting=scripting, **options), client)
        finally:
            await client.aclose()

    return asyncio.run(main())


@pytest.fixture(params=[True, False], ids=["script", "ranges"])
def scripting(request):
    return request.param


def test_reads_equal_the_documents(redis_server, scripting):  # noqa: F811
    async def body(store, client):
        await store.put("prs", DOC, ttl=60)
        assert 59_000 < await client.pttl("prs") <= 60_000
        for offset, limit in [(0, 10), (495, 10), (600, 1), (3, None), (0, 0)]:
            assert await store.page("prs", offset, limit) == DOC.page(offset, limit)
            assert await store.envelope("prs", offset, limit, extra={"x": 1}) == DOC.envelope(
                offset, limit, extra={"x": 1}
            )
        read = await store.read_page("prs", 495, 10)
        assert isinstance(read, PageRead) and (read.start, read.stop, read.total) == (495, 500, 500)
        assert bytes(await store.get("prs", verify=True)) == bytes(DOC)
        # Concurrent reads on one client share its connection pool.
        pages = await asyncio.gather(*(store.page("prs", i, 7) for i in range(0, 500, 25)))
        assert pages == [DOC.page(i, 7) for i in range(0, 500, 25)]
        assert await store.delete("prs") is True

    run(redis_server, scripting, body)


def test_missing_and_invalid_values(redis_server, scripting):  # noqa: F811
    async def body(store, client):
        assert await store.get("nope") is None
        assert await store.page("nope", 0, 5) is None
        assert await store.envelope("nope") is None
        assert await store.delete("nope") is False
        await client.set("json", bytes(DOC))
        with pytest.raises(slotjson.FormatError, match="Redis key 'json': .*looks like JSON"):
            await store.page("json", 0, 5)
        await client.hset("hash", "a", "b")
        with pytest.raises(slotjson.FormatError, match="Redis hash"):
            await store.read_page("hash", 0, 5)
        with pytest.raises(slotjson.FormatError, match="Redis hash"):
            await store.get("hash")

    run(redis_server, scripting, body)


@pytest.mark.parametrize("scripting", [True, False], ids=["script", "ranges"])
def test_segmented_write(redis_server, scripting):  # noqa: F811
    async def body(store, client):
        await store.put("prs", DOC)
        assert len(await client.keys("*")) == 1 + -(-len(DOC.to_bytes()) // 4096)
        assert (await store.get("prs")).to_bytes() == DOC.to_bytes()
        for offset, limit in [(0, 10), (123, 200), (499, 5), (0, None)]:
            assert await store.page("prs", offset, limit) == DOC.page(offset, limit)
        assert await store.delete("prs")
        assert await store.page("prs") is None

    run(redis_server, scripting, body, chunk_size=1000, segment_size=4096)


def test_blocking_client_is_refused(redis_server):  # noqa: F811
    import redis

    with pytest.raises(TypeError, match="RedisDocumentStore"):
        AsyncRedisDocumentStore(redis.Redis(port=redis_server.port))
