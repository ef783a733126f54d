"""slotjson responses and page parameters for Flask.

- ``json_response(value)``: a response rendered by ``slotjson.dumps``.
- ``parse_page_params(...)``: checked ``PageParams`` from the current
  request; bad values abort with a 400 whose body is ``{"detail": [...]}``.
- ``page_response(source, offset, limit, ...)``: a page with
  ``X-Total-Count``, ``Link``, ``ETag`` and 304 for a matching
  ``If-None-Match``.
- ``register_error_handlers(app)``: an unreachable or failing Redis
  (``slotjson.cache.StoreUnavailableError``, redis-py's connection and
  timeout errors) becomes a JSON 503 with ``Retry-After``.

Needs ``flask`` (``pip install 'slotjson[flask]'``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, abort, request

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

__all__ = ["PageParams", "json_response", "page_response", "parse_page_params", "register_error_handlers"]


def json_response(
    value: Any,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **dumps_options: Any,
) -> Response:
    """``value`` written by ``slotjson.dumps(value, **dumps_options)``."""
    body = bytes(value) if isinstance(value, Document) else dumps(value, **dumps_options)
    return Response(body, status=status, headers=dict(headers or {}), mimetype=JSON_CONTENT_TYPE)


def parse_page_params(
    *,
    default_limit: int | None = None,
    max_limit: int = MAX_LIMIT,
    max_offset: int | None = None,
) -> PageParams:
    """Checked ``offset``/``limit`` of the current request; bad values abort
    it with a 400 and a JSON body."""
    try:
        return _parse(request.args, default_limit=default_limit, max_limit=max_limit, max_offset=max_offset)
    except PageParamError as e:
        abort(Response(e.body, status=400, mimetype=JSON_CONTENT_TYPE))


def page_response(
    source: Document | PageRead | bytes,
    offset: int,
    limit: int | None,
    *,
    total: int | None = None,
    base_url: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A page for the current request (see ``slotjson.web.prepare_page``).
    Links are built on ``base_url``, by default the request's query as a
    relative reference (``<?offset=60&limit=20>``)."""
    page = prepare_page(source, offset, limit, total=total)
    query = request.query_string.decode("latin-1")
    target = None if limit is None else (base_url if base_url is not None else f"?{query}")
    merged = page_headers(page, target, offset, limit or 0)
    merged.update(headers or {})
    if _etag_matches(request.headers.getlist("If-None-Match"), page.etag):
        kept = {k: v for k, v in merged.items() if k.lower() in NOT_MODIFIED_KEEP}
        not_modified = Response(status=304, headers=kept)
        del not_modified.headers["Content-Type"]  # the default one; a 304 has no body
        return not_modified
    return Response(page.body, headers=merged)


def _unavailable(error: BaseException) -> Response:
    status, body, headers = unavailable_response(error)
    return Response(body, status=status, headers=headers)


def register_error_handlers(app: Flask) -> Flask:
    """Answer an unavailable document store with a JSON 503 and
    ``Retry-After`` instead of Flask's HTML 500. Returns ``app``."""
    for error in UNAVAILABLE_ERRORS:
        app.register_error_handler(error, _unavailable)
    return app
