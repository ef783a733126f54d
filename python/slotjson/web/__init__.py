"""Serving slotjson pages over HTTP: the framework-independent parts.

The adapters (``slotjson.web.starlette`` for Starlette and FastAPI,
``slotjson.web.aiohttp``, ``slotjson.web.flask``) are thin: they read the
request and build their framework's response from what is here:

- ``parse_page_params``: ``offset``/``limit`` query parameters, checked
  (ASCII digits only, bounds, a maximum page size); bad values raise
  ``PageParamError``, whose ``body`` is the JSON for a 400 response.
- ``prepare_page``: the body, total and ``ETag`` of a page from a
  ``Document``, a ``slotjson.cache.PageRead`` or bytes already cut.
- ``page_headers``: ``Content-Type``, ``X-Total-Count``, an RFC 8288 ``Link``
  header (``next``/``prev``) and the ``ETag``.
- ``etag_matches``: RFC 9110 ``If-None-Match`` evaluation, for 304 answers.
- ``unavailable_response``: the JSON ``503`` with ``Retry-After`` that the
  adapters answer when the document store cannot be reached
  (``slotjson.cache.StoreUnavailableError``, or redis-py's connection and
  timeout errors); ``UNAVAILABLE_ERRORS`` lists the exception types.

Importing this package needs no web framework.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._native import Document, dumps, sj64
from ..cache._client import StoreUnavailableError, unavailable_errors
from ..cache._page import PageRead

__all__ = [
    "DEFAULT_LIMIT",
    "JSON_CONTENT_TYPE",
    "MAX_LIMIT",
    "NOT_MODIFIED_KEEP",
    "PageParamError",
    "PageParams",
    "PreparedPage",
    "UNAVAILABLE_ERRORS",
    "UnavailableResponse",
    "etag_matches",
    "link_header",
    "page_headers",
    "parse_page_params",
    "prepare_page",
    "unavailable_response",
]

JSON_CONTENT_TYPE = "application/json"
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
#: Offsets past this are refused whatever ``max_offset`` says: the page
#: readers take unsigned 64-bit offsets.
_OFFSET_CEILING = (1 << 63) - 1
#: At most 19 digits: anything longer is out of range before it is parsed,
#: so a megabyte of digits costs nothing.
_DIGITS = re.compile(r"[0-9]{1,19}")


class PageParams(NamedTuple):
    """Checked page parameters."""

    offset: int
    limit: int


class PageParamError(ValueError):
    """Bad ``offset``/``limit`` query parameters: a client error (400).

    ``errors`` lists one entry per bad parameter, shaped like FastAPI's
    validation errors (``type``, ``loc``, ``msg``, ``input``) so clients can
    handle both alike; ``body`` is ``{"detail": errors}`` as JSON bytes.
    """

    status_code = 400

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(e["msg"] for e in errors))
        self.errors = errors

    @property
    def body(self) -> bytes:
        return dumps({"detail": self.errors})


def _values(query: Any, name: str) -> list[str]:
    """All values of ``name`` in a query mapping: Starlette's and werkzeug's
    ``getlist``, aiohttp's ``getall`` or a plain mapping's single value."""
    if hasattr(query, "getlist"):
        return list(query.getlist(name))
    if hasattr(query, "getall"):
        return list(query.getall(name, []))
    value = query.get(name)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _error(kind: str, name: str, msg: str, raw: str | list[str]) -> dict[str, Any]:
    return {"type": kind, "loc": ["query", name], "msg": msg, "input": raw}


def _parse_one(query: Any, name: str, default: int, low: int, high: int) -> int | dict[str, Any]:
    values = _values(query, name)
    if not values:
        return default
    if len(values) > 1:
        return _error("multiple_values", name, f"{name} must be given once, not {len(values)} times", values)
    raw = values[0]
    if not _DIGITS.fullmatch(raw):
        what = "a whole number" if low == 0 else "a positive whole number"
        return _error("int_parsing", name, f"{name} must be {what} written in digits 0-9", raw)
    value = int(raw)
    if value < low:
        return _error("greater_than_equal", name, f"{name} must be at least {low}", raw)
    if value > high:
        return _error("less_than_equal", name, f"{name} must be at most {high}", raw)
    return value


def _query_mapping(query: Any) -> Any:
    """``query`` as something ``_values`` reads: a query string is parsed;
    a mapping is taken as it is; a request object (which may itself be a
    mapping, as Starlette's and aiohttp's are) or anything else is refused
    rather than read as an empty query."""
    if isinstance(query, (bytes, bytearray)):
        query = bytes(query).decode("latin-1")
    if isinstance(query, str):
        parsed: dict[str, list[str]] = {}
        for name, value in parse_qsl(query.removeprefix("?"), keep_blank_values=True):
            parsed.setdefault(name, []).append(value)
        return parsed
    for attribute, instead in (
        ("query_params", "request.query_params"),
        ("rel_url", "request.query"),
        ("args", "request.args"),
    ):
        if hasattr(query, attribute):
            raise TypeError(
                f"parse_page_params takes a query mapping or a query string, not a {type(query).__name__}: "
                f"pass {instead}, or use the parse_page_params of your framework's slotjson.web module"
            )
    if isinstance(query, Mapping) or hasattr(query, "getlist") or hasattr(query, "getall"):
        return query
    raise TypeError(f"parse_page_params takes a query mapping or a query string, not {type(query).__name__}")


def parse_page_params(
    query: Mapping[str, Any] | str | bytes,
    *,
    default_limit: int | None = None,
    max_limit: int = MAX_LIMIT,
    max_offset: int | None = None,
) -> PageParams:
    """Read ``offset`` (default 0, at most ``max_offset``) and ``limit``
    (default ``default_limit``, itself by default 50 or ``max_limit`` if
    smaller; 1..``max_limit``) from a query mapping (a dict, Starlette's
    ``request.query_params``, aiohttp's ``request.query``, werkzeug's
    ``request.args``) or a query string (``"offset=10&limit=5"``). Anything
    else, a request object included, raises ``TypeError``.

    Only plain ASCII digits are accepted (no sign, spaces, ``_``, exponent or
    other scripts' digits, which ``int()`` would take); a parameter given twice
    is an error rather than a guess. All problems are reported at once in the
    ``PageParamError``.
    """
    if default_limit is None:
        default_limit = min(DEFAULT_LIMIT, max_limit)
    if not 1 <= default_limit <= max_limit:
        raise ValueError(f"default_limit must be between 1 and max_limit ({max_limit}), not {default_limit}")
    query = _query_mapping(query)
    offset_high = _OFFSET_CEILING if max_offset is None else min(max_offset, _OFFSET_CEILING)
    offset = _parse_one(query, "offset", 0, 0, offset_high)
    limit = _parse_one(query, "limit", default_limit, 1, max_limit)
    errors = [p for p in (offset, limit) if isinstance(p, dict)]
    if errors:
        raise PageParamError(errors)
    assert isinstance(offset, int) and isinstance(limit, int)
    return PageParams(offset, limit)


# ---------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class PreparedPage:
    """A page ready to send: its JSON array, the item count of the whole
    document (None when unknown) and a strong ETag."""

    body: bytes
    total: int | None
    etag: str


def _checksum_etag(checksum: int, start: int, stop: int) -> str:
    # The container checksum identifies the document's bytes; with the item
    # range it identifies the page's bytes without hashing them.
    return f'"sj-{checksum:016x}-{start}-{stop}"'


def _body_etag(body: bytes) -> str:
    return f'"sjb-{sj64(body):016x}"'


def prepare_page(
    source: Document | PageRead | bytes | bytearray | memoryview,
    offset: int,
    limit: int | None,
    *,
    total: int | None = None,
) -> PreparedPage:
    """The body, total and ETag of a page.

    - A ``Document``: ``doc.page(offset, limit)``; the total is ``len(doc)``.
      An in-memory document has no stored checksum, so the ETag is the SJ64
      of the page's bytes (hashed at memory speed).
    - A ``PageRead`` from ``slotjson.cache``: its body and total; the ETag
      comes from the container checksum and the item range, at no cost.
    - Bytes: a JSON array already cut; ``total`` as given (None leaves
      ``X-Total-Count`` and the ``next`` link out), ETag from the bytes.
    """
    if isinstance(source, PageRead):  # first: the one on every request of a service
        if source.checksum is None:
            etag = _body_etag(source.body)
        else:
            etag = _checksum_etag(source.checksum, source.start, source.stop)
        return PreparedPage(source.body, source.total if total is None else total, etag)
    if isinstance(source, Document):
        body = source.page(offset, limit)
        return PreparedPage(body, len(source) if total is None else total, _body_etag(body))
    if isinstance(source, (bytes, bytearray, memoryview)):
        body = bytes(source)
        return PreparedPage(body, total, _body_etag(body))
    raise TypeError(f"expected a slotjson.Document, a PageRead or bytes, not {type(source).__name__}")


#: A relative target whose query is plain ``name=value`` pairs of unreserved
#: characters: what urlencode(parse_qsl(...)) gives back unchanged, so the
#: links can be built without either (a third of a page response's time).
_PLAIN_QUERY = re.compile(r"\?(?:[A-Za-z0-9._~-]+=[A-Za-z0-9._~-]*(?:&[A-Za-z0-9._~-]+=[A-Za-z0-9._~-]*)*)?")


def _with_params(target: str, offset: int, limit: int) -> str:
    """``target`` (a URL or a path with a query) with its ``offset`` and
    ``limit`` replaced and its other parameters kept in order."""
    if _PLAIN_QUERY.fullmatch(target):
        kept = [p for p in target[1:].split("&") if p and not p.startswith(("offset=", "limit="))]
        kept += (f"offset={offset}", f"limit={limit}")
        return "?" + "&".join(kept)
    parts = urlsplit(target)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("offset", "limit")]
    query = urlencode([*kept, ("offset", offset), ("limit", limit)])
    return urlunsplit(parts._replace(query=query))


def link_header(target: str, offset: int, limit: int, total: int | None) -> str | None:
    """An RFC 8288 ``Link`` value with ``next`` (when more items follow
    ``offset + limit``; needs ``total``) and ``prev`` (when ``offset > 0``),
    or None when there is neither. ``target`` is the request URL, absolute
    or a path with its query; relative references resolve against it."""
    links = []
    if total is not None and offset + limit < total:
        links.append(f'<{_with_params(target, offset + limit, limit)}>; rel="next"')
    if offset > 0:
        previous = max(0, min(offset, total if total is not None else offset) - limit)
        links.append(f'<{_with_params(target, previous, limit)}>; rel="prev"')
    return ", ".join(links) or None


def page_headers(page: PreparedPage, target: str | None, offset: int, limit: int) -> dict[str, str]:
    """The headers of a 200 page response (without ``Content-Length``, which
    every framework sets from the body)."""
    headers = {"Content-Type": JSON_CONTENT_TYPE, "ETag": page.etag}
    if page.total is not None:
        headers["X-Total-Count"] = str(page.total)
    if target is not None:
        link = link_header(target, offset, limit, page.total)
        if link is not None:
            headers["Link"] = link
    return headers


#: The headers a 304 answer repeats from the 200 it stands for (RFC 9110,
#: 15.4.5); the body's own headers are left out.
NOT_MODIFIED_KEEP = frozenset(
    {"etag", "cache-control", "content-location", "date", "expires", "vary", "link", "x-total-count"}
)


_ENTITY_TAG = re.compile(r'\s*(W/)?("[^"]*")\s*(?:,|$)')


def etag_matches(if_none_match: str | Iterable[str] | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` value (or several header lines) matches
    ``etag`` under the weak comparison RFC 9110 prescribes for it: ``*``
    matches anything, ``W/`` prefixes are ignored."""
    if if_none_match is None:
        return False
    values = [if_none_match] if isinstance(if_none_match, str) else list(if_none_match)
    opaque = etag.removeprefix("W/")
    for value in values:
        if value.strip() == "*":
            return True
        for match in _ENTITY_TAG.finditer(value):
            if match.group(2) == opaque:
                return True
    return False


# ---------------------------------------------------------------- failures

#: What the adapters answer with a 503: the store's own error, and redis-py's
#: errors that mean "not now" (refused or lost connection, timeout, loading,
#: a cluster that is down) for endpoints that use the client directly.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (StoreUnavailableError,)
try:
    UNAVAILABLE_ERRORS += unavailable_errors()
except ImportError:  # redis-py is an optional extra
    pass


class UnavailableResponse(NamedTuple):
    """The parts of a 503 answer, for any framework."""

    status: int
    body: bytes
    headers: dict[str, str]


def unavailable_response(error: BaseException | None = None) -> UnavailableResponse:
    """A JSON ``503 Service Unavailable``: ``{"detail": "..."}`` with
    ``Retry-After`` (``error.retry_after`` seconds when it has one, else 1)
    and ``Cache-Control: no-store``. The error's own text (which names hosts
    and ports) is not sent to the client."""
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
        retry_after = 1
    body = dumps({"detail": "the document store is unavailable; retry later"})
    headers = {"Content-Type": JSON_CONTENT_TYPE, "Retry-After": str(retry_after), "Cache-Control": "no-store"}
    return UnavailableResponse(503, body, headers)
