"""slotjson.Document: pages, items, take and envelopes cut from one dumps_indexed blob.

The oracle is the standard library. `dumps(items)` is already checked against
json.dumps by the rest of the suite, so here each item of
`json.loads(dumps(items))` is re-encoded compactly with json.dumps and every
read of a Document must equal the same selection made with Python list
indexing and slicing on those encodings. Re-encoding reproduces slotjson's
bytes exactly (same escapes, float repr and key order), which lets the tests
compare bytes instead of parsed values and so catch a stray separator or
bracket that a JSON parser would forgive.
"""

from __future__ import annotations

import collections
import copy
import gc
import io
import json
import mmap
import os
import pickle
import random
import struct
import sys
import tempfile
import threading
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from typing import Any, Optional

import pytest
import slotjson
from hypothesis import given, settings
from hypothesis import strategies as st
from slotjson import Document

UTC = timezone.utc
CET = timezone(timedelta(hours=1), "CET")


@slotjson.model(rename="camel", omit_none=True)
class Comment:
    author_name: str
    body: str
    created_at: datetime
    edited_at: Optional[datetime]
    reactions: dict[str, int]


@slotjson.model
class Issue:
    number: int
    title: str
    opened: datetime
    due: Optional[date]
    score: float
    labels: list[str]
    comments: list[Comment]
    matrix: list[list[int]]
    meta: Any = None


# Strings chosen to break naive slicing: separators and brackets inside
# strings, escapes, multi-byte UTF-8, U+2028 (raw in JSON, not in JS).
AWKWARD = [
    "plain",
    "a,b",
    "],[",
    '{"k":1},',
    'quote " and backslash \\',
    "ctrl \x00\x01\x1f\n\t",
    "é",
    "日本語",
    "🦀 crab",
    "line\u2028sep\u2029",
    "",
]


def make_issue(i: int) -> Issue:
    comments = [
        Comment(
            AWKWARD[(i + k) % len(AWKWARD)],
            f"comment {k} on #{i}: " + AWKWARD[(i * 3 + k) % len(AWKWARD)],
            datetime(2026, 1, 1 + k, 12, 0, 0, k * 1000, tzinfo=UTC),
            None if k % 2 else datetime(2026, 2, 1, 8, 30, tzinfo=CET),
            {"+1": k, "🎉": i} if k % 3 else {},
        )
        for k in range(i % 4)
    ]
    return Issue(
        number=i,
        title=AWKWARD[i % len(AWKWARD)] + f" #{i}",
        opened=datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) + timedelta(hours=i),
        due=date(2026, 3, 1) + timedelta(days=i) if i % 2 else None,
        score=[0.1, -0.0, 1e16, 1e-05, 2.5, 3.0][i % 6],
        labels=[AWKWARD[(i + j) % len(AWKWARD)] for j in range(i % 3)],
        comments=comments,
        matrix=[[j, -j, 2**70] for j in range(i % 3)],
        meta={"nested": [[i, [i + 1, {"x": ",]"}]]]} if i % 5 == 0 else None,
    )


ISSUES = [make_issue(i) for i in range(23)]

BUILTINS = [
    0,
    -1,
    2**100,
    1.5,
    -0.0,
    1e300,
    True,
    False,
    None,
    "",
    "a,b",
    "é日本🦀",
    [],
    {},
    [1, [2, [3, []]]],
    {"a": [1, 2], "b": {"c": None}, "é": "],"},
    (1, "t", None),
    {"k,": [{}, []]},
]


def encode(value) -> bytes:
    """Compact stdlib JSON, the form slotjson writes."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def expected_items(items) -> list[bytes]:
    """Each item's JSON text, from the stdlib re-encoding of dumps(items)."""
    return [encode(v) for v in json.loads(slotjson.dumps(list(items)))]


def array(texts) -> bytes:
    return b"[" + b",".join(texts) + b"]"


def check_all_reads(doc: Document, texts: list[bytes]) -> None:
    """Every item, page and slice of doc against list semantics on texts."""
    n = len(texts)
    assert len(doc) == n
    assert bytes(doc) == array(texts)
    assert doc.nbytes == len(array(texts))
    for i in range(-n - 2, n + 2):
        if -n <= i < n:
            assert doc[i] == texts[i], i
        else:
            with pytest.raises(IndexError):
                doc[i]
    bounds = [None, *range(-n - 2, n + 3)]
    for a in bounds:
        for b in bounds:
            assert doc[a:b] == array(texts[a:b]), (a, b)
            assert doc[a:b:1] == array(texts[a:b]), (a, b)
    for offset in range(n + 3):
        assert doc.page(offset) == array(texts[offset:]), offset
        for limit in range(n + 3):
            assert doc.page(offset, limit) == array(texts[offset : offset + limit]), (offset, limit)
    assert doc.page() == bytes(doc)


