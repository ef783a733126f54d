"""release_gil=True: other Python threads run while a long encode is under
way (the call yields the GIL between slices of its work, at item boundaries
of the top-level list), the bytes are those of a default call, and threads
that mutate the objects meanwhile never cause a crash or invalid JSON."""

import json
import random
import sys
import threading
import time
from typing import Any, Optional

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


def test_other_threads_progress_only_with_release_gil():
    items = make(40_000)
    slotjson.dumps(items[:10])  # compile the plans first: that runs Python code
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
    margin = 0.004  # well over the switch interval: turns taken around the call
    try:
        time.sleep(0.01)

        def ran_during(release):
            start = clock()
            slotjson.dumps(items, threads=1, release_gil=release)
            end = clock()
            assert end - start > 4 * margin, "the encode is too short to observe"
            return sum(start + margin < t < end - margin for t in list(stamps))

        held = ran_during(False)
        released = ran_during(True)
    finally:
        stop.set()
        spinner.join()
        sys.setswitchinterval(old)
    # Holding the GIL, the spinner cannot run inside the call; releasing it
    # between slices, it runs throughout.
    assert held == 0
    assert released > 10


def test_mutating_threads_never_break_an_encode():
    items = make(50_000, seed=3)
    deadline = time.monotonic() + 3.0
    errors = []

    def mutate(seed):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            i = rng.randrange(len(items)) if items else 0
            op = rng.randrange(6)
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
                else:
                    object.__setattr__(items[i], "label", "changed " * rng.randrange(5))
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
