"""What an operation needs to time one workload, and the rows it produces."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from typing import Any

from .features import Features, is_fatal
from .memory import MemoryRow
from .prepare import Prepared
from .progress import Progress
from .timing import Timing, measure_together
from .workloads import DEFAULT_SEED, Workload

__all__ = ["Context", "Row"]


@dataclasses.dataclass(frozen=True)
class Row:
    workload: str
    operation: str
    library: str
    call: str
    timing: Timing
    nbytes: int  # JSON bytes produced per call, for MB/s
    baseline: bool  # the row the others in its operation are compared with


@dataclasses.dataclass
class Context:
    workload: Workload
    prepared: Prepared
    features: Features
    repeat: int | None
    budget_s: float
    threads: tuple[int, ...]
    progress: Progress
    # False for a fallback data set, where only the competitors that could not
    # take the primary one are timed: library-independent strategies (joining
    # cached bytes, pickle) were already measured on the primary data.
    generic: bool = True
    seed: int = DEFAULT_SEED  # the workload's, so a child process can rebuild it (memory)
    rows: list[Row] = dataclasses.field(default_factory=list)
    memory: list[MemoryRow] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    _item_bytes: list[bytes] | None = dataclasses.field(default=None, init=False, repr=False)
    _queued: list[_Queued] = dataclasses.field(default_factory=list, init=False, repr=False)

    def item_bytes(self) -> list[bytes]:
        """Each item's JSON, as the reference spells it: the cache a server would keep per item.

        Written from the parsed reference by the stdlib, which spells it
        exactly as slotjson does (it is slotjson's oracle), so it exists even
        when slotjson cannot encode the workload.
        """
        if self._item_bytes is None:
            encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
            self._item_bytes = [encode(value).encode() for value in self.prepared.expected]
        return self._item_bytes

    def note(self, text: str) -> None:
        self.notes.append(f"{self.workload.name}: {text}")

    def time(
        self,
        operation: str,
        library: str,
        call: str,
        fn: Callable[[], Any],
        nbytes: int,
        *,
        verify: Callable[[], str | None] | None = None,
        baseline: bool = False,
        warmed_ns: float | None = None,
    ) -> bool:
        """Verify ``fn``'s call and queue it to be timed; on a wrong or failing call, a note instead.

        ``verify`` runs what ``fn`` runs, once, and says what is wrong with
        the output (None if nothing): every operation checks its own output,
        since a library that encodes whole lists correctly can still get a
        slice or a concurrent call wrong. It also serves as the warm-up of a
        slow call; ``warmed_ns`` says the same when the check ran earlier.

        The queued calls are timed together, samples in turns, by ``flush``
        (which the runner calls after each operation), so that the rows of
        one table are measured under the same conditions. Returns whether
        the call was queued.
        """
        self.progress.step(library)
        try:
            started = time.perf_counter_ns()
            problem = verify() if verify is not None else None
            if verify is not None:
                warmed_ns = time.perf_counter_ns() - started
        except BaseException as exc:  # noqa: BLE001 - see is_fatal()
            if is_fatal(exc):
                raise
            problem = f"raised {type(exc).__name__}: {exc}"
        if problem is not None:
            self.note(f"{operation}: {library} not reported, its output is wrong: {problem}")
            return False
        self._queued.append(_Queued(operation, library, call, fn, nbytes, baseline, warmed_ns))
        return True

    def flush(self) -> None:
        """Time the queued calls together and record their rows, in the order queued."""
        queued, self._queued = self._queued, []
        if not queued:
            return
        timings = measure_together([(q.fn, q.warmed_ns) for q in queued], repeat=self.repeat,
                                   budget_s=self.budget_s)
        for q, timing in zip(queued, timings):
            if isinstance(timing, BaseException):
                self.note(f"{q.operation}: {q.library} not reported, it raised while timed: "
                          f"{type(timing).__name__}: {timing}")
                continue
            self.rows.append(Row(self.workload.name, q.operation, q.library, q.call, timing, q.nbytes,
                                 q.baseline))


@dataclasses.dataclass(frozen=True)
class _Queued:
    """A verified call waiting to be timed."""

    operation: str
    library: str
    call: str
    fn: Callable[[], Any]
    nbytes: int
    baseline: bool
    warmed_ns: float | None