# --- dumps_indexed == dumps -------------------------------------------------


INPUTS = {
    "empty list": lambda: [],
    "empty tuple": lambda: (),
    "one model": lambda: [ISSUES[0]],
    "one builtin": lambda: [None],
    "models": lambda: list(ISSUES),
    "builtins": lambda: list(BUILTINS),
    "tuple of models": lambda: tuple(ISSUES[:7]),
    "list subclass": lambda: type("Items", (list,), {})(ISSUES[:4]),
    "namedtuple": lambda: collections.namedtuple("Pair", "a b")(ISSUES[0], 2),
    "mixed": lambda: [ISSUES[1], 1, "x", [ISSUES[2]], {"i": ISSUES[3]}],
    "nested lists": lambda: [[[]], [[1, [2]]], []],
    "strings": lambda: list(AWKWARD),
    "many small": lambda: list(range(1000)),
}


@pytest.mark.parametrize("name", INPUTS)
def test_bytes_equal_dumps(name, path_mode):
    # path_mode (conftest): once on the raw-memory path, once on the C API.
    make = INPUTS[name]
    doc = slotjson.dumps_indexed(make())
    want = slotjson.dumps(list(make()))
    assert isinstance(doc, Document)
    assert bytes(doc) == want
    assert memoryview(doc).tobytes() == want
    assert doc.nbytes == len(want)
    assert len(doc) == len(list(make()))
    assert doc.page() == want
    assert repr(doc) == f"<slotjson.Document: {len(doc)} items, {len(want)} bytes>"


@pytest.mark.parametrize("name", INPUTS)
def test_reads_match_list_semantics(name):
    items = list(INPUTS[name]())
    if len(items) > 60:
        items = items[:60]  # check_all_reads is cubic in N
    check_all_reads(slotjson.dumps_indexed(items), expected_items(items))


def test_tuple_input_equals_dumps_of_tuple():
    items = tuple(BUILTINS)
    assert bytes(slotjson.dumps_indexed(items)) == slotjson.dumps(items) == slotjson.dumps(list(items))


def test_list_and_tuple_subclasses():
    class L(list):
        pass

    class T(tuple):
        pass

    assert bytes(slotjson.dumps_indexed(L(ISSUES[:3]))) == slotjson.dumps(ISSUES[:3])
    assert bytes(slotjson.dumps_indexed(T(ISSUES[:3]))) == slotjson.dumps(ISSUES[:3])


@pytest.mark.parametrize(
    "options",
    [
        {"utc_z": True},
        {"omit_microseconds": True},
        {"ascii": True},
        {"nan": "null"},
        {"timedelta": "seconds"},
        {"default": repr},
        {"max_depth": 7},  # exactly deep enough for ISSUES[0].meta
    ],
    ids=lambda o: next(iter(o)),
)
def test_dumps_options_pass_through(options, path_mode):
    items = [
        *ISSUES[:4],
        float("nan") if options.get("nan") == "null" else 1.0,
        timedelta(days=1, seconds=2.5),
        object() if "default" in options else "o",
        "é🦀",
    ]
    doc = slotjson.dumps_indexed(items, **options)
    want = slotjson.dumps(items, **options)
    assert bytes(doc) == want
    parsed = json.loads(want)
    texts = [json.dumps(v, ensure_ascii=options.get("ascii", False), separators=(",", ":")).encode() for v in parsed]
    check_all_reads(doc, texts)


def test_max_depth_error_matches_dumps():
    items = [ISSUES[1], ISSUES[0]]
    with pytest.raises(slotjson.EncodeError) as indexed:
        slotjson.dumps_indexed(items, max_depth=6)
    with pytest.raises(slotjson.EncodeError) as plain:
        slotjson.dumps(items, max_depth=6)
    assert str(indexed.value) == str(plain.value)
    assert str(indexed.value).startswith("[1].meta")


def test_options_are_validated():
    with pytest.raises(ValueError):
        slotjson.dumps_indexed([1], nan="bogus")
    with pytest.raises(TypeError):
        slotjson.dumps_indexed([1], indent=2)
    with pytest.raises(TypeError):
        slotjson.dumps_indexed([1], True)  # options are keyword-only


