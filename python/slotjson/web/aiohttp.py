"""slotjson responses and page parameters for aiohttp.

- ``json_response(value)``: a response rendered by ``slotjson.dumps``.
- ``parse_page_params(request, ...)``: checked ``PageParams``; raises
  ``web.HTTPBadRequest`` with the JSON body ``{"detail": [...]}``.
- ``page_response(request, source, offset, limit, ...)``: a page with
  ``X-Total-Count``, ``Link``, ``ETag`` and 304 for a matching
  ``If-None-Match``.
- ``unavailable_middleware``: ``web.Application(middlewares=[...])``; an
  unreachable or failing Redis (``slotjson.cache.StoreUnavailableError``,
  redis-py's connection and timeout errors) becomes a JSON 503 with
  ``Retry-After``.

Needs ``aiohttp`` (``pip install 'slotjson[aiohttp]'``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .. import Document, dumps
from ..cache._page import PageRead
from . import (
    JSON_CONTENT_TYPE,
    MAX_LIMIT,
    NOT_MODIFIED_KEEP,
    UNAVAILABLE_ERRORS,
    PageParamError,
    PageParams,
    page_headers,
    prepare_page,
    unavailable_response,
)
from . import etag_matches as _etag_matches
from . import parse_page_params as _parse

__all__ = ["PageParams", "json_response", "page_response", "parse_page_params", "unavailable_middleware"]


def json_response(
    value: Any,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **dumps_options: Any,
) -> web.Response:
    """``value`` written by ``slotjson.dumps(value, **dumps_options)``."""
    body = bytes(value) if isinstance(value, Document) else dumps(value, **dumps_options)
    return web.Response(body=body, status=status, headers=headers, content_type=JSON_CONTENT_TYPE)


def parse_page_params(
    request: web.Request,
    *,
    default_limit: int | None = None,
    max_limit: int = MAX_LIMIT,
    max_offset: int | None = None,
) -> PageParams:
    """Checked ``offset``/``limit``; bad values raise a 400 with a JSON body."""
    try:
        return _parse(request.query, default_limit=default_limit, max_limit=max_limit, max_offset=max_offset)
    except PageParamError as e:
        raise web.HTTPBadRequest(text=e.body.decode(), content_type=JSON_CONTENT_TYPE) from None


def page_response(
    request: web.Request,
    source: Document | PageRead | bytes,
    offset: int,
    limit: int | None,
    *,
    total: int | None = None,
    base_url: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """A page (see ``slotjson.web.prepare_page``). Links are built on
    ``base_url``, by default the request's query as a relative reference
    (``<?offset=60&limit=20>``)."""
    page = prepare_page(source, offset, limit, total=total)
    target = None if limit is None else (base_url if base_url is not None else f"?{request.rel_url.raw_query_string}")
    merged = page_headers(page, target, offset, limit or 0)
    merged.update(headers or {})
    if _etag_matches(request.headers.getall("If-None-Match", []), page.etag):
        kept = {k: v for k, v in merged.items() if k.lower() in NOT_MODIFIED_KEEP}
        return web.Response(status=304, headers=kept)
    content_type = merged.pop("Content-Type")
    return web.Response(body=page.body, headers=merged, content_type=content_type)


@web.middleware
async def unavailable_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Answer an unavailable document store with a JSON 503 and
    ``Retry-After`` instead of aiohttp's plain-text 500."""
    try:
        return await handler(request)  # type: ignore[no-any-return]
    except UNAVAILABLE_ERRORS as e:
        status, body, headers = unavailable_response(e)
        content_type = headers.pop("Content-Type")
        return web.Response(body=body, status=status, headers=headers, content_type=content_type)
