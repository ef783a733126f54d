"""Failures as JSON: an unreachable Redis answers 503 with Retry-After
through every framework adapter; ``read_page_or_build`` rebuilds a missing
document once across processes; ``parse_page_params`` refuses what is not a
query."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import pytest
from redis_server import import_or_skip

redis = import_or_skip("redis", "SLOTJSON_REQUIRE_REDIS")
import_or_skip("starlette")
import_or_skip("httpx")
fastapi = import_or_skip("fastapi")
import_or_skip("aiohttp")
import_or_skip("flask")

import slotjson
from redis import asyncio as redis_asyncio
from slotjson.cache import AsyncRedisDocumentStore, RedisDocumentStore, StoreUnavailableError
from slotjson.web import parse_page_params, unavailable_response
from starlette.requests import Request

DOC = slotjson.dumps_indexed([{"id": i} for i in range(30)])
DETAIL = {"detail": "the document store is unavailable; retry later"}


def _dead_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _assert_503(status, headers, body):
    assert status == 503
    assert headers["content-type"].startswith("application/json")
    assert headers["retry-after"] == "1"
    assert json.loads(body) == DETAIL


# ---------------------------------------------------------------- parse_page_params


def test_parse_page_params_refuses_request_objects_and_other_types():
    request = Request({"type": "http", "query_string": b"offset=7&limit=3", "headers": []})
    with pytest.raises(TypeError, match=r"not a Request: pass request\.query_params"):
        parse_page_params(request)
    assert parse_page_params(request.query_params) == (7, 3)

    from aiohttp.test_utils import make_mocked_request

    with pytest.raises(TypeError, match=r"pass request\.query"):
        parse_page_params(make_mocked_request("GET", "/?offset=7&limit=3"))

    import flask

    with flask.Flask(__name__).test_request_context("/?offset=7&limit=3"):
        with pytest.raises(TypeError, match=r"pass request\.args"):
            parse_page_params(flask.request)
        assert parse_page_params(flask.request.args) == (7, 3)

    for bad in (None, 3, [("offset", "1")], object()):
        with pytest.raises(TypeError, match="query mapping or a query string"):
            parse_page_params(bad)


def test_parse_page_params_reads_query_strings():
    assert parse_page_params("offset=7&limit=3") == (7, 3)
    assert parse_page_params(b"?limit=3&sort=id") == (0, 3)
    assert parse_page_params("") == (0, 50)
    with pytest.raises(slotjson.web.PageParamError, match="given once"):
        parse_page_params("limit=3&limit=4")
    with pytest.raises(slotjson.web.PageParamError, match="whole number"):
        parse_page_params("offset=")


# ---------------------------------------------------------------- 503 through each framework


def _no_retry(asynchronous=False):
    """No reconnection attempts (redis-py retries with a backoff by default)."""
    from redis.backoff import NoBackoff

    if asynchronous:
        from redis.asyncio.retry import Retry
    else:
        from redis.retry import Retry
    return Retry(NoBackoff(), 0)


def _async_store():
    client = redis_asyncio.Redis(host="127.0.0.1", port=_dead_port(), retry=_no_retry(True))
    return AsyncRedisDocumentStore(client)


def _sync_store():
    return RedisDocumentStore(redis.Redis(host="127.0.0.1", port=_dead_port(), retry=_no_retry()))


def test_store_errors_are_store_unavailable():
    with pytest.raises(StoreUnavailableError, match="unavailable") as info:
        _sync_store().read_page("k", 0, 5)
    assert isinstance(info.value.__cause__, redis.ConnectionError)
    with pytest.raises(StoreUnavailableError):
        _sync_store().put("k", DOC)


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
@pytest.mark.parametrize("raw", [False, True], ids=["store", "redis-py"])
def test_starlette_and_fastapi_answer_503(framework, raw):
    from slotjson.web.starlette import PageResponse, exception_handlers
    from starlette.applications import Starlette
    from starlette.routing import Route
    from starlette.testclient import TestClient

    store = _async_store()

    async def endpoint(request: Request):
        if raw:
            await store.client.get("k")  # redis-py's own ConnectionError
        return PageResponse(await store.read_page("k", 0, 5), 0, 5)

    if framework == "starlette":
        app = Starlette(routes=[Route("/p", endpoint)], exception_handlers=exception_handlers)
    else:
        app = fastapi.FastAPI(exception_handlers=exception_handlers)
        app.get("/p")(endpoint)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/p")
    _assert_503(r.status_code, r.headers, r.content)


def test_aiohttp_answers_503():
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer
    from slotjson.web.aiohttp import page_response, unavailable_middleware

    async def main():
        store = _async_store()

        async def endpoint(request):
            return page_response(request, await store.read_page("k", 0, 5), 0, 5)

        app = web.Application(middlewares=[unavailable_middleware])
        app.router.add_get("/p", endpoint)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            r = await client.get("/p")
            _assert_503(r.status, r.headers, await r.read())

    asyncio.run(main())


def test_flask_answers_503():
    from flask import Flask
    from slotjson.web.flask import page_response, register_error_handlers

    store = _sync_store()
    app = register_error_handlers(Flask(__name__))

    @app.get("/p")
    def endpoint():
        return page_response(store.read_page("k", 0, 5), 0, 5)

    r = app.test_client().get("/p")
    _assert_503(r.status_code, r.headers, r.data)


def test_retry_after_follows_the_error():
    status, body, headers = unavailable_response(StoreUnavailableError("x", retry_after=7))
    assert (status, headers["Retry-After"], headers["Cache-Control"]) == (503, "7", "no-store")
    assert json.loads(body) == DETAIL


# ---------------------------------------------------------------- cache-aside


def test_a_missing_document_is_built_once_across_clients(redis_server):  # noqa: F811
    builds = []
    start = threading.Barrier(6)
    results, errors = [], []

    def build():
        builds.append(1)
        time.sleep(0.3)  # long enough for every other client to find the lock
        return DOC

    def client_loop(i):
        store = RedisDocumentStore(redis.Redis(host="127.0.0.1", port=redis_server.port))
        start.wait()
        try:
            results.append(store.read_page_or_build("built", i, 3, build=build, wait=5).body)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    redis.Redis(host="127.0.0.1", port=redis_server.port).delete("built", "built:sj-build-lock")
    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(builds) == 1
    assert sorted(results) == sorted(DOC.page(i, 3) for i in range(6))
    assert redis.Redis(host="127.0.0.1", port=redis_server.port).exists("built:sj-build-lock") == 0


def test_waiting_for_another_builder_ends_in_store_unavailable(redis_client):
    redis_client.set("slow:sj-build-lock", b"someone else", px=10_000)
    store = RedisDocumentStore(redis_client)
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match="being rebuilt") as info:
        store.read_page_or_build("slow", build=lambda: DOC, wait=0.3)
    assert 0.3 <= time.monotonic() - started < 2 and info.value.retry_after == 1
    # The lock is someone else's: a failed build of ours does not release it.
    redis_client.delete("slow:sj-build-lock")

    def failing():
        redis_client.set("slow:sj-build-lock", b"taken over")  # our lock expired, another took it
        raise RuntimeError("build failed")

    with pytest.raises(RuntimeError, match="build failed"):
        store.read_page_or_build("slow", build=failing)
    assert redis_client.get("slow:sj-build-lock") == b"taken over"


@pytest.mark.parametrize("scripting", [True, False], ids=["script", "ranges"])
def test_a_damaged_document_is_rebuilt(redis_client, scripting):
    redis_client.set("d", b"[1,2,3]")
    store = RedisDocumentStore(redis_client, scripting=scripting)
    read = store.read_page_or_build("d", 2, 4, build=lambda: DOC, ttl=60)
    assert read.body == DOC.page(2, 4) and 0 < redis_client.pttl("d") <= 60_000
    assert redis_client.exists("d:sj-build-lock") == 0


def test_async_cache_aside_awaits_or_threads_the_build(redis_server):  # noqa: F811
    async def main():
        client = redis_asyncio.Redis(host="127.0.0.1", port=redis_server.port)
        try:
            store = AsyncRedisDocumentStore(client)
            await client.delete("a1", "a2")

            async def coroutine_build():
                return DOC

            assert (await store.read_page_or_build("a1", 1, 2, build=coroutine_build)).body == DOC.page(1, 2)
            threads = []

            def plain_build():
                threads.append(threading.current_thread())
                return DOC

            assert (await store.read_page_or_build("a2", 0, 2, build=plain_build)).body == DOC.page(0, 2)
            assert threads and threads[0] is not threading.main_thread()
        finally:
            await client.aclose()

    asyncio.run(main())
