"""Checks on the redis-py client handed to a store, and what its failures
become."""

from __future__ import annotations

import inspect
from typing import Any

#: Seconds a client is told to wait before retrying when the store is
#: unreachable (the ``Retry-After`` of the 503 ``slotjson.web`` answers).
DEFAULT_RETRY_AFTER = 1


class StoreUnavailableError(ConnectionError):
    """The document store could not be reached or answered that it cannot
    serve now (connection refused or lost, timeout, a server still loading
    its data, a cluster that is down or resharding).

    It says nothing about the document: retrying later may succeed.
    ``slotjson.web`` answers it with a JSON ``503`` and ``Retry-After:
    retry_after``. The redis-py exception is its ``__cause__``.
    """

    def __init__(self, message: str, *, retry_after: int = DEFAULT_RETRY_AFTER) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def unavailable_errors() -> tuple[type[BaseException], ...]:
    """The redis-py exceptions that mean "not now" rather than "wrong"."""
    from redis import exceptions as e

    return (e.ConnectionError, e.TimeoutError, e.ClusterDownError, e.TryAgainError, e.RedisClusterException)


def describe_unavailable(error: BaseException) -> StoreUnavailableError:
    detail = str(error) or type(error).__name__
    return StoreUnavailableError(f"the document store is unavailable ({type(error).__name__}: {detail})")


def is_cluster(client: Any) -> bool:
    """Whether ``client`` is a redis-py cluster client (``redis.cluster.
    RedisCluster`` or its asyncio twin), whose keys live on several nodes."""
    return hasattr(client, "nodes_manager") or hasattr(client, "get_nodes")


def check_client(client: Any, *, asyncio: bool) -> None:
    """Refuse clients the stores cannot work with, with a message that says
    what to pass instead, rather than failing later on a confusing reply."""
    if not hasattr(client, "pipeline") or not hasattr(client, "register_script"):
        raise TypeError(f"expected a redis-py client (redis.Redis or redis.asyncio.Redis), not {type(client).__name__}")
    is_async = inspect.iscoroutinefunction(getattr(client, "execute_command", None))
    if is_async and not asyncio:
        raise TypeError("this is a redis.asyncio client: use AsyncRedisDocumentStore")
    if asyncio and not is_async:
        raise TypeError("this is a blocking redis client: use RedisDocumentStore")
    kwargs = getattr(client, "get_connection_kwargs", None)
    if callable(kwargs) and kwargs().get("decode_responses"):
        # Containers are binary: decoded replies would be str, or fail.
        raise ValueError(
            "the client decodes replies (decode_responses=True); the store needs a client that returns bytes"
        )


def check_chunk_size(chunk_size: int, name: str = "chunk_size") -> int:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"{name} must be a positive int, not {chunk_size!r}")
    return chunk_size


def check_grace(grace: Any) -> int:
    """The grace period in milliseconds (a number of seconds or a timedelta;
    0 expires a replaced document's segments at once)."""
    from datetime import timedelta

    if isinstance(grace, timedelta):
        seconds = grace.total_seconds()
    elif isinstance(grace, (int, float)) and not isinstance(grace, bool):
        seconds = float(grace)
    else:
        raise TypeError(f"grace must be seconds (int or float) or a timedelta, not {type(grace).__name__}")
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(f"grace must be a finite duration >= 0, not {grace!r}")
    # PEXPIRE 0 deletes at once; at least 1 ms keeps the command meaningful.
    return max(1, round(seconds * 1000))


def bulk_limit(reply: Any) -> int | None:
    """The smallest ``proto-max-bulk-len`` in a CONFIG GET reply: a dict
    (redis-py), a flat list, or (cluster clients) a dict of those per node."""
    values: list[int] = []

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            for k, v in item.items():
                name = k.decode() if isinstance(k, bytes) else str(k)
                if name == "proto-max-bulk-len":
                    values.append(int(v))
                else:
                    walk(v)
        elif isinstance(item, (list, tuple)):
            for k, v in zip(item[::2], item[1::2]):
                walk({k: v})

    walk(reply)
    return min(values) if values else None


def segment_size_for(requested: int | None, limit: int) -> int:
    """The segment size to write with: ``requested``, which the server's
    bulk limit must allow, or that limit."""
    if requested is None:
        return limit
    if requested > limit:
        raise ValueError(
            f"segment_size {requested} is larger than the server's proto-max-bulk-len ({limit}): "
            "Redis would refuse the write"
        )
    return requested
