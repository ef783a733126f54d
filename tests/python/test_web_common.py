"""slotjson.web's framework-free parts: page parameters, Link, ETag."""

from __future__ import annotations

import json

import pytest
import slotjson
from slotjson.cache import PageRead
from slotjson.web import (
    PageParamError,
    PageParams,
    etag_matches,
    link_header,
    page_headers,
    parse_page_params,
    prepare_page,
)

DOC = slotjson.dumps_indexed([{"i": i} for i in range(120)])


class MultiDict:
    """The ``getlist`` interface of Starlette's and werkzeug's query dicts."""

    def __init__(self, pairs):
        self.pairs = pairs

    def getlist(self, name):
        return [v for k, v in self.pairs if k == name]


# ---------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    "query,expected",
    [
        ({}, PageParams(0, 50)),
        ({"offset": "10"}, PageParams(10, 50)),
        ({"limit": "1"}, PageParams(0, 1)),
        ({"offset": "0", "limit": "100"}, PageParams(0, 100)),
        ({"offset": "007", "limit": "020"}, PageParams(7, 20)),
        ({"offset": "9223372036854775807"}, PageParams(2**63 - 1, 50)),
        ({"other": "x"}, PageParams(0, 50)),
    ],
)
def test_good_parameters(query, expected):
    assert parse_page_params(query, default_limit=50, max_limit=100) == expected


@pytest.mark.parametrize(
    "query,name,kind",
    [
        ({"limit": "0"}, "limit", "greater_than_equal"),
        ({"limit": "101"}, "limit", "less_than_equal"),
        ({"limit": "abc"}, "limit", "int_parsing"),
        ({"limit": ""}, "limit", "int_parsing"),
        ({"limit": "1.5"}, "limit", "int_parsing"),
        ({"limit": "1e2"}, "limit", "int_parsing"),
        ({"offset": "-1"}, "offset", "int_parsing"),
        ({"offset": "+1"}, "offset", "int_parsing"),
        ({"offset": " 1"}, "offset", "int_parsing"),
        ({"offset": "1_000"}, "offset", "int_parsing"),
        ({"offset": "\u0661"}, "offset", "int_parsing"),  # ARABIC-INDIC DIGIT ONE: int() takes it
        ({"offset": "9" * 20}, "offset", "int_parsing"),
        ({"offset": "9" * 100_000}, "offset", "int_parsing"),
        ({"offset": "9223372036854775808"}, "offset", "less_than_equal"),
        ({"offset": "1001"}, "offset", "less_than_equal"),
    ],
)
def test_bad_parameters(query, name, kind):
    with pytest.raises(PageParamError) as e:
        parse_page_params(query, max_limit=100, max_offset=1000 if query.get("offset") == "1001" else None)
    [error] = e.value.errors
    assert (error["type"], error["loc"], error["input"]) == (kind, ["query", name], query[name])
    assert e.value.status_code == 400
    assert json.loads(e.value.body) == {"detail": e.value.errors}
    assert name in str(e.value)


def test_every_bad_parameter_is_reported():
    with pytest.raises(PageParamError) as e:
        parse_page_params({"offset": "x", "limit": "0"})
    assert [err["loc"][1] for err in e.value.errors] == ["offset", "limit"]


def test_repeated_parameters_are_refused():
    with pytest.raises(PageParamError) as e:
        parse_page_params(MultiDict([("offset", "1"), ("offset", "2"), ("limit", "5")]))
    [error] = e.value.errors
    assert error["type"] == "multiple_values" and error["input"] == ["1", "2"]
    assert parse_page_params(MultiDict([("offset", "3"), ("limit", "5")])) == (3, 5)


def test_bad_bounds_are_programming_errors():
    with pytest.raises(ValueError, match="default_limit"):
        parse_page_params({}, default_limit=500, max_limit=100)
    with pytest.raises(ValueError, match="default_limit"):
        parse_page_params({}, default_limit=0)


# ---------------------------------------------------------------- links


