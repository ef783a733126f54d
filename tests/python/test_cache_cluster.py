"""slotjson.cache against a real 3-master Redis Cluster on loopback.

Segments of one document hash to their own slots, so they spread over the
masters; pages read only the segments they touch (pointer, index entries,
blob slice: three round trips, as a script may only touch its own key's
slot), replacement is atomic for readers and leaves nothing behind after
the grace period, in both read modes and with the asyncio cluster client.
"""

from __future__ import annotations

import asyncio
import random
import time

import pytest
import slotjson
from redis_server import redis_cluster  # noqa: F401
from slotjson.cache import AsyncRedisDocumentStore, RedisDocumentStore

GRACE = 0.3
SEGMENT = 16 * 1024
A = slotjson.dumps_indexed([{"v": "a", "i": i, "s": "é" * (i % 7)} for i in range(6000)])
B = slotjson.dumps_indexed([{"v": "b", "i": i} for i in range(4000)])
SMALL = slotjson.dumps_indexed(list(range(100)))


@pytest.fixture
def cluster_client(redis_cluster):  # noqa: F811
    from redis.cluster import RedisCluster

    client = RedisCluster(host="127.0.0.1", port=redis_cluster.port)
    client.flushall()
    yield client
    client.close()


def _keys_per_node(redis_cluster):  # noqa: F811
    import redis

    counts = []
    for node in redis_cluster.nodes:
        c = redis.Redis(host="127.0.0.1", port=node.port)
        counts.append(sorted(c.scan_iter(count=1000)))
        c.close()
    return counts


def _pages(doc, seed):
    rng = random.Random(seed)
    return [(0, 5), (0, None), (len(doc) - 2, 10), (len(doc), 3)] + [
        (rng.randrange(len(doc)), rng.choice([1, 30, 700])) for _ in range(20)
    ]


@pytest.mark.parametrize("scripting", [True, False], ids=["script", "ranges"])
def test_segments_spread_over_the_masters_and_pages_read_them(cluster_client, redis_cluster, scripting):  # noqa: F811
    store = RedisDocumentStore(cluster_client, scripting=scripting, segment_size=SEGMENT, grace=GRACE)
    store.put("prs", A)
    per_node = _keys_per_node(redis_cluster)
    segments = -(-len(A.to_bytes()) // SEGMENT)
    assert sum(map(len, per_node)) == 1 + segments >= 10
    assert all(per_node), per_node  # every master holds part of the document
    for offset, limit in _pages(A, 1):
        assert store.page("prs", offset, limit) == A.page(offset, limit), (offset, limit)
    assert store.envelope("prs", 3, 2) == A.envelope(3, 2)
    assert store.get("prs").to_bytes() == A.to_bytes()

    store.put("prs", B)  # replaced: B's pages at once, A's segments expire
    for offset, limit in _pages(B, 2):
        assert store.page("prs", offset, limit) == B.page(offset, limit)
    time.sleep(GRACE + 0.3)
    assert sum(map(len, _keys_per_node(redis_cluster))) == 1 + -(-len(B.to_bytes()) // SEGMENT)
    store.put("prs", SMALL)
    assert store.page("prs", 10, 5) == SMALL.page(10, 5)
    assert store.delete("prs") and store.page("prs") is None
    time.sleep(GRACE + 0.3)
    assert _keys_per_node(redis_cluster) == [[], [], []]


def test_a_page_of_a_segmented_document_takes_three_round_trips(cluster_client, monkeypatch):
    store = RedisDocumentStore(cluster_client, segment_size=SEGMENT)
    store.put("prs", A)
    store.put("small", SMALL)
    batches = []
    execute = store._execute
    monkeypatch.setattr(store, "_execute", lambda batch: batches.append(batch) or execute(batch))
    assert store.page("prs", 4000, 20) == A.page(4000, 20)
    assert len(batches) == 3
    batches.clear()
    assert store.page("small", 4, 20) == SMALL.page(4, 20)
    assert len(batches) == 1


def test_cache_aside_on_a_cluster(cluster_client):
    store = RedisDocumentStore(cluster_client, segment_size=SEGMENT)
    read = store.read_page_or_build("built", 10, 5, build=lambda: A)
    assert read.body == A.page(10, 5) and read.total == len(A)
    assert cluster_client.exists("built:sj-build-lock") == 0


def test_the_asyncio_cluster_client(redis_cluster):  # noqa: F811
    from redis.asyncio.cluster import RedisCluster

    async def main():
        client = RedisCluster(host="127.0.0.1", port=redis_cluster.port)
        try:
            await client.flushall()
            for scripting in (True, False):
                store = AsyncRedisDocumentStore(client, scripting=scripting, segment_size=SEGMENT, grace=GRACE)
                await store.put("prs", A)
                for offset, limit in _pages(A, 3):
                    assert await store.page("prs", offset, limit) == A.page(offset, limit)
                read = await store.read_page("prs", 7, 3)
                assert (read.start, read.stop, read.total) == (7, 10, len(A))
                await store.put("small", SMALL)
                assert await store.page("small", 98, 5) == SMALL.page(98, 5)
                assert (await store.get("prs")).to_bytes() == A.to_bytes()
                assert await store.delete("prs")
        finally:
            await client.aclose()

    asyncio.run(main())
