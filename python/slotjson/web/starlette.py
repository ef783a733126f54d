"""slotjson responses and page parameters for Starlette and FastAPI.

- ``JSONResponse``: renders with ``slotjson.dumps`` (dataclasses, models,
  builtins; a ``Document`` is sent as its JSON array). Usable as FastAPI's
  ``default_response_class``, though FastAPI first turns returned values
  into builtins; return ``JSONResponse(value)`` to skip that step.
- ``PageResponse``: a page of a ``Document`` or a ``slotjson.cache.PageRead``
  with ``X-Total-Count``, ``Link`` (``next``/``prev``) and ``ETag``, answering
  a matching ``If-None-Match`` with 304.
- ``page_params(...)``: a FastAPI dependency giving checked ``PageParams``;
  ``parse_page_params(request)`` for plain Starlette. Bad values raise
  ``PageParamHTTPException``, a 400 with the JSON body ``{"detail": [...]}``.
- ``exception_handlers``: pass it to ``Starlette(exception_handlers=...)`` or
  ``FastAPI(exception_handlers=...)``: page parameter errors become that
  JSON 400 (FastAPI renders it so by itself too), and an unreachable or
  failing Redis (``slotjson.cache.StoreUnavailableError``, redis-py's
  connection and timeout errors) a JSON 503 with ``Retry-After``.

Needs ``starlette`` (``pip install 'slotjson[web]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .. import Document, dumps
from ..cache._page import PageRead
from . import (
    DEFAULT_LIMIT,
    JSON_CONTENT_TYPE,
    MAX_LIMIT,
    NOT_MODIFIED_KEEP,
    UNAVAILABLE_ERRORS,
    PageParamError,
    PageParams,
    etag_matches,
    link_header,
    page_headers,
    prepare_page,
    unavailable_response,
)
from . import parse_page_params as _parse

__all__ = [
    "JSONResponse",
    "PageParamHTTPException",
    "PageParams",
    "PageResponse",
    "exception_handlers",
    "page_openapi",
    "page_params",
    "parse_page_params",
]


_JSON_BYTES = JSON_CONTENT_TYPE.encode()


class JSONResponse(Response):
    """A JSON response rendered by ``slotjson.dumps``.

    Subclass and set ``dumps_options`` (e.g. ``{"utc_z": True}``) to change
    how values are written. pydantic models are written with their aliases
    (``by_alias=True``), as FastAPI sends them; set ``"by_alias"`` in
    ``dumps_options`` to change that.
    """

    media_type = JSON_CONTENT_TYPE
    dumps_options: ClassVar[Mapping[str, Any]] = {}

    def render(self, content: Any) -> bytes:
        if isinstance(content, Document):
            return bytes(content)
        return dumps(content, **{"by_alias": True, **self.dumps_options})


class PageResponse(Response):
    """A page of a document: ``source`` is a ``Document``, a ``PageRead`` or
    the page's bytes (see ``slotjson.web.prepare_page``).

    ``offset`` and ``limit`` are the request's (for the ``Link`` header);
    ``base_url`` is the URL the links are built on. By default they are
    relative references made of the request's query (``<?offset=60&limit=20>``),
    which resolve against the request URL whatever host or path prefix a
    proxy put in front; pass ``base_url=str(request.url)`` for absolute
    ones. A request whose
    ``If-None-Match`` matches the ``ETag`` gets a 304 without a body.
    """

    media_type = JSON_CONTENT_TYPE

    def __init__(
        self,
        source: Document | PageRead | bytes,
        offset: int,
        limit: int | None,
        *,
        total: int | None = None,
        base_url: str | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.page = page = prepare_page(source, offset, limit, total=total)
        self.offset = offset
        self.limit = limit
        self._link_pending = base_url is None and limit is not None
        if isinstance(source, PageRead) and source.headers is not None and total is None and headers is None:
            if base_url is None and status_code == 200:
                # Built by the native step that read the page.
                self.status_code = status_code
                self.background = background
                self.body = page.body
                self.raw_headers = list(source.headers)
                return
        if headers is None and base_url is None:
            # What Response.__init__ would build, built directly (this runs
            # on every request): ETag, X-Total-Count, Content-Length and
            # Content-Type; the Link waits for the request's query.
            self.status_code = status_code
            self.background = background
            self.body = page.body
            raw = [(b"etag", page.etag.encode("latin-1"))]
            if page.total is not None:
                raw.append((b"x-total-count", b"%d" % page.total))
            if not (status_code < 200 or status_code in (204, 304)):
                raw.append((b"content-length", b"%d" % len(page.body)))
            raw.append((b"content-type", _JSON_BYTES))
            self.raw_headers = raw
            return
        merged = page_headers(self.page, base_url if limit is not None else None, offset, limit or 0)
        del merged["Content-Type"]  # set from media_type
        merged.update(headers or {})
        super().__init__(self.page.body, status_code, merged, background=background)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._link_pending:
            # Only the request knows its own URL.
            self._link_pending = False
            target = "?" + scope.get("query_string", b"").decode("latin-1")
            assert self.limit is not None
            link = link_header(target, self.offset, self.limit, self.page.total)
            if link is not None:
                self.raw_headers.append((b"link", link.encode("latin-1")))
        conditions = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"if-none-match"]
        if conditions and 200 <= self.status_code < 300 and etag_matches(conditions, self.page.etag):
            kept = [(k, v) for k, v in self.raw_headers if k.decode("latin-1") in NOT_MODIFIED_KEEP]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            if self.background is not None:
                await self.background()
            return
        await super().__call__(scope, receive, send)


class PageParamHTTPException(HTTPException):
    """Bad ``offset``/``limit``: status 400, ``detail`` the error list of the
    ``PageParamError`` (kept as ``.error``)."""

    def __init__(self, error: PageParamError) -> None:
        super().__init__(400, detail=error.errors)  # type: ignore[arg-type]
        self.error = error


def parse_page_params(
    request: Request,
    *,
    default_limit: int | None = None,
    max_limit: int = MAX_LIMIT,
    max_offset: int | None = None,
) -> PageParams:
    """Checked ``offset``/``limit`` of a request; raises
    ``PageParamHTTPException`` (400) for bad values."""
    try:
        return _parse(request.query_params, default_limit=default_limit, max_limit=max_limit, max_offset=max_offset)
    except PageParamError as e:
        raise PageParamHTTPException(e) from None


def page_params(
    *,
    default_limit: int | None = None,
    max_limit: int = MAX_LIMIT,
    max_offset: int | None = None,
) -> Callable[..., PageParams]:
    """A FastAPI dependency: ``page: PageParams = Depends(page_params(max_limit=500))``.

    ``offset`` and ``limit`` are read and checked here, not declared to
    FastAPI, so that bad values get this module's 400 rather than FastAPI's
    422, and repeated ones are refused. The dependency's ``openapi(item)``
    gives the route decorator's keyword arguments that document them (see
    ``page_openapi``).
    """
    # Checked now, not on the first request.
    _parse({}, default_limit=default_limit, max_limit=max_limit, max_offset=max_offset)

    # A coroutine: FastAPI runs a plain function in its thread pool, a hop
    # that costs more than the parsing itself.
    async def dependency(request: Request) -> PageParams:
        try:
            return _parse(request.query_params, default_limit=default_limit, max_limit=max_limit, max_offset=max_offset)
        except PageParamError as e:
            raise PageParamHTTPException(e) from None

    def openapi(item: Any = None) -> dict[str, Any]:
        return page_openapi(item, default_limit=default_limit, max_limit=max_limit, max_offset=max_offset)

    dependency.openapi = openapi  # type: ignore[attr-defined]
    return dependency


#: The 400 body of bad page parameters, as a JSON schema (FastAPI's error shape).
PAGE_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "PageParamError",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "loc", "msg", "input"],
                "properties": {
                    "type": {"type": "string", "enum": [
                        "int_parsing", "greater_than_equal", "less_than_equal", "multiple_values"]},
                    "loc": {"type": "array", "items": {"type": "string"}, "example": ["query", "limit"]},
                    "msg": {"type": "string"},
                    "input": {},
                },
            },
        }
    },
}


def page_openapi(
    item: Any = None,
    *,
    default_limit: int | None = None,
    max_limit: int = MAX_LIMIT,
    max_offset: int | None = None,
) -> dict[str, Any]:
    """Keyword arguments for a FastAPI route decorator that document a page
    endpoint: ``@app.get("/items", **page_openapi(Item, max_limit=500))``
    (or ``**Pages.openapi(Item)`` for a dependency ``Pages = page_params(...)``,
    which passes its own limits).

    The parameters the dependency reads itself appear as ``offset`` and
    ``limit``, integers with their bounds and defaults; the 200 response is an
    array of ``item`` (any class pydantic can describe: a pydantic model, a
    dataclass; omitted when None) with the ``X-Total-Count``, ``Link`` and
    ``ETag`` headers; 304 answers a matching ``If-None-Match``; 400 carries the
    ``{"detail": [...]}`` body of bad parameters. No 422 is listed: the
    dependency declares no parameters for FastAPI to validate.
    """
    if default_limit is None:
        default_limit = min(DEFAULT_LIMIT, max_limit)
    offset_schema: dict[str, Any] = {"type": "integer", "minimum": 0, "default": 0}
    if max_offset is not None:
        offset_schema["maximum"] = max_offset
    parameters = [
        {"name": "offset", "in": "query", "required": False, "schema": offset_schema,
         "description": "Index of the first item (plain digits)."},
        {"name": "limit", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": max_limit, "default": default_limit},
         "description": "Number of items at most (plain digits)."},
    ]
    ok: dict[str, Any] = {
        "description": "The page: a JSON array of the items in the range.",
        "headers": {
            "X-Total-Count": {"schema": {"type": "integer"}, "description": "Items in the whole list."},
            "Link": {"schema": {"type": "string"}, "description": "rel=\"next\" and rel=\"prev\" pages."},
            "ETag": {"schema": {"type": "string"}, "description": "Identifies this page of this version."},
        },
    }
    if item is not None:
        ok["model"] = list[item]  # type: ignore[valid-type]
    return {
        "openapi_extra": {"parameters": parameters},
        "responses": {
            200: ok,
            304: {"description": "Not modified: the If-None-Match ETag matches."},
            400: {
                "description": "Bad offset or limit.",
                "content": {JSON_CONTENT_TYPE: {"schema": PAGE_ERROR_SCHEMA}},
            },
        },
    }


async def _page_param_error(request: Request, exc: Exception) -> Response:
    error = exc.error if isinstance(exc, PageParamHTTPException) else exc
    assert isinstance(error, PageParamError)
    return Response(error.body, 400, media_type=JSON_CONTENT_TYPE)


async def _unavailable(request: Request, exc: Exception) -> Response:
    status, body, headers = unavailable_response(exc)
    return Response(body, status, headers)


#: For ``Starlette(exception_handlers=...)`` and ``FastAPI(exception_handlers=
#: ...)``: page parameter errors as the JSON 400 FastAPI would write, and an
#: unavailable store as a JSON 503 with ``Retry-After``.
exception_handlers: dict[Any, Callable[..., Any]] = {
    PageParamHTTPException: _page_param_error,
    PageParamError: _page_param_error,
    **dict.fromkeys(UNAVAILABLE_ERRORS, _unavailable),
}
