"""slotjson.web.aiohttp on a real aiohttp server (loopback, ephemeral port)."""

from __future__ import annotations

import asyncio

from redis_server import import_or_skip

import_or_skip("aiohttp")

import slotjson
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from slotjson.web.aiohttp import json_response, page_response, parse_page_params

DOC = slotjson.dumps_indexed([{"id": i, "tags": ["a"] * (i % 3)} for i in range(75)])


@slotjson.model
class Point:
    x: int
    y: float


async def page(request: web.Request) -> web.Response:
    params = parse_page_params(request, default_limit=10, max_limit=30)
    return page_response(request, DOC, params.offset, params.limit)


async def model(request: web.Request) -> web.Response:
    return json_response([Point(1, 0.5), Point(2, -0.0)], headers={"X-Extra": "1"})


def run(check):
    async def main():
        app = web.Application()
        app.router.add_get("/page", page)
        app.router.add_get("/model", model)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await check(client)

    asyncio.run(main())


def test_json_response():
    async def check(client):
        r = await client.get("/model")
        assert r.status == 200 and r.headers["Content-Type"] == "application/json"
        assert await r.read() == b'[{"x":1,"y":0.5},{"x":2,"y":-0.0}]'
        assert r.headers["X-Extra"] == "1"

    run(check)


def test_page_headers_and_304():
    async def check(client):
        r = await client.get("/page?offset=20&limit=10&q=x")
        body = await r.read()
        assert r.status == 200 and body == DOC.page(20, 10)
        assert r.headers["Content-Type"] == "application/json"
        assert r.headers["Content-Length"] == str(len(body))
        assert r.headers["X-Total-Count"] == "75"
        assert r.headers["Link"] == '<?q=x&offset=30&limit=10>; rel="next", <?q=x&offset=10&limit=10>; rel="prev"'
        etag = r.headers["ETag"]
        again = await client.get("/page?offset=20&limit=10&q=x", headers={"If-None-Match": etag})
        assert again.status == 304 and await again.read() == b""
        assert again.headers["ETag"] == etag
        r = await client.get("/page")
        assert await r.read() == DOC.page(0, 10)

    run(check)


def test_bad_parameters_give_a_json_400():
    async def check(client):
        for query in ("limit=31", "limit=0", "offset=abc", "offset=1&offset=1"):
            r = await client.get(f"/page?{query}")
            assert r.status == 400, query
            # aiohttp's HTTP exceptions carry text, which it labels with a charset.
            assert r.headers["Content-Type"] in ("application/json", "application/json; charset=utf-8")
            assert (await r.json())["detail"][0]["loc"][0] == "query"

    run(check)
