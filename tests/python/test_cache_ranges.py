"""The native byte-range helpers (``slotjson._native.RangeRead``,
``index_range``, ``sj64``) on the spec's vectors, without a server: a fake
"fetch" slices the container, as GETRANGE or an HTTP Range request would."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import slotjson
from slotjson._native import RangeRead, index_range, sj64

VECTORS = Path(__file__).resolve().parents[2] / "spec" / "vectors"


def _vector(name: str) -> bytes:
    return bytes.fromhex("".join((VECTORS / f"{name}.hex").read_text().split()))


def _read(container: bytes, offset: int, limit: int | None) -> tuple[RangeRead, bytes]:
    """The recipe of spec/FORMAT.md section 7, fetching only what it says."""
    read = RangeRead(container[:64], offset, limit)
    start, end = read.index_range
    first, last = read.blob_range(container[start:end])
    return read, container[first:last]


def test_the_worked_example():
    small = _vector("small")
    read = RangeRead(small[:64], 1, 2)
    assert (read.count, read.blob_len, read.container_len) == (5, 41, 153)
    assert read.body_checksum == 0xC1AE6F74DE6D95C5
    assert read.items == (1, 3)
    assert read.index_range == (72, 96)
    assert read.blob_range(small[72:96]) == (114, 129)
    assert small[114:129] == b',"a,b",[2,[3]],'
    assert read.page(small[114:129]) == b'["a,b",[2,[3]]]'
    assert read.envelope(small[114:129], extra={"n": 1}) == b'{"items":["a,b",[2,[3]]],"total":5,"n":1}'
    read.check_length(153)


@pytest.mark.parametrize("name", ["small", "empty", "nochecksum"])
def test_every_page_of_the_vectors(name):
    container = _vector(name)
    doc = slotjson.Document.from_bytes(container, verify=True)
    n = len(doc)
    for offset in range(n + 2):
        for limit in [*range(n + 2), None]:
            read, blob = _read(container, offset, limit)
            assert read.page(blob) == doc.page(offset, limit)
            assert read.envelope(blob, items_key="d", total_key="n") == doc.envelope(
                offset, limit, items_key="d", total_key="n"
            )


def test_random_pages_of_a_larger_document():
    items = [{"i": i, "s": "\u00e9" * (i % 9), "l": list(range(i % 4))} for i in range(3000)]
    doc = slotjson.dumps_indexed(items)
    container = doc.to_bytes()
    rng = random.Random(3)
    for _ in range(300):
        offset, limit = rng.randrange(3100), rng.randrange(200)
        read, blob = _read(container, offset, limit)
        page = read.page(blob)
        assert page == doc.page(offset, limit)
        assert json.loads(page) == items[offset : offset + limit]


def test_entries_fetched_before_the_header_was_known():
    """The unclamped entry range starts at the same entry: a client may
    request it together with the header."""
    container = _vector("small")
    start, end = index_range(3, 3 + 10)
    read = RangeRead(container[:64], 3, 10)
    first, last = read.blob_range(container[start:end])
    assert read.page(container[first:last]) == b'[{"k":"v","e":"\xc3\xa9"},null]'


def test_huge_offsets_and_limits_saturate():
    container = _vector("small")
    read = RangeRead(container[:64], 2**70, 2**70)
    assert read.items == (5, 5) and read.page(b"") == b"[]"
    assert RangeRead(container[:64], 0, 2**70).items == (0, 5)
    with pytest.raises(ValueError, match="offset must be >= 0"):
        RangeRead(container[:64], -1)
    with pytest.raises(ValueError, match="limit must be >= 0"):
        RangeRead(container[:64], 0, -1)


@pytest.mark.parametrize(
    "header,message",
    [
        (b"", "too short"),
        (b"[1,2,3]", "looks like JSON"),
        (b"\x80\x04\x95", "pickle"),
        (b"\x89SJD\n\x1a\n" + bytes(60), "line-ending"),
    ],
)
def test_bad_headers(header, message):
    with pytest.raises(slotjson.FormatError, match=message):
        RangeRead(header, 0, 1)


def test_length_checks():
    read = RangeRead(_vector("small")[:64], 0, 1)
    with pytest.raises(slotjson.FormatError, match="truncated: need 153 bytes, have 152"):
        read.check_length(152)
    with pytest.raises(slotjson.FormatError, match="trailing"):
        read.check_length(154)


def test_fetched_bytes_are_checked():
    small = _vector("small")
    read = RangeRead(small[:64], 1, 2)
    with pytest.raises(slotjson.FormatError, match="too short"):
        read.blob_range(small[72:80])
    for wrong in (small[113:128], small[115:129], b"", b",]"):
        with pytest.raises(slotjson.FormatError, match="separators"):
            read.page(wrong)
    with pytest.raises(TypeError, match="extra must be a dict"):
        read.envelope(small[114:129], extra=[1])


def test_sj64_vectors():
    lines = (VECTORS / "checksum.txt").read_text().splitlines()
    vectors = [line.split() for line in lines if line and not line.startswith("#")]
    assert vectors
    for data, expected in vectors:
        assert sj64(b"" if data == "-" else bytes.fromhex(data)) == int(expected, 16)
    assert sj64(memoryview(b"a")) == 0xEE429C27D50491DA