@pytest.mark.parametrize("bad", [{"a": 1}, "abc", 5, None])
def test_non_sequences_are_rejected(bad):
    # A dict or str would otherwise become a document of its keys or
    # characters, which is never what the caller meant.
    with pytest.raises(TypeError):
        slotjson.dumps_indexed(bad)


# --- hypothesis: random items and random selections ---------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)
item_lists = st.lists(json_values | st.sampled_from(ISSUES), max_size=25)
bound = st.none() | st.integers(-40, 40)


@settings(max_examples=300, deadline=None)
@given(
    items=item_lists,
    pages=st.lists(st.tuples(st.integers(0, 40), st.none() | st.integers(0, 40)), max_size=8),
    slices=st.lists(st.tuples(bound, bound), max_size=8),
    picks=st.lists(st.lists(st.integers(-40, 40), max_size=12), max_size=6),
)
def test_property_reads_match_list_semantics(items, pages, slices, picks):
    doc = slotjson.dumps_indexed(items)
    assert bytes(doc) == slotjson.dumps(items)
    texts = expected_items(items)
    n = len(texts)
    assert len(doc) == n
    for offset, limit in pages:
        want = texts[offset:] if limit is None else texts[offset : offset + limit]
        assert doc.page(offset, limit) == array(want)
        envelope = doc.envelope(offset, limit)
        assert envelope == b'{"items":' + array(want) + b',"total":' + str(n).encode() + b"}"
    for a, b in slices:
        assert doc[a:b] == array(texts[a:b])
    for indices in picks:
        if all(-n <= i < n for i in indices):
            assert doc.take(indices) == array([texts[i] for i in indices])
            assert doc.take(iter(indices)) == doc.take(tuple(indices))
            for i in indices:
                assert doc[i] == texts[i]
        else:
            with pytest.raises(IndexError):
                doc.take(indices)
    offsets = doc.offsets.tolist()
    blob = bytes(doc)
    assert [blob[offsets[i] : offsets[i + 1] - 1] for i in range(n)] == texts


# --- argument errors -----------------------------------------------------------


@pytest.fixture
def doc():
    return slotjson.dumps_indexed(ISSUES[:6])


@pytest.mark.parametrize("call", ["page", "envelope"])
def test_negative_offset_or_limit(doc, call):
    fn = getattr(doc, call)
    with pytest.raises(ValueError, match="offset must be >= 0"):
        fn(-1)
    with pytest.raises(ValueError, match="limit must be >= 0"):
        fn(0, -1)
    with pytest.raises(ValueError):
        fn(offset=-5, limit=2)
    assert fn(0, 0) in (b"[]", b'{"items":[],"total":6}')
    with pytest.raises(TypeError):
        fn(1.0)


@pytest.mark.parametrize("step", [2, -1, 3, -2])
def test_slice_step_is_rejected(doc, step):
    with pytest.raises(ValueError, match="step 1"):
        doc[::step]
    with pytest.raises(ValueError):
        doc[0:6:step]


def test_slice_step_zero(doc):
    with pytest.raises(ValueError):
        doc[::0]


def test_index_errors(doc):
    n = len(doc)
    for i in (n, n + 1, -n - 1, -(10**6)):
        with pytest.raises(IndexError):
            doc[i]
        with pytest.raises(IndexError):
            doc.take([0, i])
    empty = slotjson.dumps_indexed([])
    with pytest.raises(IndexError):
        empty[0]
    with pytest.raises(IndexError):
        empty[-1]
    with pytest.raises(IndexError):
        empty.take([0])
    assert empty.take([]) == b"[]"
    assert empty.page() == empty.page(5, 5) == empty[:] == b"[]"


def test_index_type_errors(doc):
    for key in ("0", 1.0, None, (0, 1), [0]):
        with pytest.raises(TypeError):
            doc[key]
    for indices in (5, ["0"], [1.0], [None]):
        with pytest.raises(TypeError):
            doc.take(indices)


def test_take_semantics(doc):
    texts = expected_items(ISSUES[:6])
    assert doc.take([]) == b"[]"
    assert doc.take([3, 3, 3]) == array([texts[3]] * 3)
    assert doc.take([-1, 0, -6]) == array([texts[-1], texts[0], texts[-6]])
    assert doc.take(range(5, -1, -1)) == array(texts[::-1])
    assert doc.take({2: "dict keys iterate"}) == array([texts[2]])
    assert doc.take(i for i in (1, 4)) == array([texts[1], texts[4]])
    # bool is an int, as in list indexing.
    assert doc.take([True, False]) == array([texts[1], texts[0]])
    # An iterator that fails part-way propagates its error.

    def failing():
        yield 1
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        doc.take(failing())


