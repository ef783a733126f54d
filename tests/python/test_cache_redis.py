"""slotjson.cache.RedisDocumentStore against a real redis-server.

Every read is compared with the same read of the in-memory Document, in both
read modes: the one-round-trip script and the script-less ranged reads.
"""

from __future__ import annotations

import pickle
import struct
from datetime import timedelta

import pytest
import slotjson
from slotjson.cache import PageRead, RedisDocumentStore

ITEMS = [{"i": i, "s": "é" * (i % 5), "tags": list(range(i % 3))} for i in range(300)]
DOC = slotjson.dumps_indexed(ITEMS)

PAGES = [
    (0, 1),
    (0, 10),
    (1, 2),
    (17, 33),
    (290, 10),
    (295, 10),
    (299, 1),
    (299, 5),
    (300, 5),
    (1000, 5),
    (0, 0),
    (5, 0),
    (0, 300),
    (0, 10**6),
    (10**15, 3),
    (7, None),
    (0, None),
    (300, None),
]


@pytest.fixture(params=["script", "ranges"])
def store(request, redis_client):
    return RedisDocumentStore(redis_client, scripting=request.param == "script")


@pytest.mark.parametrize("offset,limit", PAGES)
def test_page_and_envelope_equal_the_documents(store, offset, limit):
    store.put("prs", DOC)
    assert store.page("prs", offset, limit) == DOC.page(offset, limit)
    extra = {"next": f"/prs?offset={offset}", "n": [1, None]}
    assert store.envelope("prs", offset, limit, extra=extra) == DOC.envelope(offset, limit, extra=extra)
    assert store.envelope("prs", offset, limit, items_key="data", total_key="count") == DOC.envelope(
        offset, limit, items_key="data", total_key="count"
    )


def test_read_page_reports_range_total_and_checksum(store):
    store.put("prs", DOC)
    read = store.read_page("prs", 295, 10)
    assert read == PageRead(DOC.page(295, 10), 295, 10, 295, 300, 300, read.checksum)
    assert len(read) == 5
    container = DOC.to_bytes()
    assert read.checksum == int.from_bytes(container[32:40], "little") != 0
    past = store.read_page("prs", 400, 10)
    assert (past.start, past.stop, past.body) == (300, 300, b"[]")


def test_get_returns_the_document(store):
    store.put(b"bytes-key", DOC)
    got = store.get(b"bytes-key", verify=True)
    assert isinstance(got, slotjson.Document)
    assert bytes(got) == bytes(DOC) and bytes(got.offsets) == bytes(DOC.offsets)


def test_empty_document(store):
    empty = slotjson.dumps_indexed([])
    store.put("empty", empty)
    assert store.page("empty", 0, 10) == b"[]"
    assert store.envelope("empty") == b'{"items":[],"total":0}'
    assert len(store.get("empty")) == 0


def test_missing_key_is_none(store):
    assert store.get("nope") is None
    assert store.page("nope", 0, 10) is None
    assert store.read_page("nope") is None
    assert store.envelope("nope", 0, 10) is None
    assert store.delete("nope") is False


def test_delete(store, redis_client):
    store.put("prs", DOC)
    assert store.delete("prs") is True
    assert redis_client.exists("prs") == 0
    assert store.page("prs", 0, 1) is None


def test_replacing_a_value_of_another_type(store, redis_client):
    redis_client.rpush("prs", "x")
    store.put("prs", DOC)
    assert store.page("prs", 3, 2) == DOC.page(3, 2)


# ---------------------------------------------------------------- ttl


def test_ttl_seconds_and_timedelta(store, redis_client):
    store.put("a", DOC, ttl=30)
    assert 29_000 < redis_client.pttl("a") <= 30_000
    store.put("b", DOC, ttl=timedelta(minutes=2))
    assert 119_000 < redis_client.pttl("b") <= 120_000
    store.put("c", DOC, ttl=0.0001)  # rounded up to 1 ms, never "no expiry"
    assert redis_client.pttl("c") in (-2, 0, 1)


def test_put_without_ttl_clears_the_old_one(store, redis_client):
    store.put("a", DOC, ttl=30)
    store.put("a", DOC)
    assert redis_client.pttl("a") == -1


@pytest.mark.parametrize("ttl", [0, -1, float("nan"), float("inf"), timedelta(0)])
def test_bad_ttl_values(store, ttl):
    with pytest.raises(ValueError, match="ttl"):
        store.put("a", DOC, ttl=ttl)


@pytest.mark.parametrize("ttl", ["10", True])
def test_bad_ttl_types(store, ttl):
    with pytest.raises(TypeError, match="ttl"):
        store.put("a", DOC, ttl=ttl)


# ---------------------------------------------------------------- writes


def test_put_container_bytes(store, redis_client):
    container = DOC.to_bytes()
    store.put("a", container)
    assert redis_client.get("a") == container
    store.put("b", memoryview(bytearray(container)))
    assert redis_client.get("b") == container


def test_put_adds_a_checksum_when_missing(store, redis_client):
    store.put("a", DOC.to_bytes(checksum=False))
    assert redis_client.get("a") == DOC.to_bytes()


def test_put_refuses_what_is_not_a_container(store, redis_client):
    with pytest.raises(slotjson.FormatError, match="JSON"):
        store.put("a", bytes(DOC))
    with pytest.raises(TypeError, match="Document or container bytes"):
        store.put("a", ITEMS)
    assert redis_client.exists("a") == 0


