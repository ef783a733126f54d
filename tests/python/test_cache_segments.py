"""Documents larger than a Redis string: segments plus a pointer record
(spec/FORMAT.md, section 10), against a server whose strings hold at most
1 MiB (``--proto-max-bulk-len 1mb``).

A document of 1.5x that limit is stored, paged and replaced again and again,
and Redis ends up holding exactly one version (pointer + segments) and no
more memory than after the first put. Writes check the size against the
server's limit before uploading; a failed put removes what it wrote; readers
see the old or the new version, never a mix, also when they read the
segments themselves as a cluster client does.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time

import pytest
import slotjson
from redis_server import SMALL_BULK_LIMIT, small_limit_server  # noqa: F401
from slotjson.cache import AsyncRedisDocumentStore, ConcurrentReplaceError, RedisDocumentStore
from slotjson.cache._steps import Commands, Pointer, ScriptCall

GRACE = 0.3


def _doc(tag: str, size: int) -> slotjson.Document:
    """About ``size`` container bytes of items naming ``tag``."""
    items, n = [], 0
    while n < size:
        item = {"v": tag, "i": len(items), "text": f"{tag}-" * (len(items) % 40)}
        items.append(item)
        n += len(slotjson.dumps(item)) + 9
    return slotjson.dumps_indexed(items)


@pytest.fixture(scope="module")
def versions():
    limit = SMALL_BULK_LIMIT
    return [_doc(tag, limit * 3 // 2) for tag in ("a", "b")]


@pytest.fixture
def client(small_limit_server):  # noqa: F811
    import redis

    c = redis.Redis(host="127.0.0.1", port=small_limit_server.port)
    c.flushall()
    yield c
    c.close()


def _keys(client) -> list[bytes]:
    return sorted(client.scan_iter(count=1000))  # SCAN also expires what is due


def _pages(doc, seed=0, n=30):
    rng = random.Random(seed)
    pages = [(0, 10), (0, None), (len(doc) - 3, 10), (len(doc), 5), (0, 0)]
    pages += [(rng.randrange(len(doc)), rng.choice([1, 50, 1000, 10_000])) for _ in range(n)]
    return pages


@pytest.mark.parametrize("mode", ["script", "ranges", "cluster-reads"])
def test_one_and_a_half_times_the_limit_stored_paged_and_replaced(client, versions, mode):
    store = RedisDocumentStore(client, scripting=mode != "ranges", grace=GRACE)
    if mode == "cluster-reads":
        store._follow = False  # read the segments client-side, as with a cluster
    a, b = versions
    assert len(a.to_bytes()) > 1.4 * SMALL_BULK_LIMIT
    store.put("prs", a)
    assert store._segment_size_now() == SMALL_BULK_LIMIT  # asked of the server
    keys = _keys(client)
    assert len(keys) == 3  # the pointer and two segments
    assert store.get("prs").to_bytes() == a.to_bytes()
    for offset, limit in _pages(a):
        assert store.page("prs", offset, limit) == a.page(offset, limit), (offset, limit)
    read = store.read_page("prs", 100, 7)
    assert (read.start, read.stop, read.total) == (100, 107, len(a))
    time.sleep(GRACE + 0.2)
    baseline = client.info("memory")["used_memory"]

    for round_ in range(6):
        current = versions[(round_ + 1) % 2]
        store.put("prs", current)
        for offset, limit in _pages(current, round_, 5):
            assert store.page("prs", offset, limit) == current.page(offset, limit)
        if round_ == 0:
            # The replaced version's segments stay for the grace period.
            assert len(_keys(client)) == 5 and all(0 < client.pttl(k) <= GRACE * 1000 for k in keys[1:])
    time.sleep(GRACE + 0.3)
    after = _keys(client)
    assert len(after) == 3 and not set(after) & set(keys) - {b"prs"}, after
    assert client.dbsize() == 3
    grown = client.info("memory")["used_memory"] - baseline
    assert grown < SMALL_BULK_LIMIT // 4, grown  # one version, not seven
    assert store.delete("prs")
    time.sleep(GRACE + 0.3)
    assert _keys(client) == []


def test_segments_take_the_document_ttl_plus_the_grace(client, versions):
    store = RedisDocumentStore(client, grace=5)
    store.put("prs", versions[0], ttl=60)
    for key in _keys(client):
        ttl = client.pttl(key)
        assert (55_000 < ttl <= 60_000) if key == b"prs" else (60_000 < ttl <= 65_000), (key, ttl)
    store.put("prs", versions[1])  # no ttl: kept until replaced
    ttls = sorted(client.pttl(k) for k in _keys(client))
    assert ttls == [-1, -1, -1, *sorted(ttls[3:])] and all(0 < t <= 5000 for t in ttls[3:]), ttls


def test_a_small_document_replacing_a_segmented_one_expires_its_segments(client, versions):
    store = RedisDocumentStore(client, grace=GRACE)
    store.put("prs", versions[0])
    small = slotjson.dumps_indexed([1, 2, 3])
    store.put("prs", small)
    assert store.page("prs") == b"[1,2,3]"
    time.sleep(GRACE + 0.3)
    assert _keys(client) == [b"prs"]


def test_a_segment_size_over_the_server_limit_is_refused_before_uploading(client, versions):
    store = RedisDocumentStore(client, segment_size=2 * SMALL_BULK_LIMIT)
    with pytest.raises(ValueError, match="proto-max-bulk-len"):
        store.put("prs", versions[0])
    assert client.dbsize() == 0


def test_without_config_get_the_limit_is_512_mib(client):
    from redis.exceptions import ResponseError

    class NoConfig:
        def __getattr__(self, name):
            return getattr(client, name)

        def config_get(self, *args):
            raise ResponseError("unknown command 'CONFIG'")

    store = RedisDocumentStore(NoConfig())
    assert store._segment_size_now() == 512 << 20


@pytest.mark.parametrize("scripting", [True, False], ids=["script", "ranges"])
def test_a_failed_put_removes_what_it_wrote(client, versions, scripting, monkeypatch):
    store = RedisDocumentStore(client, scripting=scripting, grace=GRACE)
    store.put("prs", versions[0])
    before = {k: client.get(k) for k in _keys(client)}
    execute = store._execute

    def failing(batch):
        swapping = isinstance(batch, ScriptCall) and batch.script == "swap"
        if swapping or (isinstance(batch, Commands) and any(c[0] == "SET" and c[1] == "prs" for c in batch.commands)):
            raise ConnectionResetError("the connection dropped")
        return execute(batch)

    monkeypatch.setattr(store, "_execute", failing)
    with pytest.raises(ConnectionResetError):
        store.put("prs", versions[1])
    assert {k: client.get(k) for k in _keys(client)} == before  # the old version, nothing more
    assert store.page("prs", 0, 5) == versions[0].page(0, 5)


def test_an_interrupted_put_leaves_only_expiring_segments(client, versions, monkeypatch):
    store = RedisDocumentStore(client)
    execute = store._execute
    calls = []

    def interrupted(batch):
        calls.append(batch)
        if len(calls) == 2:  # after the first segment
            raise KeyboardInterrupt
        return execute(batch)

    monkeypatch.setattr(store, "_execute", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.put("prs", versions[0])
    left = _keys(client)
    assert len(left) == 1 and 0 < client.pttl(left[0]) <= 10 * 60 * 1000


@pytest.mark.parametrize("mode", ["script", "ranges", "cluster-reads"])
def test_damaged_pointers_and_missing_segments_raise_format_error(client, versions, mode):
    store = RedisDocumentStore(client, scripting=mode != "ranges")
    if mode == "cluster-reads":
        store._follow = False
    store.put("prs", versions[0])
    record = client.get("prs")
    pointer = Pointer.parse(record)
    client.unlink(pointer.segment_key(1))
    with pytest.raises((slotjson.FormatError, ConcurrentReplaceError), match="prs"):
        store.page("prs", len(versions[0]) - 5, 5)
    with pytest.raises(ConcurrentReplaceError):
        store.get("prs")
    client.set("prs", record[:12] + bytes([record[12] ^ 1]) + record[13:])
    with pytest.raises(slotjson.FormatError, match="checksum"):
        store.page("prs", 0, 5)


def test_pointer_record_round_trip():
    data = bytes(range(256)) * 40
    from slotjson.cache._steps import new_pointer

    pointer = new_pointer("k", data, 1000)
    assert pointer.count == 11 and pointer.segment_key(10).startswith(b"k:sj-seg:")
    assert Pointer.parse(pointer.encode()) == pointer
    with pytest.raises(slotjson.FormatError, match="not a slotjson pointer"):
        Pointer.parse(b"\x89SJD\r\n\x1a\n" + bytes(200))


def test_cluster_style_readers_see_one_version_during_replacements(client, versions):
    """Readers that fetch the pointer, then the index, then the blob (three
    round trips, as on a cluster) while a writer keeps swapping versions:
    each page is one version's page."""
    writer = RedisDocumentStore(client, grace=1)
    writer.put("prs", versions[0])
    stop = threading.Event()
    bad, reads = [], [0]

    def reader(seed):
        import redis

        c = redis.Redis(
            host=client.connection_pool.connection_kwargs["host"], port=client.connection_pool.connection_kwargs["port"]
        )
        store = RedisDocumentStore(c, scripting=seed % 2 == 0)
        store._follow = False
        rng = random.Random(seed)
        while not stop.is_set():
            offset = rng.randrange(len(versions[1]))
            page = store.page("prs", offset, 20)
            if page not in (versions[0].page(offset, 20), versions[1].page(offset, 20)):
                bad.append(offset)
            reads[0] += 1
        c.close()

    threads = [threading.Thread(target=reader, args=(s,)) for s in range(2)]
    for t in threads:
        t.start()
    for i in range(6):
        writer.put("prs", versions[i % 2])
    stop.set()
    for t in threads:
        t.join()
    assert not bad and reads[0] > 0


def test_async_store_pages_a_segmented_document(small_limit_server, versions):  # noqa: F811
    import redis.asyncio

    async def main():
        client = redis.asyncio.Redis(host="127.0.0.1", port=small_limit_server.port)
        try:
            await client.flushall()
            store = AsyncRedisDocumentStore(client, grace=GRACE)
            await store.put("prs", versions[1])
            assert await client.dbsize() == 3
            for offset, limit in _pages(versions[1], 3, 10):
                assert await store.page("prs", offset, limit) == versions[1].page(offset, limit)
            assert (await store.get("prs")).to_bytes() == versions[1].to_bytes()
        finally:
            await client.aclose()

    asyncio.run(main())