def test_iteration_uses_getitem(doc):
    # No __iter__ is defined: the sequence protocol stops at IndexError.
    assert list(doc) == expected_items(ISSUES[:6])


def test_numpy_take():
    np = pytest.importorskip("numpy")
    items = list(ISSUES[:10])
    doc = slotjson.dumps_indexed(items)
    texts = expected_items(items)
    for dtype in (np.int64, np.int32, np.int16, np.int8, np.uint8, np.uint32, np.uint64, np.intp):
        idx = np.array([9, 0, 3, 3, 1], dtype=dtype)
        assert doc.take(idx) == array([texts[int(i)] for i in idx]), dtype
    neg = np.array([-1, -10, -2], dtype=np.int64)
    assert doc.take(neg) == array([texts[-1], texts[-10], texts[-2]])
    assert doc.take(np.arange(10)[::-3]) == array([texts[i] for i in (9, 6, 3, 0)])
    assert doc.take(np.array([], dtype=np.int64)) == b"[]"
    rng = np.random.default_rng(7)
    perm = rng.permutation(10)
    assert doc.take(perm) == array([texts[int(i)] for i in perm])
    with pytest.raises(IndexError):
        doc.take(np.array([0, 10]))
    with pytest.raises(IndexError):
        doc.take(np.array([-11]))
    with pytest.raises(TypeError):
        doc.take(np.array([0.0]))
    # numpy integer scalars work wherever an int does.
    assert doc[np.int64(-1)] == texts[-1]
    assert doc[np.uint8(2)] == texts[2]
    assert doc.page(np.int64(2), np.int32(3)) == array(texts[2:5])
    assert doc[np.int64(1) : np.int64(3)] == array(texts[1:3])


# --- envelopes --------------------------------------------------------------------


def test_envelope_default_keys(doc):
    texts = expected_items(ISSUES[:6])
    assert doc.envelope() == b'{"items":' + array(texts) + b',"total":6}'
    assert doc.envelope(2, 3) == b'{"items":' + array(texts[2:5]) + b',"total":6}'
    assert doc.envelope(5, 10) == b'{"items":' + array(texts[5:]) + b',"total":6}'
    assert doc.envelope(100) == b'{"items":[],"total":6}'
    parsed = json.loads(doc.envelope(1, 2))
    assert parsed == {"items": json.loads(slotjson.dumps(ISSUES[1:3])), "total": 6}


def test_envelope_extra(doc):
    texts = expected_items(ISSUES[:6])
    extra = {
        "next": "/issues?offset=4&limit=2",
        "generated": datetime(2026, 11, 21, 9, 30, tzinfo=UTC),
        "first": ISSUES[0],
        "é,]": [1, None, "日本"],
        7: "int keys are written as json.dumps writes them",
    }
    got = doc.envelope(2, 2, extra=extra)
    members = slotjson.dumps(extra)[1:-1]
    assert got == b'{"items":' + array(texts[2:4]) + b',"total":6,' + members + b"}"
    parsed = json.loads(got)
    assert parsed["items"] == json.loads(array(texts[2:4]))
    assert parsed["total"] == 6
    assert {k: parsed[k] for k in parsed if k not in ("items", "total")} == json.loads(slotjson.dumps(extra))
    # An empty extra adds no members and no stray comma.
    assert doc.envelope(extra={}) == doc.envelope() == doc.envelope(extra=None)


def test_envelope_extra_must_be_a_dict(doc):
    for bad in ([("a", 1)], "x", 1, (("a", 1),)):
        with pytest.raises(TypeError, match="extra must be a dict"):
            doc.envelope(extra=bad)
    types = pytest.importorskip("types")
    with pytest.raises(TypeError):
        doc.envelope(extra=types.MappingProxyType({"a": 1}))


def test_envelope_extra_encode_error(doc):
    with pytest.raises(slotjson.EncodeError) as info:
        doc.envelope(extra={"ok": 1, "bad": float("nan")})
    assert info.value.path == ("bad",)
    with pytest.raises(slotjson.EncodeError):
        doc.envelope(extra={"x": object()})


