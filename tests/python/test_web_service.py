"""End to end: examples/service.py under uvicorn on loopback, backed by a
real redis-server, queried over HTTP."""

from __future__ import annotations

import importlib.util
import json
import random
import socket
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis_server as servers
from redis_server import import_or_skip

import_or_skip("fastapi")
uvicorn = import_or_skip("uvicorn")
httpx = import_or_skip("httpx")

import slotjson

SERVICE = Path(__file__).resolve().parents[2] / "examples" / "service.py"
START_TIMEOUT = 60.0


def _load_service():
    name = "slotjson_example_service"
    spec = importlib.util.spec_from_file_location(name, SERVICE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # the models' annotations resolve through it
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def service():
    return _load_service()


@pytest.fixture(scope="module")
def expected(service):
    """The full JSON, independently: the same seeded models through dumps."""
    models = service.build_pull_requests(service.COUNT, service.SEED)
    full = slotjson.dumps(models)
    return models, json.loads(full)


@contextmanager
def _serving(app):
    """``app`` under uvicorn on a free loopback port, in a thread."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the example service did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def base_url(service, redis_server):  # noqa: F811
    with _serving(service.create_app(redis_server.url)) as url:
        yield url


@pytest.fixture
def http(base_url):
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


def test_pages_are_slices_of_the_full_json(http, expected):
    models, full = expected
    rng = random.Random(7)
    pages = [(0, 50), (0, 1), (99_950, 50), (99_999, 500), (12_345, 500), (100_000, 10)]
    pages += [(rng.randrange(100_000), rng.randrange(1, 501)) for _ in range(20)]
    for offset, limit in pages:
        r = http.get("/pull_requests", params={"offset": offset, "limit": limit})
        assert r.status_code == 200, (offset, limit, r.text)
        assert r.content == slotjson.dumps(models[offset : offset + limit])
        assert r.json() == full[offset : offset + limit]


def test_headers(http):
    r = http.get("/pull_requests?offset=100&limit=25")
    assert r.headers["content-type"] == "application/json"
    assert int(r.headers["content-length"]) == len(r.content)
    assert r.headers["x-total-count"] == "100000"
    assert r.headers["link"] == '<?offset=125&limit=25>; rel="next", <?offset=75&limit=25>; rel="prev"'
    etag = r.headers["etag"]
    assert etag.startswith('"sj-') and etag.endswith('-100-125"')
    assert http.get("/pull_requests?offset=100&limit=25", headers={"If-None-Match": etag}).status_code == 304
    assert http.get("/pull_requests?offset=101&limit=25").headers["etag"] != etag
    first = http.get("/pull_requests")
    assert len(first.json()) == 50 and first.headers["link"] == '<?offset=50&limit=50>; rel="next"'
    last = http.get("/pull_requests?offset=99990&limit=25")
    assert len(last.json()) == 10 and last.headers["link"] == '<?offset=99965&limit=25>; rel="prev"'


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=501", "limit=ten", "offset=-5", "offset=1e3", "offset=1&offset=2", "limit=", "offset=0x10"],
)
def test_bad_parameters_give_400(http, query):
    r = http.get(f"/pull_requests?{query}")
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json"
    detail = r.json()["detail"]
    assert detail and all(e["loc"][0] == "query" for e in detail)


def test_the_document_lives_in_redis(http, redis_server, service):  # noqa: F811
    import redis

    client = redis.Redis(host="127.0.0.1", port=redis_server.port)
    [key] = client.keys("pull_requests:*")
    doc = slotjson.Document.from_bytes(client.get(key), verify=True)
    assert len(doc) == service.COUNT
    assert http.get("/pull_requests?offset=5&limit=3").content == doc.page(5, 3)


def test_the_service_recovers_from_a_redis_restart(service):
    """Redis stops under a client loop, then comes back empty: meanwhile
    every answer is a JSON 503 with Retry-After; then pages again, rebuilt
    by the service itself (no restart of the service)."""
    binary = servers.find_binary()
    if binary is None:
        servers.require_or_skip("redis-server is not installed")
    count = 2000
    doc = slotjson.dumps_indexed(service.build_pull_requests(count, service.SEED))
    redis = servers.start(binary)
    try:
        with (
            _serving(service.create_app(redis.url, count=count)) as url,
            httpx.Client(base_url=url, timeout=30) as http,
        ):
            assert http.get("/pull_requests?offset=10&limit=5").content == doc.page(10, 5)
            redis.stop()
            statuses = []
            for _ in range(3):
                r = http.get("/pull_requests?offset=10&limit=5")
                statuses.append(r.status_code)
                assert r.status_code == 503 and r.headers["content-type"] == "application/json"
                assert r.headers["retry-after"] == "1" and "unavailable" in r.json()["detail"]
            redis = servers.start(binary, port=redis.port)  # empty: the document is gone
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                r = http.get("/pull_requests?offset=1990&limit=20")
                if r.status_code == 200:
                    break
                assert r.status_code == 503 and r.headers["retry-after"] and r.json()["detail"]
                assert time.monotonic() < deadline, "the service did not recover"
                time.sleep(0.1)
            assert r.content == doc.page(1990, 20)
            assert r.headers["x-total-count"] == str(count)
    finally:
        redis.stop()
