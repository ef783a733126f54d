"""The served path of ``AsyncRedisDocumentStore.read_page``: one EVALSHA
whose reply comes packed in one string, turned into the page and its
response headers by one native call (``slotjson._native.served_page``).

It must give exactly what the general path gives (the same ``PageRead``, the
same ``PageResponse`` bytes and headers) and refuse every damaged reply the
general path refuses."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
import slotjson
from redis_server import import_or_skip
from slotjson._native import served_page
from slotjson.cache import AsyncRedisDocumentStore

DOC = slotjson.dumps_indexed([{"n": i, "s": "é" * (i % 4)} for i in range(700)])
PAGES = [(0, 1), (0, 50), (650, 100), (699, 1), (700, 5), (10**6, 5), (0, 0), (5, None), (0, None)]


def _run(redis_server, body, **options):  # noqa: F811
    import redis.asyncio

    async def main():
        client = redis.asyncio.Redis(host="127.0.0.1", port=redis_server.port)
        try:
            return await body(client, AsyncRedisDocumentStore(client, **options))
        finally:
            await client.aclose()

    return asyncio.run(main())


def test_served_reads_equal_the_general_path(redis_server):  # noqa: F811
    async def body(client, store):
        await store.put("served", DOC)
        await store.put("bare", DOC.to_bytes())
        general = AsyncRedisDocumentStore(client)
        general._follow = False  # never the served path (a cluster's way)
        for offset, limit in PAGES:
            fast = await store.read_page("served", offset, limit)
            slow = await general.read_page("served", offset, limit)
            assert fast.headers is not None and slow.headers is None
            assert fast == slow  # headers are left out of the comparison
            assert fast.body == DOC.page(offset, limit)
            names = [name for name, _ in fast.headers]
            assert names == [b"etag", b"x-total-count", b"content-length", b"content-type"]
            assert dict(fast.headers)[b"content-length"] == str(len(fast.body)).encode()
        assert await store.read_page("missing", 0, 5) is None

    _run(redis_server, body)


def test_page_responses_are_the_same_bytes(redis_server):  # noqa: F811
    import_or_skip("starlette")
    from slotjson.web.starlette import PageResponse

    async def send_all(response, query=b"offset=20&limit=10", headers=()):
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "query_string": query, "headers": list(headers)}
        await response(scope, None, send)
        return sent

    async def body(client, store):
        await store.put("served", DOC)
        read = await store.read_page("served", 20, 10)
        assert read.headers is not None
        fast = await send_all(PageResponse(read, 20, 10))
        slow = await send_all(PageResponse(dataclasses.replace(read, headers=None), 20, 10))
        assert fast == slow
        start = dict(fast[0]["headers"])
        assert start[b"link"] == b'<?offset=30&limit=10>; rel="next", <?offset=10&limit=10>; rel="prev"'
        assert fast[1]["body"] == DOC.page(20, 10)
        etag = start[b"etag"]
        again = await send_all(PageResponse(read, 20, 10), headers=[(b"if-none-match", etag)])
        assert again[0]["status"] == 304 and again[1]["body"] == b""

    _run(redis_server, body)


def _packed(header, index, blob, length, blob_at, record=b""):
    line = f"{length} {blob_at} {len(header)} {len(index)} {len(record)}\n".encode()
    return line + header + index + record, blob


def test_damaged_replies_raise_format_error():
    container = DOC.to_bytes()
    header, n = container[:64], len(DOC)
    index_at = 64 + 8 * 10
    index = container[index_at : index_at + 8 * 6]
    blob_start = 64 + 8 * (n + 1)
    s = int.from_bytes(index[:8], "little")
    e = int.from_bytes(index[-8:], "little")
    blob = container[blob_start + s - 1 : blob_start + e]
    good = _packed(header, index, blob, len(container), blob_start + s - 1)
    body, start, stop, total, checksum, headers, record = served_page(*good, 10, 5)
    assert (body, start, stop, total, record) == (DOC.page(10, 5), 10, 15, n, None)
    assert checksum is not None and dict(headers)[b"etag"] == f'"sj-{checksum:016x}-10-15"'.encode()
    bad = {
        "malformed": (b"12 x\n" + header, blob),
        "no line": (header, blob),
        "meta too long": (good[0] + b"x", blob),
        "short": (good[0], blob[:-1]),
        "truncated": _packed(header, index, blob, len(container) - 1, blob_start + s - 1),
        "index bytes": _packed(header, index[:-8], blob, len(container), blob_start + s - 1),
        "blob bytes": _packed(header, index, blob, len(container), blob_start + s),
        "header": _packed(b"x" * 64, index, blob, len(container), blob_start + s - 1),
        "separator": _packed(header, index, b"x" + blob[1:], len(container), blob_start + s - 1),
    }
    for name, reply in bad.items():
        with pytest.raises(slotjson.FormatError):
            served_page(*reply, 10, 5)
            pytest.fail(name)


def test_the_served_path_checks_the_pointer_record(redis_server):  # noqa: F811
    async def body(client, store):
        await store.put("seg", DOC)
        record = await client.get("seg")
        assert record.startswith(b"\x89SJS")
        assert await store.page("seg", 100, 7) == DOC.page(100, 7)
        await client.set("seg", record[:-1] + bytes([record[-1] ^ 1]))  # CRC no longer matches
        with pytest.raises(slotjson.FormatError, match="checksum"):
            await store.read_page("seg", 0, 5)

    _run(redis_server, body, chunk_size=1000, segment_size=5000)