@pytest.mark.parametrize(
    "items_key,total_key",
    [
        ("data", "count"),
        ("", ""),
        ('quo"te', "back\\slash"),
        ("new\nline\ttab\x00nul\x1f", "\x7f"),
        ("é", "日本語"),
        ("🦀", "line\u2028sep"),
        ("items", "items"),
    ],
)
def test_envelope_custom_keys(doc, items_key, total_key):
    texts = expected_items(ISSUES[:6])
    got = doc.envelope(1, 2, items_key=items_key, total_key=total_key, extra={"k": "v"})
    want = b"{" + encode(items_key) + b":" + array(texts[1:3]) + b"," + encode(total_key) + b":6," + b'"k":"v"}'
    assert got == want
    if items_key != total_key:
        parsed = json.loads(got)
        assert parsed[items_key] == json.loads(array(texts[1:3]))
        assert parsed[total_key] == 6


def test_envelope_keys_must_be_encodable(doc):
    with pytest.raises(UnicodeEncodeError):
        doc.envelope(items_key="\ud800")
    with pytest.raises(TypeError):
        doc.envelope(items_key=1)


# --- offsets and the buffer protocol -----------------------------------------------


def check_offsets(doc: Document, texts: list[bytes]) -> None:
    off = doc.offsets
    assert isinstance(off, memoryview)
    assert off.format == "Q"
    assert off.itemsize == 8
    assert off.readonly
    assert off.ndim == 1
    assert off.c_contiguous
    assert len(off) == len(texts) + 1
    assert off.nbytes == 8 * (len(texts) + 1)
    values = off.tolist()
    blob = bytes(doc)
    assert values[0] == (2 if not texts else 1)
    assert values[-1] == len(blob)
    assert [blob[values[i] : values[i + 1] - 1] for i in range(len(texts))] == texts
    # Little-endian u64, as in the container (x86/ARM: also native).
    assert struct.unpack(f"<{len(values)}Q", off.tobytes()) == tuple(values)
    with pytest.raises(TypeError):
        off[0] = 5


def test_offsets(doc):
    check_offsets(doc, expected_items(ISSUES[:6]))
    check_offsets(slotjson.dumps_indexed([]), [])
    check_offsets(slotjson.dumps_indexed(["one"]), [b'"one"'])


def test_offsets_of_an_opened_container(doc):
    texts = expected_items(ISSUES[:6])
    check_offsets(Document.from_bytes(doc.to_bytes()), texts)
    # An index at an odd address (memoryview into a bytearray at offset 1).
    padded = bytearray(b"\0" + doc.to_bytes())
    opened = Document.from_bytes(memoryview(padded)[1:])
    check_offsets(opened, texts)


def test_offsets_and_views_outlive_the_name():
    doc = slotjson.dumps_indexed(ISSUES[:4])
    texts = expected_items(ISSUES[:4])
    off = doc.offsets
    view = memoryview(doc)
    del doc
    gc.collect()
    assert view.tobytes() == array(texts)
    assert off.tolist()[-1] == len(array(texts))


def test_buffer_is_read_only(doc):
    view = memoryview(doc)
    assert view.readonly
    assert view.format == "B"
    assert view.itemsize == 1
    assert view.tobytes() == bytes(doc) == slotjson.dumps(ISSUES[:6])
    with pytest.raises(TypeError):
        view[0] = ord("{")
    # Consumers that request a writable buffer (PyBUF_WRITABLE) are refused.
    with pytest.raises((BufferError, TypeError)):
        struct.pack_into("B", doc, 0, 0)
    with pytest.raises((BufferError, TypeError)):
        io.BytesIO(b"{{").readinto(doc)
    assert bytes(doc) == slotjson.dumps(ISSUES[:6])


def test_buffer_with_numpy():
    np = pytest.importorskip("numpy")
    doc = slotjson.dumps_indexed(ISSUES[:3])
    arr = np.frombuffer(doc, dtype=np.uint8)
    assert arr.tobytes() == bytes(doc)
    assert not arr.flags.writeable
    off = np.frombuffer(doc.offsets, dtype="<u8")
    assert off.tolist() == doc.offsets.tolist()


# --- containers: to_bytes / from_bytes / open / write / pickle --------------------

MAGIC = b"\x89SJD\r\n\x1a\n"


