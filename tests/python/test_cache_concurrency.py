"""Two processes read pages while a third keeps replacing the document.

Every page read must be exactly a page of one of the two versions, and whole
reads (``get``) one whole version: never a mix, never a FormatError. The
writer alternates between one SET and a segmented write (segments of
100 kB, written in 64 kB chunks, then the pointer swapped in), the readers
between the script and the script-less reads.
Bounded in time: ``DURATION`` seconds of overlap.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import time

import pytest
import slotjson

DURATION = 2.0
KEY = "shared"


def _versions():
    """Two documents that differ in every item and in their item count, so
    any mix of header, index and blob from both shows."""
    a = slotjson.dumps_indexed([{"v": "a", "i": i, "pad": "x" * (i % 13)} for i in range(20_000)])
    b = slotjson.dumps_indexed([{"v": "b", "i": i, "text": "yy" * (i % 7)} for i in range(15_000)])
    return a, b


def _writer(port, ready, go, results):
    import redis
    from slotjson.cache import RedisDocumentStore

    client = redis.Redis(host="127.0.0.1", port=port)
    single = RedisDocumentStore(client)
    chunked = RedisDocumentStore(client, chunk_size=64 * 1024, segment_size=100_000)
    versions = _versions()
    ready.put("writer")
    go.wait()
    deadline = time.monotonic() + DURATION
    puts = 0
    while time.monotonic() < deadline:
        (chunked if puts % 4 < 2 else single).put(KEY, versions[puts % 2])
        puts += 1
    results.put(("writer", {"puts": puts}))


def _reader(name, port, scripting, ready, go, results):
    import redis
    from slotjson.cache import ConcurrentReplaceError, RedisDocumentStore

    client = redis.Redis(host="127.0.0.1", port=port)
    store = RedisDocumentStore(client, scripting=scripting)
    versions = _versions()
    whole = [bytes(v) for v in versions]
    rng = random.Random(name)
    stats = {"reads": 0, "seen": [0, 0], "gets": 0, "retries_exhausted": 0, "bad": []}
    ready.put(name)
    go.wait()
    deadline = time.monotonic() + DURATION
    while time.monotonic() < deadline:
        offset, limit = rng.randrange(21_000), rng.randrange(1, 300)
        try:
            if stats["reads"] % 50 == 49:
                body = bytes(store.get(KEY, verify=True))
                stats["gets"] += 1
                matches = [body == w for w in whole]
            else:
                read = store.read_page(KEY, offset, limit)
                matches = [read.body == v.page(offset, limit) and read.total == len(v) for v in versions]
        except ConcurrentReplaceError:
            stats["retries_exhausted"] += 1
            continue
        except Exception as e:  # noqa: BLE001  (reported to the parent, which fails the test)
            stats["bad"].append(f"{type(e).__name__}: {e}")
            continue
        stats["reads"] += 1
        if any(matches):
            stats["seen"][matches.index(True)] += 1
        else:
            stats["bad"].append(f"page {offset}+{limit} matches neither version")
    results.put((name, stats))


def test_readers_never_see_a_mixed_or_partial_document(redis_server):  # noqa: F811
    import redis

    redis.Redis(host="127.0.0.1", port=redis_server.port).set(KEY, _versions()[0].to_bytes())
    ctx = multiprocessing.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=_writer, args=(redis_server.port, ready, go, results)),
        ctx.Process(target=_reader, args=("script", redis_server.port, True, ready, go, results)),
        ctx.Process(target=_reader, args=("ranges", redis_server.port, False, ready, go, results)),
    ]
    for p in procs:
        p.start()
    try:
        for _ in procs:
            ready.get(timeout=60)
        go.set()
        reports = dict(results.get(timeout=DURATION + 60) for _ in procs)
    except queue.Empty:
        pytest.fail("a worker process did not report in time")
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
    assert reports["writer"]["puts"] >= 10, reports
    for name in ("script", "ranges"):
        stats = reports[name]
        assert stats["bad"] == [], (name, stats["bad"][:5])
        assert stats["reads"] >= 50 and stats["gets"] >= 1, (name, stats)
        # Both versions were current while this reader ran.
        assert min(stats["seen"]) > 0, (name, stats)
        assert stats["retries_exhausted"] <= stats["reads"] // 20, (name, stats)
