"""Documents in Redis, served a page at a time.

``RedisDocumentStore(redis.Redis(...))`` and ``AsyncRedisDocumentStore(
redis.asyncio.Redis(...))`` store ``slotjson.Document`` containers and read
pages with byte-range reads of the header, the page's index entries and its
blob slice (spec/FORMAT.md, section 7), so a page costs the same whether the
document holds a thousand items or millions. Writes replace the value
atomically; documents larger than a Redis string are stored in segments
(spec/FORMAT.md, section 10).

Importing this module needs no Redis package: the stores use the client they
are given (``pip install 'slotjson[redis]'``).
"""

from __future__ import annotations

from ._client import StoreUnavailableError
from ._page import PageRead
from ._steps import ConcurrentReplaceError
from .redis_async import AsyncRedisDocumentStore
from .redis_sync import RedisDocumentStore

__all__ = [
    "AsyncRedisDocumentStore",
    "ConcurrentReplaceError",
    "PageRead",
    "RedisDocumentStore",
    "StoreUnavailableError",
]
