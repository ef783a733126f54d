"""release_gil=True: other Python threads run while a long encode is under
way (strings, floats and datetimes are copied while the GIL is held and
formatted after it is released), the bytes are those of a default call, and
threads that mutate or free the objects meanwhile never cause a crash or
invalid JSON."""

import json
import math
import random
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from datetime import time as time_of_day
from typing import Any, Optional
from zoneinfo import ZoneInfo

import pytest
import slotjson


@slotjson.model
class Leaf:
    name: str
    score: float


@slotjson.model
class Node:
    id: int
    label: str
    leaves: list[Leaf]
    meta: dict[str, Any]
    parent: Optional[int]


def make(n, seed=7):
    rng = random.Random(seed)
    return [
        Node(i, f"node {i} ✓", [Leaf(f"l{j}", rng.random()) for j in range(rng.randrange(0, 6))],
             {"k": rng.randrange(100), "tags": ["a", "é"]}, None if i % 3 else i - 1)
        for i in range(n)
    ]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_same_bytes_as_a_default_call(workers):
    items = make(5000)
    expected = slotjson.dumps(items, threads=1)
    assert slotjson.dumps(items, threads=workers, release_gil=True) == expected
    assert slotjson.dumps(tuple(items), threads=workers, release_gil=True) == expected
    assert bytes(slotjson.dumps_indexed(items, threads=workers, release_gil=True)) == expected
    # Errors are those of a default call too.
    items[4321].label = 5  # type: ignore[assignment]
    with pytest.raises(slotjson.EncodeError, match=r"^\[4321\]\.label: expected str, got int$"):
        slotjson.dumps(items, threads=workers, release_gil=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_other_threads_progress_only_with_release_gil(workers):
    # The list is sized from a measured call, so the call is long (0.2 s or
    # more) on any interpreter and machine; its items repeat a base list,
    # which the encoder walks like distinct objects.
    base = make(20_000)
    slotjson.dumps(base[:10])  # compile the plans first: that runs Python code
    items = base
    while True:
        t0 = time.perf_counter()
        slotjson.dumps(items, threads=workers)
        took = time.perf_counter() - t0
        if took >= 0.2 or len(items) >= 100 * len(base):
            break
        items = base * min(100, math.ceil(len(items) / len(base) * 0.3 / took))
    stamps = []
    stop = threading.Event()
    clock = time.perf_counter

    def spin():
        # A thread doing pure-Python work, noting when it got to run.
        n = 0
        while not stop.is_set():
            n += 1
            if n % 200 == 0:
                stamps.append(clock())

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        time.sleep(0.01)

        def longest_pause(release):
            # The longest stretch of the call in which the spinner did not
            # run, as a share of the call. The GIL changes hands as the call
            # starts and returns, and a loaded machine may not schedule the
            # caller for a while: the spinner may run then, at either end,
            # but never in the middle of a call that holds the GIL.
            start = clock()
            slotjson.dumps(items, threads=workers, release_gil=release)
            end = clock()
            inside = [t for t in list(stamps) if start < t < end]
            points = [start, *inside, end]
            pause = max(b - a for a, b in zip(points, points[1:]))
            return pause / (end - start), len(inside)

        held, _ = longest_pause(False)
        released, ran = longest_pause(True)
    finally:
        stop.set()
        spinner.join()
        sys.setswitchinterval(old)
    # Holding the GIL, the spinner cannot run while the native call walks the
    # list: one pause spans most of the call. Releasing it while the walked
    # chunks are formatted, the spinner runs throughout: no pause comes close.
    assert held > 0.6, f"the spinner ran during a call holding the GIL (longest pause {held:.0%} of the call)"
    assert released < 0.4, f"the spinner was held up for {released:.0%} of a call releasing the GIL"
    assert ran > 10


def test_mutating_threads_never_break_an_encode():
    items = make(50_000, seed=3)
    deadline = time.monotonic() + 3.0
    errors = []

    def mutate(seed):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            i = rng.randrange(len(items)) if items else 0
            op = rng.randrange(8)
            try:
                if op == 0:
                    items.append(make(1, seed=rng.randrange(1000))[0])
                elif op == 1 and len(items) > 10_000:
                    items.pop(rng.randrange(len(items)))
                elif op == 2:
                    node = items[i]
                    object.__setattr__(node, "leaves", [Leaf("new", 1.5)] * rng.randrange(4))
                elif op == 3:
                    items[i].meta.update({str(rng.random()): [1, 2, {"x": None}]})
                elif op == 4:
                    items[i].meta.clear()
                elif op == 5:
                    object.__setattr__(items[i], "label", "changed " * rng.randrange(5))
                elif op == 6:
                    # Text that the walk copies into the tape: the old value
                    # is freed at once, possibly while the copy is rendered.
                    object.__setattr__(items[i], "label", "é✓😀" * rng.randrange(1, 40))
                else:
                    items[i].meta["when"] = [datetime(2024, 1, 1, tzinfo=timezone.utc), "日本" * 9]
            except IndexError:
                pass  # another mutator shrank the list first
            except Exception as exc:  # noqa: BLE001 - surfaced below
                errors.append(exc)

    mutators = [threading.Thread(target=mutate, args=(s,)) for s in range(3)]
    for t in mutators:
        t.start()
    encodes = 0
    try:
        while time.monotonic() < deadline:
            for workers in (2, 1):
                out = slotjson.dumps(items, threads=workers, release_gil=True)
                assert isinstance(json.loads(out), list)
                doc = slotjson.dumps_indexed(items, threads=workers, release_gil=True)
                assert len(json.loads(bytes(doc))) == len(doc)
                encodes += 2
    finally:
        for t in mutators:
            t.join()
    assert not errors, errors[:3]
    assert encodes >= 2


@slotjson.model
class Mixed:
    text: str
    words: list[str]
    when: datetime
    at: Optional[time_of_day]
    ratio: float
    by_name: dict[str, float]
    anything: Any


TZS = [None, timezone.utc, timezone(timedelta(hours=-3, minutes=-30)), ZoneInfo("Europe/Paris")]
TEXTS = ["", "short", "exactly sixteen!", "a long ASCII string with \"quotes\" and \\ and \n",
         "Latin-1 café crème brûlée, long enough", "BMP: 日本語のテキスト、十分に長い文字列です",
         "astral 😀🎉 emoji text that is long enough", "x" * 5000, "é" * 300 + "\u2028"]


def mixed(n, seed=11):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        tz = rng.choice(TZS)
        when = datetime(2000 + i % 30, 1 + i % 12, 1 + i % 28, i % 24, i % 60, i % 60, rng.choice([0, 123456]),
                        tzinfo=tz)
        out.append(Mixed(rng.choice(TEXTS), rng.sample(TEXTS, 3), when,
                         None if i % 5 == 0 else time_of_day(i % 24, 30, tzinfo=rng.choice(TZS[:3])),
                         rng.choice([0.0, -0.0, 5e-324, 1e16, 1 / 3, rng.random() * 1e6]),
                         {rng.choice(TEXTS): rng.random() for _ in range(3)},
                         rng.choice([1.5, [when, "y" * 20], {"k": -0.0}, 2**80, None])))
    return out


@pytest.mark.parametrize("opts", [{}, {"ascii": True}, {"utc_z": True, "omit_microseconds": True},
                                  {"nan": "null"}])
def test_every_deferred_leaf_kind_matches_a_default_call(opts):
    items = mixed(3000)
    items[7].ratio = math.nan if opts.get("nan") == "null" else 2.5
    expected = slotjson.dumps(items, threads=1, **opts)
    for workers in (1, 2, 3):
        assert slotjson.dumps(items, threads=workers, release_gil=True, **opts) == expected
        doc = slotjson.dumps_indexed(items, threads=workers, release_gil=True, **opts)
        assert bytes(doc) == expected
        # The index points at the same item starts as a default document's.
        assert doc.page(1234, 3) == slotjson.dumps_indexed(items, threads=1, **opts).page(1234, 3)
    # Values that are not lists are walked with the GIL and rendered without it.
    for value in (items[5], {"items": items[:50]}, "😀" * 40):
        assert slotjson.dumps(value, release_gil=True, **opts) == slotjson.dumps(value, **opts)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("bad", ["\ud800", "a long string, then a lone surrogate: \udfff"])
def test_lone_surrogate_errors_name_the_path(workers, bad):
    # Short strings are escaped during the walk, long ones after the GIL is
    # released: both raise the error (and path) of a default call.
    items = mixed(2000)
    items[1500].words = ["ok", "fine", bad]
    with pytest.raises(slotjson.EncodeError) as default:
        slotjson.dumps(items, threads=workers)
    with pytest.raises(slotjson.EncodeError) as released:
        slotjson.dumps(items, threads=workers, release_gil=True)
    assert str(released.value) == str(default.value)
    assert released.value.path == default.value.path == (1500, "words", 2)
    assert "lone surrogate" in str(released.value)
    with pytest.raises(slotjson.EncodeError, match=r"^Mixed\.text: .*lone surrogate"):
        slotjson.dumps(Mixed(bad, [], items[0].when, None, 1.0, {}, None), release_gil=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_items_that_are_nothing_but_a_hole(workers):
    # An item (or a whole chunk) whose only text is filled in after the walk.
    when = datetime(2000, 1, 1)
    for items in ([when], ["é" * 20], ["é" * 20, when] * 50, [[], "€" * 9, {}, when]):
        expected = slotjson.dumps(items, threads=1)
        assert slotjson.dumps(items, threads=workers, release_gil=True) == expected
        doc = slotjson.dumps_indexed(items, threads=workers, release_gil=True)
        assert bytes(doc) == expected
        assert [doc[i] for i in range(len(doc))] == [slotjson.dumps(x) for x in items]
