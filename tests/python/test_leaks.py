"""Reference and memory leaks on the success and error paths.

The native encoder borrows and owns references by hand, and error paths
(EncodeError with a path, default= hooks, cycles, depth) are where a missed
decref usually hides, so each is exercised thousands of times while the
refcounts of everything it touched are watched.
"""

import dataclasses
import gc
import math
import os
import sys
import tracemalloc
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Optional

import pytest
import slotjson

pytestmark = pytest.mark.usefixtures("path_mode")


@slotjson.model
class Label:
    name: str
    color: str


@slotjson.model(rename="camel", omit_none=True)
class PullRequest:
    repo_name: str
    number: int
    created_at: datetime
    merged_at: Optional[datetime]
    labels: list[Label]
    extra: Any = None


@dataclasses.dataclass
class Plain:
    value: float
    tags: dict[str, int]


class Foo:
    pass


# Values held by the inputs; their refcounts must not move.
NAME = "leak-check-" + "x" * 10  # built at run time: not an interned constant
BIG = 2**100 + 7
WHEN = datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
PRICE = Decimal("12.50")
KEY = "key-" + "k" * 5
FLOAT = 1.0 / 3.0


def hook(o):
    return "converted"


def raising_hook(o):
    raise ValueError("refused")


def bad_hook(o):
    return o


def make_good():
    labels = [Label(NAME, "red"), Label("b", NAME)]
    items = [
        PullRequest(NAME, BIG, WHEN, None, labels, {KEY: [FLOAT, PRICE, Foo()]}),
        PullRequest("r", 1, WHEN, WHEN, [], Plain(FLOAT, {KEY: 1})),
    ]
    return items, labels


def watched(items, labels):
    return [items, *items, labels, *labels, NAME, BIG, WHEN, PRICE, KEY, FLOAT, hook, raising_hook, bad_hook,
            items[0].extra, items[1].extra]


def refcounts(objs):
    gc.collect()
    return [sys.getrefcount(o) for o in objs]


def failing_calls(items):
    """One call per failure kind; each must raise EncodeError."""
    cyc = []
    cyc.append(cyc)
    bad_type = items + [PullRequest(NAME, "not an int", WHEN, None, [])]
    unset = object.__new__(Label)
    calls = [
        lambda: slotjson.dumps(bad_type, default=hook),
        lambda: slotjson.dumps(items),  # Foo() without default=
        lambda: slotjson.dumps(items, default=raising_hook),
        lambda: slotjson.dumps(items, default=bad_hook),
        lambda: slotjson.dumps([items, {KEY: math.nan}], default=hook),
        lambda: slotjson.dumps({KEY: cyc}),
        lambda: slotjson.dumps([items, unset], default=hook),
        lambda: slotjson.dumps([NAME, "\ud800"]),
        lambda: slotjson.dumps(items, default=hook, max_depth=2),
        lambda: slotjson.to_builtins(bad_type, default=hook),
    ]
    return calls


def run_failures(calls, rounds):
    for _ in range(rounds):
        for call in calls:
            try:
                call()
            except slotjson.EncodeError:
                pass
            else:  # pragma: no cover - would make the leak check meaningless
                raise AssertionError("expected EncodeError")


def run_successes(items, rounds):
    for _ in range(rounds):
        slotjson.dumps(items, default=hook)
        slotjson.dumps(items[1])
        slotjson.dumps([NAME, BIG, FLOAT, {KEY: PRICE}], ascii=True)


def test_refcounts_stable_on_success():
    items, labels = make_good()
    objs = watched(items, labels)
    run_successes(items, 50)  # warm-up: plans compiled, caches filled
    before = refcounts(objs)
    run_successes(items, 700)  # 2,100 calls
    after = refcounts(objs)
    drift = {i: after[i] - before[i] for i in range(len(objs)) if after[i] != before[i]}
    assert not drift, f"refcount drift (index: delta) {drift}"


def test_refcounts_stable_on_failure():
    items, labels = make_good()
    objs = watched(items, labels)
    calls = failing_calls(items)
    run_failures(calls, 10)
    before = refcounts(objs)
    run_failures(calls, 200)  # 2,000 failing calls
    after = refcounts(objs)
    drift = {i: after[i] - before[i] for i in range(len(objs)) if after[i] != before[i]}
    assert not drift, f"refcount drift (index: delta) {drift}"


def test_error_objects_do_not_pin_inputs():
    # Once the exception is gone, nothing it referenced (path keys, the hook's
    # exception in __cause__) keeps the inputs alive.
    items, labels = make_good()
    key = "dyn-" + "key" * 3
    data = {key: [1, math.nan]}
    before = refcounts([key, data])
    for _ in range(2_000):
        try:
            slotjson.dumps(data)
        except slotjson.EncodeError as e:
            assert e.path == (key, 1)
    assert refcounts([key, data]) == before


def _workload(items, calls):
    run_successes(items, 1)
    run_failures(calls, 1)


def test_tracemalloc_bounded():
    items, _ = make_good()
    calls = failing_calls(items)
    for _ in range(100):
        _workload(items, calls)
    tracemalloc.start()
    try:
        # Warm-up under tracing until the interpreter's own caches (exception
        # and frame free lists, type caches) have filled: on 3.12+ they grow
        # for a few thousand failing calls before levelling off.
        for _ in range(4_000):
            _workload(items, calls)
        gc.collect()
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(2_000):
            _workload(items, calls)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024, f"traced memory grew by {grown} bytes"


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_native_buffers_are_freed():
    # tracemalloc sees only Python's allocator; output buffers allocated by the
    # native side would escape it.  ~60 KB of output per call over 3,000 calls is
    # ~180 MB if leaked, far above allocator noise.
    big = [PullRequest(f"repo{i}", i, WHEN, None, [Label("n" * 20, "c" * 20)] * 3) for i in range(300)]
    assert len(slotjson.dumps(big)) > 50_000
    for _ in range(200):
        slotjson.dumps(big)
    gc.collect()
    before = _rss_bytes()
    for _ in range(3_000):
        slotjson.dumps(big)
        try:
            slotjson.dumps(big + [math.inf])  # fails after writing ~60 KB
        except slotjson.EncodeError:
            pass
    gc.collect()
    grown = _rss_bytes() - before
    assert grown < 32 * 1024 * 1024, f"RSS grew by {grown / 1e6:.1f} MB"
