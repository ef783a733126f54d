"""Serial dumps writes straight into the bytes object it returns.

The walker stages output in a small buffer and moves it into a growing
``bytes`` at list-item boundaries (every 64 KiB or so); these tests cross
that boundary many times, with items smaller and larger than the staging
buffer, size estimates far too small and far too large, nested lists and
top-level dicts, and check every output byte for byte against the oracle.
Failures after many spills must raise the usual error and free the
half-built bytes.
"""

from __future__ import annotations

import gc
import math
import os
import subprocess
import sys
import textwrap
import tracemalloc
from datetime import datetime, timezone
from typing import Any, Optional

import pytest
import slotjson
from conftest import capture_error, reference_bytes

pytestmark = pytest.mark.usefixtures("path_mode")

SPILL = 64 * 1024  # the staging size that triggers a move into the bytes object


@slotjson.model
class Row:
    id: int
    name: str
    when: datetime
    score: float
    tags: list[str]
    note: Optional[str] = None
    extra: Any = None


WHEN = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)


def assert_oracle(x, **o):
    """``dumps(x, threads=1, **o)`` (the serial path) against the oracle, byte for byte."""
    expected = reference_bytes(x, **o)
    got = slotjson.dumps(x, threads=1, **o)
    assert type(got) is bytes
    if got != expected:
        i = next((k for k, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
        raise AssertionError(f"differs at byte {i} of {len(expected)}: {got[i - 20:i + 20]!r} vs "
                             f"{expected[i - 20:i + 20]!r} (lengths {len(got)}, {len(expected)})")
    return got


def assert_same_error(x):
    """The serial dumps and to_builtins reject ``x`` with the same message and path."""
    mine, ref = capture_error(slotjson.dumps, x, threads=1), capture_error(slotjson.to_builtins, x)
    assert (str(mine), mine.path) == (str(ref), ref.path)
    return mine


def rows(n: int, width: int = 40) -> list[Row]:
    return [
        Row(i, f"row {i} caf\u00e9 \u65e5\u672c \U0001f600 " + "x" * (i % width), WHEN, i / 7,
            [f"t{i % 13}", "\"quoted\"\n"], None if i % 3 else "n" * (i % 50))
        for i in range(n)
    ]


def test_many_spills_match_the_oracle():
    items = rows(6000)  # about 900 KB: a dozen spills
    out = assert_oracle(items)
    assert len(out) > 12 * SPILL
    assert slotjson.dumps(tuple(items), threads=1) == out
    # Every thread count and the indexed form write the same bytes.
    assert slotjson.dumps(items) == out
    assert bytes(slotjson.dumps_indexed(items, threads=1)) == out
    assert_oracle(items, ascii=True)


def test_items_larger_than_the_staging_buffer():
    big = "\u00e9" * (3 * SPILL) + "\"\\\n" + "\U0001f600" * 1000
    items = [*rows(500), big, *rows(300), [big, big], {"k": big}, *rows(10)]
    assert_oracle(items)


@pytest.mark.parametrize("total", [SPILL - 2, SPILL - 1, SPILL, SPILL + 1, 2 * SPILL - 1, 2 * SPILL + 5])
def test_outputs_around_the_threshold(total):
    # Items of 99 bytes and one that makes the array exactly `total` bytes.
    count = (total - 2) // 100
    last = total - 2 - 100 * count - 2  # "" quotes; the comma counted in the 100
    items = ["a" * 97] * count + ["b" * max(last, 0)]
    out = assert_oracle(items)
    assert abs(len(out) - total) <= 2


def test_nested_lists_and_top_level_containers_spill_too():
    items = rows(4000)
    assert_oracle({"items": items, "total": len(items)})
    assert_oracle([[items[:1000], items[1000:]], items[:10]])
    assert_oracle(items[0].__class__(1, "x", WHEN, 1.0, [r.name for r in items] * 3))


def test_size_estimates_far_off_either_way():
    # Each call sizes its buffer from the previous call's bytes per item.
    tiny = list(range(100_000))  # ~6 bytes per item
    wide = ["w" * 2000] * 2000  # ~2 KB per item: 300x more than estimated
    for _ in range(2):
        assert_oracle(tiny)
        assert_oracle(wide)  # grows from a far too small estimate
        assert_oracle(tiny)  # estimate 300x too large: trimmed at the end


def test_errors_after_many_spills():
    items = rows(5000)
    e = assert_same_error([*items, math.inf])
    assert e.path == (5000,)
    bad = rows(5000)
    bad[4321].tags = [1]  # type: ignore[list-item]
    e = assert_same_error(bad)
    assert e.path == (4321, "tags", 0)
    e = assert_same_error({"items": [*items, {"k": {1, 2}}]})
    assert e.path == ("items", 5000, "k")

    def refuse(value):
        raise ValueError("no")

    with pytest.raises(slotjson.EncodeError, match=r"^\[5000\]: default= hook raised ValueError: no$"):
        slotjson.dumps([*items, object()], threads=1, default=refuse)


def test_failed_encodes_free_the_partial_bytes():
    items = rows(3000)  # ~450 KB written before each failure
    failing = [*items, math.nan]
    objs = [items, *items[:50], WHEN]

    def fail():
        with pytest.raises(slotjson.EncodeError):
            slotjson.dumps(failing, threads=1)

    for _ in range(20):
        fail()
        slotjson.dumps(items, threads=1)
    gc.collect()
    before = [sys.getrefcount(o) for o in objs]
    tracemalloc.start()
    try:
        gc.collect()
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(200):  # ~90 MB if the partial bytes leaked
            fail()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert grown < 1024 * 1024, f"traced memory grew by {grown} bytes"
    gc.collect()
    assert [sys.getrefcount(o) for o in objs] == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS semantics are Linux's")
def test_running_out_of_memory_raises_memory_error(path_mode):
    # The output buffer doubling past the address-space limit must raise
    # MemoryError (and free what it held), not abort the process.
    script = textwrap.dedent(
        f"""
        import resource, slotjson
        slotjson._native._set_raw_path({path_mode == "raw"})
        chunk = "x" * (1 << 20)
        small = slotjson.dumps([chunk] * 8, threads=1)
        with open("/proc/self/status") as f:
            size = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (size + (300 << 20), resource.RLIM_INFINITY))
        try:
            slotjson.dumps([chunk] * 1000, threads=1)  # 1 GB of JSON
        except MemoryError:
            print("MemoryError")
        else:
            print("no error")
        assert slotjson.dumps([chunk] * 8, threads=1) == small  # and it still works
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MALLOC_ARENA_MAX": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["MemoryError", "ok"]


@pytest.mark.parametrize("threads", [1, 2])
def test_finished_bytes_behave_like_any_bytes(threads):
    # A close size estimate leaves the object's small excess of room
    # allocated (its size set in place); a far too large one reallocates it
    # to its length. Either way it must be an ordinary, NUL-terminated bytes.
    import ctypes
    import pickle

    items = rows(8000)
    wide = ["w" * 3000] * 3000
    for x in (items, items, wide, items, wide, wide):  # estimates: off, close, off, ...
        out = slotjson.dumps(x, threads=threads)
        copy = bytes(bytearray(out))
        assert out == copy and len(out) == len(copy) and hash(out) == hash(copy)
        assert out[-1:] == b"]" and out[len(out) // 2:] == copy[len(copy) // 2:]
        assert ctypes.c_char_p(out).value == copy  # terminated right after its last byte
        assert pickle.loads(pickle.dumps(out)) == copy
        assert sys.getsizeof(out) >= len(out)


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
                    reason="counts page faults under glibc's allocator")
@pytest.mark.parametrize("threads", [1, 2])
def test_repeated_large_calls_reuse_memory(threads, path_mode):
    # Each call's bytes, freed, must leave the allocator a block the next
    # call of the same size can reuse: shrinking it to its length made every
    # call map fresh memory and fault in each of its pages again. A fresh
    # process, so that no earlier test has moved glibc's mmap threshold.
    script = textwrap.dedent(
        f"""
        import resource, slotjson
        slotjson._native._set_raw_path({path_mode == "raw"})
        items = [{{"id": i, "name": f"row {{i}} caf\\u00e9", "tags": ["a", "b\\\\n"], "score": i / 7}}
                 for i in range(40_000)]
        faults = []
        for _ in range(8):
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            out = slotjson.dumps(items, threads={threads})
            size = len(out)
            del out
            faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
        print(size // 4096, *faults)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    pages, *faults = map(int, done.stdout.split())
    assert pages > 700  # a 3 MB output, well above glibc's smallest mmap threshold
    # The first calls learn the size and raise the threshold; after that,
    # a call faults in a small fraction of its output's pages at most.
    assert max(faults[4:]) < pages // 10, f"page faults per call: {faults} for {pages} pages of output"
