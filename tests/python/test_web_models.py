"""FastAPI with pydantic response models, and the OpenAPI schema of page endpoints."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated

from redis_server import import_or_skip

import_or_skip("starlette")
import_or_skip("httpx")
import_or_skip("fastapi")
pydantic = import_or_skip("pydantic")

import slotjson
from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict, Field
from slotjson.web import PageParams
from slotjson.web.starlette import JSONResponse, PageResponse, page_openapi, page_params
from starlette.testclient import TestClient


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class Author(BaseModel):
    model_config = ConfigDict(alias_generator=camel, populate_by_name=True)
    login_name: str
    joined_at: datetime


class PullRequest(BaseModel):
    model_config = ConfigDict(alias_generator=camel, populate_by_name=True)
    repo_name: str
    number: int = Field(serialization_alias="id")
    author: Author
    labels: list[str] = []
    internal: str = Field(default="x", exclude=True)


PRS = [
    PullRequest(repo_name="slotjson", number=n, labels=["perf"] * (n % 3),
                author=Author(login_name=f"user{n}", joined_at=datetime(2024, 1, n % 28 + 1, tzinfo=timezone.utc)))
    for n in range(1, 60)
]
Pages = page_params(default_limit=20, max_limit=100, max_offset=10_000)


class UtcZ(JSONResponse):
    dumps_options = {"utc_z": True}  # UTC written as "Z", as pydantic does


def keys(value):
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [keys(v) for v in value]
    return None


def app() -> FastAPI:
    app = FastAPI()

    @app.get("/default", response_model=list[PullRequest])
    def default():
        return PRS  # FastAPI's own response class and serialization

    @app.get("/fast")
    def fast():
        return JSONResponse(PRS)  # the fast path: no conversion to builtins first

    @app.get("/fast_z")
    def fast_z():
        return UtcZ(PRS)

    @app.get("/validated", response_model=list[PullRequest], response_class=JSONResponse)
    def validated():
        return PRS  # response_model still validates; slotjson writes what FastAPI hands it

    @app.get("/pages", **Pages.openapi(PullRequest))
    def pages(page: Annotated[PageParams, Depends(Pages)]) -> PageResponse:
        return PageResponse(slotjson.dumps_indexed(PRS, by_alias=True, utc_z=True), page.offset, page.limit)

    @app.get("/plain", **page_openapi())
    def plain(page: Annotated[PageParams, Depends(page_params())]) -> PageResponse:
        return PageResponse(slotjson.dumps_indexed(PRS), page.offset, page.limit)

    return app


def test_switching_the_response_class_changes_no_key():
    client = TestClient(app())
    default = client.get("/default").json()
    fast = client.get("/fast")
    assert fast.headers["content-type"] == "application/json"
    assert keys(fast.json()) == keys(default)  # the same keys: aliases, in the same order
    assert [list(item) for item in fast.json()] == [list(item) for item in default]
    assert list(default[0]) == ["repoName", "id", "author", "labels"]
    assert list(default[0]["author"]) == ["loginName", "joinedAt"]
    assert client.get("/fast_z").json() == default  # and the same values with UTC as "Z"
    assert keys(client.get("/validated").json()) == keys(default)
    assert fast.content == slotjson.dumps(PRS, by_alias=True)


def test_page_endpoint_serves_aliases():
    client = TestClient(app())
    r = client.get("/pages?offset=5&limit=3")
    assert r.status_code == 200
    assert r.json() == client.get("/default").json()[5:8]
    assert r.headers["x-total-count"] == str(len(PRS))
    bad = client.get("/pages?limit=500")
    assert bad.status_code == 400 and bad.json()["detail"][0]["loc"] == ["query", "limit"]


def test_openapi_documents_page_endpoints():
    schema = TestClient(app()).get("/openapi.json").json()
    op = schema["paths"]["/pages"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert list(params) == ["offset", "limit"]
    assert params["offset"]["in"] == params["limit"]["in"] == "query"
    assert params["offset"]["schema"] == {"type": "integer", "minimum": 0, "default": 0, "maximum": 10_000}
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert set(op["responses"]) == {"200", "304", "400"}  # no 422: FastAPI validates nothing here
    error = op["responses"]["400"]["content"]["application/json"]["schema"]
    assert error["required"] == ["detail"] and error["properties"]["detail"]["type"] == "array"
    page = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["type"] == "array"
    ref = page["items"]["$ref"].rsplit("/", 1)[1]
    assert "PullRequest" in ref
    model = schema["components"]["schemas"][ref]
    assert set(model["properties"]) == {"repoName", "id", "author", "labels"}
    assert set(op["responses"]["200"]["headers"]) == {"X-Total-Count", "Link", "ETag"}
    plain = schema["paths"]["/plain"]["get"]
    assert {p["name"]: p["schema"]["default"] for p in plain["parameters"]} == {"offset": 0, "limit": 50}
    assert "422" not in plain["responses"]
    # Every $ref resolves, and the whole document is JSON.
    text = json.dumps(schema)
    for name in {part.split('"')[0] for part in text.split('"#/components/schemas/')[1:]}:
        assert name in schema["components"]["schemas"]
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return
    validate(schema)