@pytest.mark.parametrize("checksum", [True, False])
@pytest.mark.parametrize("verify", [False, True])
@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "memoryview-slice", "mmap"])
def test_container_round_trip(kind, verify, checksum):
    items = ISSUES[:9]
    texts = expected_items(items)
    original = slotjson.dumps_indexed(items)
    data = original.to_bytes(checksum=checksum)
    assert data[:8] == MAGIC
    assert data[10] == (1 if checksum else 0)  # flag bit 0: body checksum present
    assert len(data) == 64 + 8 * (len(items) + 1) + original.nbytes
    assert data.endswith(bytes(original))
    if kind == "bytes":
        buf = bytes(data)
    elif kind == "bytearray":
        buf = bytearray(data)
    elif kind == "memoryview":
        buf = memoryview(bytes(data))
    elif kind == "memoryview-slice":
        buf = memoryview(b"xyz" + data + b"tail")[3:-4]
    else:
        buf = mmap.mmap(-1, len(data))
        buf.write(data)
    doc = Document.from_bytes(buf, verify=verify)
    # The document holds the buffer: dropping every other reference to it
    # must not invalidate the reads.
    del buf
    gc.collect()
    check_all_reads(doc, texts)
    check_offsets(doc, texts)
    doc.verify()
    # Writers are deterministic: re-encoding gives the same container.
    assert doc.to_bytes(checksum=checksum) == data
    assert doc.to_bytes(checksum=not checksum) == original.to_bytes(checksum=not checksum)


def test_from_bytes_holds_the_export():
    data = slotjson.dumps_indexed(ISSUES[:3]).to_bytes()
    doc = Document.from_bytes(memoryview(data))
    path = os.path.join(tempfile.mkdtemp(), "doc.sjd")
    with open(path, "wb") as f:
        f.write(data)
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    # A read-only mapping is read in place: it is exported while the
    # document lives, so it cannot be closed under it.
    mdoc = Document.from_bytes(mm)
    with pytest.raises(BufferError):
        mm.close()
    assert mdoc.page() == doc.page()
    del doc, mdoc
    gc.collect()
    mm.close()  # released


def test_from_bytes_rejects_non_buffers_and_strided_buffers():
    data = slotjson.dumps_indexed([1, 2]).to_bytes()
    with pytest.raises(TypeError):
        Document.from_bytes(data.hex())
    with pytest.raises(TypeError, match="not contiguous"):
        Document.from_bytes(memoryview(data + data)[::2])
    with pytest.raises(TypeError):
        Document.from_bytes(data, True)  # verify is keyword-only


def test_empty_document_container():
    doc = slotjson.dumps_indexed([])
    data = doc.to_bytes(checksum=False)
    assert len(data) == 64 + 8 + 2
    assert data[64:] == struct.pack("<Q", 2) + b"[]"
    opened = Document.from_bytes(data, verify=True)
    assert len(opened) == 0
    assert opened.page() == bytes(opened) == b"[]"
    assert opened.envelope(extra={"a": 1}) == b'{"items":[],"total":0,"a":1}'


def test_open_and_write(tmp_path):
    items = ISSUES[:12]
    texts = expected_items(items)
    doc = slotjson.dumps_indexed(items)
    path = tmp_path / "issues.sjd"
    doc.write(str(path))
    assert path.read_bytes() == doc.to_bytes()
    for verify in (False, True):
        opened = Document.open(path, verify=verify)
        check_all_reads(opened, texts)
    # The mapping outlives the file name.
    opened = Document.open(str(path))
    path.unlink()
    gc.collect()
    assert opened.page(3, 4) == array(texts[3:7])
    # A binary file object, without checksum.
    with open(path, "wb") as f:
        doc.write(f, checksum=False)
    assert path.read_bytes() == doc.to_bytes(checksum=False)
    assert Document.open(path, verify=True).to_bytes(checksum=False) == doc.to_bytes(checksum=False)
    bio = io.BytesIO()
    doc.write(bio)
    assert bio.getvalue() == doc.to_bytes()


def test_open_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        Document.open(tmp_path / "missing.sjd")
    empty = tmp_path / "empty.sjd"
    empty.write_bytes(b"")
    with pytest.raises(slotjson.FormatError, match="too short"):
        Document.open(empty)
    blob = tmp_path / "blob.json"
    blob.write_bytes(slotjson.dumps([1, 2]))
    with pytest.raises(slotjson.FormatError, match="looks like JSON"):
        Document.open(blob)


