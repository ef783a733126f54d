"""A FastAPI service that serves 100,000 pull requests a page at a time.

At startup it builds the models (seeded, so every process builds the same
ones), serializes them once into a ``slotjson.Document`` and stores it in
Redis, unless a previous process already did. Each request then reads only
its page from Redis (one round trip: header, index entries, blob slice) and
sends those bytes as they are: no model is touched and nothing is encoded.

When Redis loses the document (a restart, an eviction, a flush) the next
request rebuilds it, once across all the service's processes
(``read_page_or_build``: a lock key in Redis); requests meanwhile, and while
Redis is unreachable, get a JSON 503 with ``Retry-After``. The service
recovers by itself.

    pip install 'slotjson[redis,web]' uvicorn
    REDIS_URL=redis://127.0.0.1:6379/0 uvicorn --app-dir examples service:app
    curl -i 'http://127.0.0.1:8000/pull_requests?offset=200&limit=3'

The models take no ``rename=``/``omit_none=`` options so that the output is
byte for byte what FastAPI's default response writes for the same page,
which ``examples/load.py`` compares against.
"""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Annotated

import redis.asyncio as redis
import slotjson
from fastapi import Depends, FastAPI
from slotjson.cache import AsyncRedisDocumentStore, StoreUnavailableError
from slotjson.web import PageParams
from slotjson.web.starlette import JSONResponse, PageResponse, exception_handlers, page_params

COUNT = 100_000
SEED = 2026
MAX_LIMIT = 500
#: Checked ?offset=&limit= (a 400 with a JSON body for bad values).
PAGES = page_params(default_limit=50, max_limit=MAX_LIMIT)
Pages = Annotated[PageParams, Depends(PAGES)]


@slotjson.model
class User:
    id: int
    login: str
    site_admin: bool


@slotjson.model
class Label:
    name: str
    color: str


@slotjson.model
class PullRequest:
    id: int
    number: int
    title: str
    state: str
    draft: bool
    author: User
    labels: list[Label]
    created_at: datetime
    merged_at: datetime | None
    additions: int
    deletions: int


_WORDS = [
    "fix",
    "add",
    "remove",
    "speed",
    "up",
    "refactor",
    "cache",
    "index",
    "page",
    "json",
    "redis",
    "docs",
    "test",
    "flaky",
    "build",
]
_LABELS = [Label(n, c) for n, c in [("bug", "d73a4a"), ("perf", "0e8a16"), ("docs", "0075ca"), ("ci", "fbca04")]]


def build_pull_requests(count: int = COUNT, seed: int = SEED) -> list[PullRequest]:
    """``count`` pull requests, the same ones for the same seed."""
    rng = random.Random(seed)
    users = [User(i, f"dev{i}", i % 50 == 0) for i in range(500)]
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    prs = []
    for n in range(count):
        created = start + timedelta(minutes=17 * n + rng.randrange(17))
        merged = created + timedelta(hours=rng.randrange(1, 200)) if rng.random() < 0.6 else None
        prs.append(
            PullRequest(
                id=10_000_000 + n,
                number=n + 1,
                title=" ".join(rng.choices(_WORDS, k=rng.randrange(3, 9))),
                state="merged" if merged else rng.choice(["open", "closed"]),
                draft=rng.random() < 0.1,
                author=rng.choice(users),
                labels=rng.sample(_LABELS, rng.randrange(0, 3)),
                created_at=created,
                merged_at=merged,
                additions=rng.randrange(2000),
                deletions=rng.randrange(800),
            )
        )
    return prs


def create_app(redis_url: str, *, count: int = COUNT, seed: int = SEED) -> FastAPI:
    """The service, reading and writing the document in ``redis_url``."""
    # Versioned by what it holds, so a changed dataset never serves stale pages.
    key = f"pull_requests:v1:{count}:{seed}"

    def build() -> slotjson.Document:
        return slotjson.dumps_indexed(build_pull_requests(count, seed))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = redis.Redis.from_url(redis_url)
        store = AsyncRedisDocumentStore(client)
        try:
            # Build and store the document now unless it is there already.
            await store.read_page_or_build(key, 0, 0, build=build, wait=60)
        except StoreUnavailableError:
            pass  # Redis is down: the first request after it is back builds it
        app.state.store = store
        yield
        await client.aclose()

    app = FastAPI(
        title="pull requests",
        default_response_class=JSONResponse,
        # JSON 400s for bad page parameters, JSON 503s while Redis is down.
        exception_handlers=exception_handlers,
        lifespan=lifespan,
    )

    @app.get("/pull_requests", **PAGES.openapi(PullRequest))  # documents offset, limit, the 400 and the items
    async def pull_requests(page: Pages) -> PageResponse:
        read = await app.state.store.read_page_or_build(key, page.offset, page.limit, build=build)
        return PageResponse(read, page.offset, page.limit)

    return app


app = create_app(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
