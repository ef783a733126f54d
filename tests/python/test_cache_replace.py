"""Script-less page reads take several round trips; a document replaced
between them must never yield a page mixing two versions."""

from __future__ import annotations

import pytest
import slotjson
from slotjson.cache import ConcurrentReplaceError, RedisDocumentStore, _steps

OLD = slotjson.dumps_indexed([f"old {i}" for i in range(2000)])
NEW = slotjson.dumps_indexed([f"new item {i}" for i in range(3000)])


def _replacing(store, client, replacements):
    """Make ``store`` put the next of ``replacements`` into "doc" after each
    of its round trips, as a concurrent writer could."""
    execute = store._execute
    pending = list(replacements)

    def replacing_execute(batch):
        replies = execute(batch)
        if pending:
            client.set("doc", pending.pop(0).to_bytes())
        return replies

    store._execute = replacing_execute
    return pending


@pytest.mark.parametrize("limit", [10, 5000, None])
def test_a_replacement_between_round_trips_is_retried(redis_client, limit):
    store = RedisDocumentStore(redis_client, scripting=False)
    store.put("doc", OLD)
    _replacing(store, redis_client, [NEW])
    assert store.page("doc", 1500, limit) == NEW.page(1500, limit)


def test_replacements_on_every_attempt_give_up(redis_client):
    store = RedisDocumentStore(redis_client, scripting=False)
    store.put("doc", OLD)
    versions = [NEW, OLD] * _steps.MAX_ATTEMPTS
    _replacing(store, redis_client, versions)
    with pytest.raises(ConcurrentReplaceError, match="replaced during each of"):
        store.page("doc", 5, 10)


def test_the_script_reads_one_version(redis_client):
    store = RedisDocumentStore(redis_client)
    store.put("doc", OLD)
    _replacing(store, redis_client, [NEW])
    assert store.page("doc", 1500, 10) == OLD.page(1500, 10)
    assert store.page("doc", 1500, 10) == NEW.page(1500, 10)
