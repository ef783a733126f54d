"""Forked children encode like their parent.

A fork copies the parent's memory but only the thread that forked: the
worker threads of a parallel encode, a lock one of them held, a plan
compilation in progress on another thread are all copied as state with no
thread behind it. gunicorn ``--preload``, multiprocessing's fork start
method and celery's prefork pool fork after the parent has worked, so a
child must rebuild what it needs instead of waiting on what it inherited.

Every child runs with a deadline and is killed past it: a hang fails one
test instead of blocking the suite.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
import signal
import threading
import time
import traceback
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
import slotjson

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
    # Python 3.12+ warns that forking a process with threads may deadlock;
    # making sure it does not is the point of this module.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

# Long enough for a loaded CI machine; a hung child is killed at this point.
DEADLINE = 60.0


@slotjson.model
class Row:
    id: int
    name: str
    at: datetime
    tags: list[str]
    score: float
    extra: Any


def rows(n: int = 3_000) -> list[Row]:
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return [
        Row(i, f"row {i} é", t0 + timedelta(seconds=i), [f"t{i % 7}", "x" * (i % 13)], i / 7, {"k": [i, None]})
        for i in range(n)
    ]


ROWS = rows()
# About 400 KB of JSON: large enough that threads=None uses every CPU.
EXPECTED = slotjson.dumps(ROWS, threads=1)


def run_in_child(fn: Callable[[], Any], deadline: float = DEADLINE) -> Any:
    """``fn()`` in a forked child; its result, or the child's traceback as
    a test failure. A child still running after ``deadline`` seconds is
    killed and the test fails."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        status = 1
        try:
            os.close(read_end)
            try:
                payload = pickle.dumps(("ok", fn()))
            except BaseException:  # reported to the parent
                payload = pickle.dumps(("error", traceback.format_exc()))
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    chunks = []
    end = time.monotonic() + deadline
    try:
        while True:
            left = end - time.monotonic()
            ready, _, _ = select.select([read_end], [], [], max(left, 0))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                pytest.fail(f"the forked child was still running after {deadline:.0f} s (hung)")
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    if not chunks:
        pytest.fail(f"the forked child died without reporting (wait status {status:#x})")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "error":
        pytest.fail(f"in the forked child:\n{value}")
    return value


def encode_every_mode(tag: object = None) -> list[str]:
    """Every way of encoding, each checked against the parent's bytes;
    returns the modes checked."""
    modes = {
        "serial": lambda: slotjson.dumps(ROWS, threads=1),
        "threads=None": lambda: slotjson.dumps(ROWS),
        "threads=2": lambda: slotjson.dumps(ROWS, threads=2),
        "threads=3": lambda: slotjson.dumps(ROWS, threads=3),
        "release_gil": lambda: slotjson.dumps(ROWS, release_gil=True, threads=1),
        "release_gil threads=2": lambda: slotjson.dumps(ROWS, release_gil=True, threads=2),
        "dumps_indexed": lambda: bytes(slotjson.dumps_indexed(ROWS, threads=1)),
        "dumps_indexed threads=2": lambda: bytes(slotjson.dumps_indexed(ROWS, threads=2)),
        "dumps_indexed release_gil": lambda: bytes(slotjson.dumps_indexed(ROWS, release_gil=True, threads=2)),
    }
    for mode, encode in modes.items():
        got = encode()
        assert got == EXPECTED, f"{mode}: {len(got)} bytes differ from the parent's {len(EXPECTED)}"
    assert slotjson.dumps(ROWS[7], release_gil=True) == slotjson.dumps(ROWS[7])
    doc = slotjson.Document.from_bytes(slotjson.dumps_indexed(ROWS, threads=2).to_bytes(), verify=True)
    single = [slotjson.dumps(r) for r in ROWS[:12]]
    assert doc.page(3, 4) == b"[" + b",".join(single[3:7]) + b"]"
    assert doc[5] == single[5]
    assert doc.take([11, 0, 11]) == b"[" + b",".join([single[11], single[0], single[11]]) + b"]"
    return list(modes)


def parallel_work_in_parent() -> None:
    assert slotjson.dumps(ROWS) == EXPECTED  # automatic worker count
    assert slotjson.dumps(ROWS, threads=2) == EXPECTED
    assert bytes(slotjson.dumps_indexed(ROWS, threads=3)) == EXPECTED


def test_child_encodes_after_parallel_encode():
    parallel_work_in_parent()
    assert "threads=2" in run_in_child(encode_every_mode)
    assert slotjson.dumps(ROWS, threads=2) == EXPECTED  # and the parent still does


def test_child_encodes_after_release_gil_encode():
    assert slotjson.dumps(ROWS, release_gil=True, threads=2) == EXPECTED
    assert slotjson.dumps(ROWS, release_gil=True) == EXPECTED
    run_in_child(encode_every_mode)
    assert slotjson.dumps(ROWS, release_gil=True, threads=2) == EXPECTED


def test_grandchild_encodes_after_child_did():
    parallel_work_in_parent()

    def child() -> Any:
        encode_every_mode()  # the child's own pools, then a fork of the child
        return run_in_child(encode_every_mode, deadline=DEADLINE / 2)

    run_in_child(child)


def test_multiprocessing_fork_pool():
    parallel_work_in_parent()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pool = multiprocessing.get_context("fork").Pool(2)
    try:
        done = pool.map_async(encode_every_mode, range(4)).get(timeout=DEADLINE)
    except multiprocessing.TimeoutError:
        pytest.fail(f"multiprocessing fork workers did not finish in {DEADLINE:.0f} s (hung)")
    finally:
        pool.terminate()
        pool.join()
    assert len(done) == 4


def test_fork_while_another_thread_encodes():
    # The other thread keeps encoding in parallel, and with release_gil=True
    # it renders without the GIL: forks land while its workers are busy.
    stop = threading.Event()
    errors: list[BaseException] = []

    def encode_until_stopped() -> None:
        try:
            while not stop.is_set():
                assert slotjson.dumps(ROWS, release_gil=True, threads=2) == EXPECTED
                assert slotjson.dumps(ROWS, threads=2) == EXPECTED
        except BaseException as e:  # reported in the main thread
            errors.append(e)

    worker = threading.Thread(target=encode_until_stopped)
    worker.start()
    try:
        for k in range(4):
            time.sleep(0.003 * k)
            run_in_child(encode_every_mode)
    finally:
        stop.set()
        worker.join()
    assert not errors, errors


def test_fork_while_another_thread_compiles_a_plan():
    # A rename callable runs during compilation, which holds the compile
    # lock: the fork copies that lock held by a thread the child lacks.
    entered = threading.Event()
    release = threading.Event()

    def slow_rename(name: str) -> str:
        entered.set()
        release.wait(DEADLINE)
        return name.upper()

    @slotjson.model(rename=slow_rename)
    class Slow:
        a: int

    compiling = threading.Thread(target=slotjson.compile, args=(Slow,))
    compiling.start()
    try:
        assert entered.wait(DEADLINE)

        def child() -> bytes:
            @slotjson.model
            class Fresh:  # a class the child has to compile
                b: list[int]

            encode_every_mode()
            return slotjson.dumps([Fresh([1, 2])] * 3000, threads=2)[:20]

        assert run_in_child(child) == b'[{"b":[1,2]},{"b":[1'
    finally:
        release.set()
        compiling.join()
    assert slotjson.dumps(Slow(1)) == b'{"A":1}'
