"""Checks on the redis-py client handed to a store."""

from __future__ import annotations

import inspect
from typing import Any


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


def check_chunk_size(chunk_size: int) -> int:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive int, not {chunk_size!r}")
    return chunk_size