def test_write_of_a_corrupt_document_leaves_the_target_alone(tmp_path):
    doc = slotjson.dumps_indexed([[1, 2], [3, 4], 5])
    data = bytearray(doc.to_bytes(checksum=False))
    # Move entry 1 from 7 to 5 (after the "2" in [1,2], not a separator):
    # the O(1) open does not look at inner entries, the full index check that
    # writing performs must. (Moving it to 4, after the comma inside [1,2],
    # would be undetectable without a checksum: spec/FORMAT.md, section 5.)
    struct.pack_into("<Q", data, 64 + 8, 5)
    corrupt = Document.from_bytes(bytes(data))
    target = tmp_path / "out.sjd"
    target.write_bytes(b"keep")
    with pytest.raises(slotjson.FormatError, match="bad index entry"):
        corrupt.write(target)
    assert target.read_bytes() == b"keep"
    with pytest.raises(slotjson.FormatError):
        corrupt.to_bytes()
    with pytest.raises(slotjson.FormatError):
        pickle.dumps(corrupt)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(protocol):
    items = ISSUES[:7]
    doc = slotjson.dumps_indexed(items)
    restored = pickle.loads(pickle.dumps(doc, protocol=protocol))
    assert type(restored) is Document
    check_all_reads(restored, expected_items(items))
    # Also from an opened container.
    opened = Document.from_bytes(doc.to_bytes(checksum=False))
    assert bytes(pickle.loads(pickle.dumps(opened, protocol=protocol))) == bytes(doc)


def test_copy_and_deepcopy(doc):
    for clone in (copy.copy(doc), copy.deepcopy(doc)):
        assert bytes(clone) == bytes(doc)
        assert clone.offsets.tolist() == doc.offsets.tolist()


def test_document_is_immutable_and_final(doc):
    with pytest.raises(TypeError):
        Document()
    with pytest.raises(TypeError):
        type("Sub", (Document,), {})
    with pytest.raises(AttributeError):
        doc.nbytes = 1
    with pytest.raises(AttributeError):
        doc.offsets = None


# --- threads ----------------------------------------------------------------------------


