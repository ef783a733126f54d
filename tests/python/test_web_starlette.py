"""slotjson.web.starlette under Starlette's and FastAPI's test clients."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated, ClassVar

from redis_server import import_or_skip

import_or_skip("starlette")
import_or_skip("httpx")  # the test client
fastapi = import_or_skip("fastapi")

import slotjson
from fastapi import Depends, FastAPI
from slotjson.cache import PageRead
from slotjson.web import PageParams
from slotjson.web.starlette import (
    JSONResponse,
    PageResponse,
    exception_handlers,
    page_params,
    parse_page_params,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient


@slotjson.model
class Item:
    id: int
    name: str
    at: datetime


ITEMS = [Item(i, f"item {i}", datetime(2026, 1, 1, i % 24, tzinfo=timezone.utc)) for i in range(230)]
DOC = slotjson.dumps_indexed(ITEMS)


ITEM_PAGES = page_params(default_limit=20, max_limit=100)


def fastapi_app() -> FastAPI:
    app = FastAPI(default_response_class=JSONResponse)

    @app.get("/items", **ITEM_PAGES.openapi())
    def items(page: Annotated[PageParams, Depends(ITEM_PAGES)]) -> PageResponse:
        return PageResponse(DOC, page.offset, page.limit)

    @app.get("/absolute")
    def absolute(request: Request, page: Annotated[PageParams, Depends(page_params())]) -> PageResponse:
        return PageResponse(DOC, page.offset, page.limit, base_url=str(request.url))

    @app.get("/default")
    def default():
        return {"items": ITEMS[:2], "when": datetime(2026, 5, 1, tzinfo=timezone.utc)}

    @app.get("/model")
    def model():
        return JSONResponse(ITEMS[:3])

    return app


def test_json_response_renders_with_dumps():
    client = TestClient(fastapi_app())
    r = client.get("/model")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.content == slotjson.dumps(ITEMS[:3])
    assert JSONResponse(DOC).body == bytes(DOC)

    class UtcZ(JSONResponse):
        dumps_options: ClassVar[dict[str, bool]] = {"utc_z": True}

    assert UtcZ(ITEMS[0]).body == slotjson.dumps(ITEMS[0], utc_z=True)


def test_json_response_as_fastapi_default_response_class():
    r = TestClient(fastapi_app()).get("/default")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    # FastAPI hands the response class builtins; the bytes are what dumps writes for them.
    expected = {"items": [slotjson.to_builtins(i) for i in ITEMS[:2]], "when": "2026-05-01T00:00:00+00:00"}
    assert r.content == slotjson.dumps(expected)


def test_page_response_body_and_headers():
    r = TestClient(fastapi_app()).get("/items?offset=40&limit=20&sort=id")
    assert r.status_code == 200
    assert r.content == DOC.page(40, 20) == slotjson.dumps(ITEMS[40:60])
    assert r.headers["content-type"] == "application/json"
    assert r.headers["content-length"] == str(len(r.content))
    assert r.headers["x-total-count"] == "230"
    assert r.headers["link"] == ('<?sort=id&offset=60&limit=20>; rel="next", <?sort=id&offset=20&limit=20>; rel="prev"')
    assert r.headers["etag"].startswith('"sjb-')


def test_page_response_defaults_and_end():
    client = TestClient(fastapi_app())
    r = client.get("/items")
    assert r.content == DOC.page(0, 20) and r.headers["link"] == '<?offset=20&limit=20>; rel="next"'
    r = client.get("/items?offset=220&limit=20")
    assert json.loads(r.content) == json.loads(slotjson.dumps(ITEMS[220:]))
    assert r.headers["link"] == '<?offset=200&limit=20>; rel="prev"'
    r = client.get("/items?offset=1000")
    assert r.content == b"[]" and r.headers["x-total-count"] == "230"


def test_absolute_links_with_base_url():
    r = TestClient(fastapi_app(), base_url="http://api.test").get("/absolute?offset=0&limit=50")
    assert r.headers["link"] == '<http://api.test/absolute?offset=50&limit=50>; rel="next"'


def test_if_none_match_gives_304():
    client = TestClient(fastapi_app())
    first = client.get("/items?offset=5&limit=10")
    etag = first.headers["etag"]
    r = client.get("/items?offset=5&limit=10", headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["etag"] == etag and r.headers["x-total-count"] == "230"
    assert "content-length" not in r.headers and "content-type" not in r.headers
    for other in ('"nope"', f'W/{etag[:-2]}x"'):
        assert client.get("/items?offset=5&limit=10", headers={"If-None-Match": other}).status_code == 200
    assert client.get("/items?offset=6&limit=10", headers={"If-None-Match": etag}).status_code == 200
    assert client.get("/items?offset=5&limit=10", headers={"If-None-Match": f'"a", W/{etag}'}).status_code == 304


def test_bad_parameters_give_a_json_400():
    client = TestClient(fastapi_app())
    for query, name in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("offset=x", "offset"),
        ("offset=1&offset=2", "offset"),
    ]:
        r = client.get(f"/items?{query}")
        assert r.status_code == 400, query
        assert r.headers["content-type"] == "application/json"
        [error] = r.json()["detail"]
        assert error["loc"] == ["query", name]
    r = client.get("/items?offset=-1&limit=abc")
    assert r.status_code == 400 and len(r.json()["detail"]) == 2


def test_openapi_lists_the_parameters():
    schema = TestClient(fastapi_app()).get("/openapi.json").json()
    names = [p["name"] for p in schema["paths"]["/items"]["get"]["parameters"]]
    assert names == ["offset", "limit"]


def test_page_response_from_a_page_read():
    read = PageRead(DOC.page(10, 5), 10, 5, 10, 15, 230, 0x1234)

    async def endpoint(request):
        return PageResponse(read, 10, 5)

    client = TestClient(Starlette(routes=[Route("/p", endpoint)]))
    r = client.get("/p?offset=10&limit=5")
    assert r.content == DOC.page(10, 5)
    assert r.headers["etag"] == '"sj-0000000000001234-10-15"'
    assert r.headers["link"] == '<?offset=15&limit=5>; rel="next", <?offset=5&limit=5>; rel="prev"'


def test_plain_starlette_with_the_exception_handlers():
    async def endpoint(request):
        page = parse_page_params(request, max_limit=10)
        return PageResponse(DOC, page.offset, page.limit)

    app = Starlette(routes=[Route("/p", endpoint)], exception_handlers=exception_handlers)
    client = TestClient(app)
    r = client.get("/p?limit=11")
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"
    assert r.json()["detail"][0]["type"] == "less_than_equal"
    assert client.get("/p?limit=3").content == DOC.page(0, 3)
