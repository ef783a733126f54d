"""Reading a page moves the same bytes whatever the document's size.

The server's own counter of bytes sent to clients (INFO stats,
total_net_output_bytes) is read around each page read; the page of a
1,000-item document and the same page of a 1,000,000-item one must cost the
same, and about the page's own size.
"""

from __future__ import annotations

import pytest
import slotjson
from slotjson.cache import RedisDocumentStore

OFFSET, LIMIT = 500, 100


@pytest.fixture(scope="module")
def docs():
    # Integers 500..599 print the same in both documents: identical pages.
    return {n: slotjson.dumps_indexed(list(range(n))) for n in (1_000, 1_000_000)}


def _sent(client) -> int:
    return int(client.info("stats")["total_net_output_bytes"])


def _bytes_for(client, read) -> int:
    """Bytes the server sent for ``read()``, less those of the INFO reply
    that opened the measurement (its size barely varies)."""
    before = _sent(client)
    idle = _sent(client) - before  # what one INFO reply costs
    before = _sent(client)
    read()
    return _sent(client) - before - idle


@pytest.mark.parametrize("scripting", [True, False], ids=["script", "ranges"])
def test_bytes_sent_do_not_grow_with_the_document(redis_client, docs, scripting):
    store = RedisDocumentStore(redis_client, scripting=scripting)
    costs = {}
    for n, doc in docs.items():
        store.put(f"doc{n}", doc)
        expected = doc.page(OFFSET, LIMIT)
        assert store.page(f"doc{n}", OFFSET, LIMIT) == expected  # also loads the script
        costs[n] = _bytes_for(redis_client, lambda key=f"doc{n}": store.page(key, OFFSET, LIMIT))
    small, large = costs[1_000], costs[1_000_000]
    container = len(docs[1_000_000].to_bytes())
    # Header, LIMIT+1 index entries, the items and a few bytes of framing.
    page_cost = 64 + 8 * (LIMIT + 1) + len(expected)
    assert abs(large - small) <= 16, costs
    assert page_cost <= large <= page_cost + 400, (costs, page_cost)
    assert large * 1000 < container


def test_one_round_trip_with_the_script(redis_client, docs, monkeypatch):
    store = RedisDocumentStore(redis_client)
    store.put("doc", docs[1_000_000])
    batches = []
    execute = store._execute
    monkeypatch.setattr(store, "_execute", lambda batch: batches.append(batch) or execute(batch))
    store.page("doc", OFFSET, LIMIT)
    assert len(batches) == 1


@pytest.mark.parametrize("limit,round_trips", [(LIMIT, 2), (5000, 3), (None, 3)])
def test_round_trips_without_the_script(redis_client, docs, monkeypatch, limit, round_trips):
    store = RedisDocumentStore(redis_client, scripting=False)
    store.put("doc", docs[1_000])
    batches = []
    execute = store._execute
    monkeypatch.setattr(store, "_execute", lambda batch: batches.append(batch) or execute(batch))
    assert store.page("doc", OFFSET, limit) == docs[1_000].page(OFFSET, limit)
    assert len(batches) == round_trips