def test_links_in_the_middle():
    link = link_header("/prs?state=open&offset=40&limit=20", 40, 20, 120)
    assert link == '</prs?state=open&offset=60&limit=20>; rel="next", </prs?state=open&offset=20&limit=20>; rel="prev"'


def test_links_at_the_ends():
    assert link_header("https://api.test/prs", 0, 20, 120) == '<https://api.test/prs?offset=20&limit=20>; rel="next"'
    assert link_header("?offset=100&limit=20", 100, 20, 120) == '<?offset=80&limit=20>; rel="prev"'
    assert link_header("?", 0, 200, 120) is None
    # Past the end, prev leads back to the last page.
    assert link_header("?", 500, 20, 120) == '<?offset=100&limit=20>; rel="prev"'
    # Unknown total: no next.
    assert link_header("?", 20, 20, None) == '<?offset=0&limit=20>; rel="prev"'


def test_link_targets_are_escaped():
    link = link_header("/p?q=a%20b%3E&offset=1", 1, 1, 5)
    assert "<" not in link.split(">")[0][1:] and " " not in link.split(">")[0]
    assert link.startswith("</p?q=a+b%3E&offset=2&limit=1>")


# ---------------------------------------------------------------- etags


def test_etag_matching():
    tag = '"sj-1-0-5"'
    assert etag_matches(tag, tag)
    assert etag_matches(f"W/{tag}", tag)
    assert etag_matches(f'"x", {tag}', tag)
    assert etag_matches(['"x"', tag], tag)
    assert etag_matches("*", tag)
    assert not etag_matches('"sj-1-0-6"', tag)
    assert not etag_matches(None, tag)
    assert not etag_matches("", tag)
    assert not etag_matches("sj-1-0-5", tag)  # not a quoted entity-tag


def test_prepare_from_a_document():
    page = prepare_page(DOC, 100, 50)
    assert page.body == DOC.page(100, 50) and page.total == 120
    assert page.etag == prepare_page(DOC, 100, 60).etag  # same bytes, same tag
    assert page.etag != prepare_page(DOC, 99, 50).etag


def test_prepare_from_a_page_read_uses_the_container_checksum():
    read = PageRead(DOC.page(10, 5), 10, 5, 10, 15, 120, 0xABC)
    page = prepare_page(read, 10, 5)
    assert (page.body, page.total, page.etag) == (read.body, 120, '"sj-0000000000000abc-10-15"')
    unchecked = PageRead(DOC.page(10, 5), 10, 5, 10, 15, 120, None)
    assert prepare_page(unchecked, 10, 5).etag == prepare_page(read.body, 10, 5).etag


def test_prepare_from_bytes():
    page = prepare_page(b"[1,2]", 0, 2, total=10)
    assert (page.body, page.total) == (b"[1,2]", 10)
    assert prepare_page(bytearray(b"[1,2]"), 0, 2).total is None
    with pytest.raises(TypeError, match="Document, a PageRead or bytes"):
        prepare_page([1, 2], 0, 2)


def test_headers():
    page = prepare_page(DOC, 0, 50)
    headers = page_headers(page, "?", 0, 50)
    assert headers == {
        "Content-Type": "application/json",
        "ETag": page.etag,
        "X-Total-Count": "120",
        "Link": '<?offset=50&limit=50>; rel="next"',
    }
    assert "X-Total-Count" not in page_headers(prepare_page(b"[]", 0, 5), None, 0, 5)


def test_importing_needs_no_optional_package():
    """``slotjson``, ``slotjson.cache`` and ``slotjson.web`` import with every
    framework and the Redis client made unimportable."""
    import subprocess
    import sys

    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"redis", "starlette", "fastapi", "aiohttp", "flask", "werkzeug", "uvicorn", "httpx"}:
            raise ImportError(f"blocked: {name}")
sys.meta_path.insert(0, Block())
import slotjson, slotjson.cache, slotjson.web
assert slotjson.web.parse_page_params({"limit": "5"}) == (0, 5)
try:
    import slotjson.web.starlette
except ImportError as e:
    assert "blocked: starlette" in str(e), e
else:
    raise AssertionError("starlette was imported")
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