@pytest.mark.parametrize("ttl", [None, 60])
def test_a_container_larger_than_a_chunk_is_segmented(redis_client, ttl):
    store = RedisDocumentStore(redis_client, chunk_size=1000, segment_size=4000)
    container = DOC.to_bytes()
    assert len(container) > 10 * 1000
    redis_client.set("prs", b"old")
    store.put("prs", DOC, ttl=ttl)
    segments = sorted(k for k in redis_client.keys("*") if k != b"prs")
    assert len(segments) == -(-len(container) // 4000)
    assert b"".join(redis_client.get(k) for k in sorted(segments, key=lambda k: int(k.rsplit(b":", 1)[1]))) == container
    assert redis_client.get("prs").startswith(b"\x89SJS\r\n\x1a\n")  # the pointer record
    for k in [b"prs", *segments]:
        # Nothing keeps the temporary expiry of an upload in progress.
        assert redis_client.pttl(k) == -1 if ttl is None else 59_000 < redis_client.pttl(k) <= 60_000 + 30_000
    assert store.get("prs").to_bytes() == container
    for offset, limit in PAGES:
        assert store.page("prs", offset, limit) == DOC.page(offset, limit)


def test_bad_chunk_size(redis_client):
    with pytest.raises(ValueError, match="chunk_size"):
        RedisDocumentStore(redis_client, chunk_size=0)


# ---------------------------------------------------------------- clients


def test_client_that_decodes_replies_is_refused(redis_server):  # noqa: F811
    import redis

    with pytest.raises(ValueError, match="decode_responses"):
        RedisDocumentStore(redis.Redis(port=redis_server.port, decode_responses=True))


def test_async_client_is_refused(redis_server):  # noqa: F811
    import redis.asyncio

    with pytest.raises(TypeError, match="AsyncRedisDocumentStore"):
        RedisDocumentStore(redis.asyncio.Redis(port=redis_server.port))
    with pytest.raises(TypeError, match="redis-py client"):
        RedisDocumentStore(object())


@pytest.mark.parametrize("offset,limit", [(-1, 5), (0, -1)])
def test_negative_bounds(store, offset, limit):
    with pytest.raises(ValueError, match=">= 0"):
        store.page("prs", offset, limit)


def test_non_int_bounds(store):
    with pytest.raises(TypeError, match="offset must be an int"):
        store.page("prs", "1", 5)
    with pytest.raises(TypeError, match="limit must be an int"):
        store.page("prs", 1, 2.0)


# ---------------------------------------------------------------- bad values


def _with_entry(container: bytes, k: int, value: int) -> bytes:
    at = 64 + 8 * k
    return container[:at] + struct.pack("<Q", value) + container[at + 8 :]


def _bad_values() -> dict[str, tuple[bytes, str]]:
    c = DOC.to_bytes()
    n = len(DOC)
    flipped_header = bytearray(c)
    flipped_header[20] ^= 1
    blob_at = 64 + 8 * (n + 1)
    return {
        "json": (bytes(DOC), "looks like JSON"),
        "pickle": (pickle.dumps(ITEMS), "pickle"),
        "empty": (b"", "too short"),
        "magic-prefix": (c[:5], "too short"),
        "header-only": (c[:64], "truncated"),
        "truncated": (c[:-1], "truncated"),
        "trailing": (c + b"\0", "trailing"),
        "header-checksum": (bytes(flipped_header), "header checksum"),
        "text-mode": (c.replace(b"\r\n", b"\n", 1), "line-ending"),
        # Entry 10 points inside item 9: caught when a page starts or ends there.
        "bad-entry": (_with_entry(c, 10, DOC.offsets[10] + 1), "bad index entry"),
        "entries-out-of-order": (_with_entry(c, 10, 1), "bad index entry"),
        "entry-past-blob": (_with_entry(c, 10, 10**9), "bad index entry"),
        "separator": (c[: blob_at + DOC.offsets[10] - 1] + b" " + c[blob_at + DOC.offsets[10] :], "separator"),
    }


@pytest.mark.parametrize("name", list(_bad_values()))
def test_values_that_are_not_containers_raise_format_error(store, redis_client, name):
    value, message = _bad_values()[name]
    redis_client.set("bad", value)
    with pytest.raises(slotjson.FormatError, match=message) as e:
        store.page("bad", 10, 5)
    assert "Redis key 'bad'" in str(e.value)
    with pytest.raises(slotjson.FormatError):
        store.envelope("bad", 10, 5)
    if name not in ("bad-entry", "entries-out-of-order", "entry-past-blob", "separator"):
        # Opening checks only the header, the length and the index's ends.
        with pytest.raises(slotjson.FormatError, match=message):
            store.get("bad")
    else:
        with pytest.raises(slotjson.FormatError):
            store.get("bad", verify=True)


@pytest.mark.parametrize("kind", ["list", "hash", "set", "zset", "stream"])
def test_other_redis_types_raise_format_error(store, redis_client, kind):
    {
        "list": lambda: redis_client.rpush("k", "a"),
        "hash": lambda: redis_client.hset("k", "a", "b"),
        "set": lambda: redis_client.sadd("k", "a"),
        "zset": lambda: redis_client.zadd("k", {"a": 1}),
        "stream": lambda: redis_client.xadd("k", {"a": "b"}),
    }[kind]()
    for read in (lambda: store.page("k", 0, 1), lambda: store.get("k"), lambda: store.envelope("k")):
        with pytest.raises(slotjson.FormatError, match=f"Redis {kind}, not a slotjson document container"):
            read()
