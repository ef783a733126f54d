"""Timing one callable: warm-up, calibrated inner loop, min and median of repeated samples.

Fast calls (a page of 100 items takes microseconds) are repeated inside each
sample so the clock's resolution and the loop overhead stay negligible;
slow calls (the stdlib on 10,000 items takes a second) run once per sample.
The garbage collector is off while samples are taken: a collection
triggered by one library's temporaries would otherwise be billed to
whichever call happens to be running.
"""

from __future__ import annotations

import dataclasses
import gc
import statistics
import time
from collections.abc import Callable

__all__ = ["AUTO_MAX_SAMPLES", "AUTO_MIN_SAMPLES", "Timing", "measure"]

WARMUP_NS = 50_000_000  # warm caches and lazy initialisation for at least this long (one call at minimum)
SAMPLE_NS = 5_000_000  # aim for samples at least this long
MAX_NUMBER = 100_000  # calls per sample, at most

# Without --repeat: as many samples as fit the budget, within these bounds.
AUTO_MIN_SAMPLES = 2
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


def measure(
    fn: Callable[[], object], *, repeat: int | None, budget_s: float, warmed_ns: float | None = None
) -> Timing:
    """Time ``fn()``.

    ``repeat`` samples exactly when given; otherwise between
    ``AUTO_MIN_SAMPLES`` and ``AUTO_MAX_SAMPLES``, stopping once the samples
    have used ``budget_s`` seconds. That keeps a default run short when the
    slowest competitors need a second per call, while fast calls still get
    the full set of samples.

    ``warmed_ns``: the caller has just run the same code (to verify its
    output) and it took this long. A run that long is a warm-up already, so
    a slow call is not repeated once more before its samples.
    """
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
    number = max(1, min(MAX_NUMBER, int(SAMPLE_NS // per_call) if per_call > 0 else MAX_NUMBER))

    wanted = repeat if repeat is not None else AUTO_MAX_SAMPLES
    budget_ns = budget_s * 1e9
    samples: list[float] = []
    loop = range(number)
    gc.collect()  # start every measurement from the same, clean heap
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        spent = 0
        while len(samples) < wanted:
            t0 = clock()
            for _ in loop:
                fn()
            took = clock() - t0
            samples.append(took / number)
            spent += took
            if repeat is None and len(samples) >= AUTO_MIN_SAMPLES and spent >= budget_ns:
                break
    finally:
        if was_enabled:
            gc.enable()
    return Timing(tuple(samples), number)
