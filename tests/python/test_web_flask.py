"""slotjson.web.flask under Flask's test client."""

from __future__ import annotations

from redis_server import import_or_skip

import_or_skip("flask")

import slotjson
from flask import Flask
from slotjson.web.flask import json_response, page_response, parse_page_params

DOC = slotjson.dumps_indexed([{"id": i, "name": f"n{i}"} for i in range(42)])


@slotjson.model
class Point:
    x: int
    y: float


def make_app() -> Flask:
    app = Flask(__name__)

    @app.get("/page")
    def page():
        params = parse_page_params(max_limit=20)
        return page_response(DOC, params.offset, params.limit)

    @app.get("/model")
    def model():
        return json_response({"points": [Point(1, 2.5)]}, status=201)

    return app


def test_json_response():
    r = make_app().test_client().get("/model")
    assert r.status_code == 201 and r.content_type == "application/json"
    assert r.data == b'{"points":[{"x":1,"y":2.5}]}'


def test_page_headers_and_304():
    client = make_app().test_client()
    r = client.get("/page?offset=30&limit=10")
    assert r.status_code == 200 and r.data == DOC.page(30, 10)
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers["Content-Length"] == str(len(r.data))
    assert r.headers["X-Total-Count"] == "42"
    assert r.headers["Link"] == '<?offset=40&limit=10>; rel="next", <?offset=20&limit=10>; rel="prev"'
    etag = r.headers["ETag"]
    again = client.get("/page?offset=30&limit=10", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and "Content-Type" not in again.headers
    assert client.get("/page").data == DOC.page(0, 20)


def test_bad_parameters_give_a_json_400():
    client = make_app().test_client()
    for query in ("limit=21", "limit=-3", "offset=1.0", "limit=1&limit=2"):
        r = client.get(f"/page?{query}")
        assert r.status_code == 400, query
        assert r.content_type == "application/json"
        assert r.get_json()["detail"][0]["loc"][0] == "query"
