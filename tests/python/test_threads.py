"""Parallel encoding: the bytes (and any error) are those of a serial
encode, whatever the worker count; chunks that need Python (a default=
hook, a non-fixed tzinfo, an unsupported value) are redone by the calling
thread."""

import dataclasses
import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import pytest
import slotjson

pytestmark = pytest.mark.usefixtures("path_mode")

WORKERS = [1, 2, 3, 8]


@slotjson.model
class Tag:
    name: str
    weight: float


@slotjson.model
class Entry:
    id: int
    title: str
    tags: list[Tag]
    extra: Any
    when: Optional[datetime]


class Custom:
    def __init__(self, n):
        self.n = n


class Shifting(timezone.__base__):  # a tzinfo whose offset only Python knows
    def utcoffset(self, dt):
        return timedelta(hours=2)

    def dst(self, dt):
        return None


def entries(n, *, slow_every=0):
    out = []
    for i in range(n):
        # Sizes differ by orders of magnitude so chunks are uneven.
        size = 1 if i % 7 else 200
        extra: Any = {"k": [i, float(i) / 3, "é" * (i % 5)], "big": 10**30 + i}
        when = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=i)
        if slow_every and i % slow_every == 0:
            extra = Custom(i)
            when = datetime(2024, 1, 1, tzinfo=Shifting())
        out.append(Entry(i, f"entry {i} ✓", [Tag(f"t{j}", j / 7) for j in range(size)], extra, when))
    return out


def hook(o):
    return {"custom": o.n}


@pytest.mark.parametrize("workers", WORKERS)
def test_bytes_identical_for_any_worker_count(workers):
    items = entries(3000)
    serial = slotjson.dumps(items, threads=1)
    assert slotjson.dumps(items, threads=workers) == serial
    assert slotjson.dumps(tuple(items), threads=workers) == serial
    assert bytes(slotjson.dumps_indexed(items, threads=workers)) == serial


@pytest.mark.parametrize("workers", WORKERS)
def test_chunks_that_need_python_are_redone_in_order(workers):
    items = entries(2000, slow_every=97)
    serial = slotjson.dumps(items, threads=1, default=hook)
    assert b'"custom":97' in serial and b"+02:00" in serial
    assert slotjson.dumps(items, threads=workers, default=hook) == serial
    doc = slotjson.dumps_indexed(items, threads=workers, default=hook)
    assert bytes(doc) == serial
    assert doc[97] == slotjson.dumps(items[97], default=hook)


@pytest.mark.parametrize("workers", WORKERS)
def test_first_error_wins_as_in_a_serial_encode(workers):
    items = entries(2000)
    items[1500].title = 15  # type: ignore[assignment]
    items[700].tags[0].name = None  # type: ignore[assignment]
    with pytest.raises(slotjson.EncodeError) as serial:
        slotjson.dumps(items, threads=1)
    with pytest.raises(slotjson.EncodeError) as parallel:
        slotjson.dumps(items, threads=workers)
    assert str(parallel.value) == str(serial.value) == "[700].tags[0].name: expected str, got NoneType"
    assert parallel.value.path == (700, "tags", 0, "name")


@pytest.mark.parametrize("workers", WORKERS)
def test_cycles_through_the_top_level_list(workers):
    items: list[Any] = [[i] for i in range(1000)]
    items[600].append(items)
    with pytest.raises(slotjson.EncodeError, match=r"^\[600\]\[1\]: circular reference detected$"):
        slotjson.dumps(items, threads=workers)


@pytest.mark.parametrize("bad", [0, -1, 257, 1.5, "2", True])
def test_threads_must_be_a_small_positive_int(bad):
    with pytest.raises(ValueError, match="threads must be None or an int"):
        slotjson.dumps([1, 2], threads=bad)
    with pytest.raises(ValueError, match="threads must be None or an int"):
        slotjson.dumps_indexed([1, 2], threads=bad)


def test_set_threads_changes_the_automatic_count_and_returns_the_previous():
    items = entries(3000)
    serial = slotjson.dumps(items, threads=1)
    previous = slotjson.set_threads(3)
    try:
        assert slotjson.set_threads(2) == 3
        assert slotjson.dumps(items) == serial
    finally:
        slotjson.set_threads(previous)
    with pytest.raises(ValueError):
        slotjson.set_threads(0)


def test_many_python_threads_share_the_pool_without_deadlock():
    items = entries(100)
    expected = slotjson.dumps(items, threads=1)
    failures = []

    def run():
        for _ in range(500):
            if slotjson.dumps(items, threads=2) != expected:
                failures.append("mismatch")

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    assert failures == []


def test_plain_dataclasses_are_redone_by_the_caller():
    @dataclasses.dataclass
    class Row:  # not slotted: read by attribute lookup, which needs Python
        a: int
        b: str

    rows = [Row(i, str(i)) for i in range(3000)]
    assert slotjson.dumps(rows, threads=4) == slotjson.dumps(rows, threads=1)


class ListOf(list):
    pass


class TupleOf(tuple):
    pass


@pytest.mark.parametrize("workers", WORKERS)
@pytest.mark.parametrize("container", [list, tuple, ListOf, TupleOf])
def test_sequence_subclasses(workers, container):
    items = entries(600)
    serial = slotjson.dumps(items, threads=1)
    assert bytes(slotjson.dumps_indexed(container(items), threads=workers)) == serial
    assert slotjson.dumps(container(items), threads=workers) == serial
