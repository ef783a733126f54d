"""Timing callables: warm-up, calibrated inner loop, min and median of repeated samples.

Fast calls (a page of 100 items takes microseconds) are repeated inside each
sample so the clock's resolution and the loop overhead stay negligible;
slow calls (the stdlib on 10,000 items takes a second) run once per sample.
The garbage collector is off while samples are taken: a collection
triggered by one library's temporaries would otherwise be billed to
whichever call happens to be running.

The calls compared in one table are measured together, taking their
samples in turns (one of each, in an order shuffled anew each round): a
shared machine's speed drifts by tens of percent within a minute, and
measuring one call after another would bill that drift to whichever was
measured in the slow minute. In turns, every call sees the same
conditions, and their ratios hold even when the absolute times move.
"""

from __future__ import annotations

import dataclasses
import gc
import random
import statistics
import time
from collections.abc import Callable, Sequence

from .features import is_fatal

__all__ = ["AUTO_MAX_SAMPLES", "AUTO_MIN_SAMPLES", "Timing", "measure_together"]

WARMUP_NS = 50_000_000  # warm caches and lazy initialisation for at least this long (one call at minimum)
SAMPLE_NS = 5_000_000  # aim for samples at least this long
MAX_NUMBER = 100_000  # calls per sample, at most

# Without --repeat: as many samples as fit the budget, within these bounds.
AUTO_MIN_SAMPLES = 5
AUTO_MAX_SAMPLES = 7


@dataclasses.dataclass(frozen=True)
class Timing:
    per_call_ns: tuple[float, ...]  # one entry per sample
    number: int  # calls per sample

    @property
    def min_ns(self) -> float:
        return min(self.per_call_ns)

    @property
    def median_ns(self) -> float:
        return statistics.median(self.per_call_ns)


def measure_together(
    calls: Sequence[tuple[Callable[[], object], float | None]], *, repeat: int | None, budget_s: float
) -> list[Timing | BaseException]:
    """Time each ``fn()`` of ``calls``, taking their samples in turns.

    ``calls`` pairs each callable with ``warmed_ns``: the caller has just run
    the same code (to verify its output) and it took this long. A run that
    long is a warm-up already, so a slow call is not repeated once more
    before its samples.

    ``repeat`` samples of each exactly when given; otherwise between
    ``AUTO_MIN_SAMPLES`` and ``AUTO_MAX_SAMPLES`` rounds, stopping once the
    rounds have used ``budget_s`` seconds per call. That keeps a default run
    short when the slowest competitors need a second per call, while fast
    calls still get the full set of samples.

    Returns one ``Timing`` per call, in order, or the exception a call
    raised (it takes no further turns; the others go on).
    """
    results: list[Timing | BaseException | None] = [None] * len(calls)
    numbers: list[int] = []
    for k, (fn, warmed_ns) in enumerate(calls):
        try:
            numbers.append(_calibrate(fn, warmed_ns))
        except BaseException as exc:  # noqa: BLE001 - returned to the caller
            if is_fatal(exc):
                raise
            results[k] = exc
            numbers.append(0)

    wanted = repeat if repeat is not None else AUTO_MAX_SAMPLES
    budget_ns = budget_s * 1e9 * len(calls)
    samples: list[list[float]] = [[] for _ in calls]
    clock = time.perf_counter_ns
    gc.collect()  # start every measurement from the same, clean heap
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        spent = 0
        order = list(range(len(calls)))
        shuffle = random.Random(len(calls)).shuffle  # seeded: runs repeat the same orders
        for round_ in range(wanted):
            # A new order each round, so that no call always runs right
            # after the same one: a call that frees much memory can leave the
            # next one to fault fresh pages in.
            if round_:
                shuffle(order)
            for k in order:
                fn = calls[k][0]
                if results[k] is not None:
                    continue
                loop = range(numbers[k])
                t0 = clock()
                try:
                    for _ in loop:
                        fn()
                except BaseException as exc:  # noqa: BLE001 - returned to the caller
                    if is_fatal(exc):
                        raise
                    results[k] = exc
                    continue
                took = clock() - t0
                samples[k].append(took / numbers[k])
                spent += took
            if repeat is None and round_ + 1 >= AUTO_MIN_SAMPLES and spent >= budget_ns:
                break
    finally:
        if was_enabled:
            gc.enable()
    return [
        result if result is not None else Timing(tuple(samples[k]), numbers[k])
        for k, result in enumerate(results)
    ]


def _calibrate(fn: Callable[[], object], warmed_ns: float | None) -> int:
    """Warm ``fn`` up (unless ``warmed_ns`` says it is) and return the calls per sample."""
    clock = time.perf_counter_ns
    if warmed_ns is not None and warmed_ns >= WARMUP_NS:
        per_call = warmed_ns
    else:
        start = clock()
        calls = 0
        while True:
            fn()
            calls += 1
            elapsed = clock() - start
            if elapsed >= WARMUP_NS:
                break
        per_call = elapsed / calls
    return max(1, min(MAX_NUMBER, int(SAMPLE_NS // per_call) if per_call > 0 else MAX_NUMBER))