def test_threads_share_one_document():
    items = [make_issue(i) for i in range(200)]
    texts = expected_items(items)
    owned = slotjson.dumps_indexed(items)
    shared = Document.from_bytes(bytearray(owned.to_bytes()))
    n = len(texts)
    barrier = threading.Barrier(8)
    failures: list[str] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        try:
            for _ in range(400):
                doc = owned if rng.random() < 0.5 else shared
                op = rng.randrange(5)
                a = rng.randrange(n + 5)
                b = rng.randrange(n + 5)
                if op == 0:
                    got, want = doc.page(a, b), array(texts[a : a + b])
                elif op == 1:
                    got, want = doc[a - n // 2 : b], array(texts[a - n // 2 : b])
                elif op == 2:
                    idx = [rng.randrange(-n, n) for _ in range(rng.randrange(10))]
                    got, want = doc.take(idx), array([texts[i] for i in idx])
                elif op == 3:
                    i = rng.randrange(-n, n)
                    got, want = doc[i], texts[i]
                else:
                    got = doc.envelope(a, b, extra={"seed": seed})
                    want = b'{"items":' + array(texts[a : a + b]) + b',"total":%d,"seed":%d}' % (n, seed)
                if got != want:
                    failures.append(f"thread {seed}: op {op} ({a}, {b})")
                    return
        except BaseException as e:  # reported in the main thread
            failures.append(f"thread {seed}: {e!r}")

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures


# --- errors from dumps_indexed --------------------------------------------------------


def _bad_issue() -> Issue:
    bad = make_issue(3)
    bad.title = 5  # type: ignore[assignment]
    return bad


def test_encode_error_paths(path_mode):
    items = [*ISSUES[:3], _bad_issue(), ISSUES[4]]
    with pytest.raises(slotjson.EncodeError) as info:
        slotjson.dumps_indexed(items)
    err = info.value
    assert str(err).startswith("[3].title: ")
    assert err.path == (3, "title")
    assert isinstance(err, TypeError) and isinstance(err, ValueError)
    with pytest.raises(slotjson.EncodeError) as same:
        slotjson.dumps(items)
    assert str(same.value) == str(err) and same.value.path == err.path
    # Same path for a tuple.
    with pytest.raises(slotjson.EncodeError, match=r"^\[3\]\.title: "):
        slotjson.dumps_indexed(tuple(items))


def test_encode_error_nested_path():
    issue = make_issue(6)
    issue.comments[1].body = 5  # type: ignore[assignment]
    with pytest.raises(slotjson.EncodeError) as info:
        slotjson.dumps_indexed([ISSUES[0], issue])
    assert str(info.value).startswith("[1].comments[1].body: ")
    assert info.value.path == (1, "comments", 1, "body")


def test_encode_error_from_value_and_hook():
    with pytest.raises(slotjson.EncodeError, match=r"^\[2\]: float nan"):
        slotjson.dumps_indexed([1, 2, float("nan")])

    def hook(o):
        raise LookupError("refused")

    with pytest.raises(slotjson.EncodeError) as info:
        slotjson.dumps_indexed([1, {"k": object()}], default=hook)
    assert info.value.path == (1, "k")
    assert isinstance(info.value.__cause__, LookupError)
    cycle: list = [1]
    cycle.append(cycle)
    with pytest.raises(slotjson.EncodeError, match="circular"):
        slotjson.dumps_indexed(cycle)


def test_failed_dumps_indexed_leaves_nothing_behind():
    items = [*ISSUES[:3], _bad_issue()]
    watched = [items, *items, ISSUES[0].title, ISSUES[0].comments, ISSUES[1].opened]
    # Warm up (plan compilation, first-use caches) and drop garbage left by
    # earlier tests that may still refer to the watched objects, then measure.
    for _ in range(50):
        with pytest.raises(slotjson.EncodeError):
            slotjson.dumps_indexed(items)
    gc.collect()
    before = [sys.getrefcount(o) for o in watched]
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        for _ in range(2000):
            with pytest.raises(slotjson.EncodeError):
                slotjson.dumps_indexed(items)
            with pytest.raises(slotjson.EncodeError):
                slotjson.dumps_indexed(tuple(items))
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert end - start < 64 * 1024, f"grew by {end - start} bytes over 4000 failed calls"
    assert [sys.getrefcount(o) for o in watched] == before
    # And the good prefix is still serializable as usual.
    assert bytes(slotjson.dumps_indexed(items[:3])) == slotjson.dumps(items[:3])


def test_default_hook_mutating_the_input_list(path_mode):
    # The hook empties the list being indexed: the walker must re-check the
    # length, and the result must match dumps under the same abuse.
    def run(fn):
        items = [object(), 1, 2]
        return fn(items, default=lambda o: (items.clear(), "x")[1])

    assert bytes(run(slotjson.dumps_indexed)) == run(slotjson.dumps) == b'["x"]'


# --- known bugs -------------------------------------------------------------------------


def _blob_byte_flipped(data: bytearray, doc: Document) -> None:
    at = 64 + 8 * (len(doc) + 1) + bytes(doc).index(b"x,y") + 2
    data[at] ^= 0x01  # "x,y" -> "x,x": an item's text changes


def _entry_moved(data: bytearray, doc: Document) -> None:
    # Entry 1 moved from the start of "x,y" to just after the comma inside
    # [1,2]: a boundary the lazy checks accept, so item 0 reads as "[1".
    struct.pack_into("<Q", data, 64 + 8, bytes(doc).index(b",2]") + 1)


@pytest.mark.parametrize("damage", [_blob_byte_flipped, _entry_moved], ids=["blob-byte", "moved-entry"])
def test_to_bytes_does_not_launder_a_checksum_mismatch(damage):
    doc = slotjson.dumps_indexed([[1, 2], "x,y", None])
    data = bytearray(doc.to_bytes())
    damage(data, doc)
    opened = Document.from_bytes(bytes(data))  # O(1) open: blob and inner entries are trusted
    assert [opened[i] for i in range(3)] != [doc[i] for i in range(3)]
    with pytest.raises(slotjson.FormatError, match="checksum mismatch"):
        opened.verify()
    # Copying the container must not turn the mismatch into a valid checksum:
    # either refuse, or keep a container that still fails verification.
    try:
        resealed = opened.to_bytes()
    except slotjson.FormatError:
        return
    with pytest.raises(slotjson.FormatError):
        Document.from_bytes(resealed, verify=True)


def test_huge_int_index_is_an_index_error(doc):
    with pytest.raises(IndexError):
        doc[2**70]


def test_huge_int_take_is_an_index_error(doc):
    with pytest.raises(IndexError):
        doc.take([2**70])


def test_huge_page_offset_clamps_like_slicing(doc):
    assert doc[2**63 :] == b"[]"  # slices already clamp
    assert doc.page(2**63) == b"[]"
    assert doc.page(0, 2**64) == bytes(doc)
