"""The ``memory`` operation: peak extra resident memory of one whole-list encode.

Each measurement runs in a fresh child process (``python -m
slotjson.bench.memory SPEC``), so what earlier operations allocated, freed
and left in the allocator's free lists cannot hide or inflate the figure.
The child rebuilds the workload from its name, size and seed, encodes it
once untimed (plans compiled, worker pools started, size hints learned, as
in a long-running process), gives freed memory back to the system
(``gc.collect()``, then glibc's ``malloc_trim(0)``), and then, for each
sample:

1. resets the process's peak RSS (``"5"`` written to ``/proc/self/clear_refs``
   sets VmHWM to the current VmRSS),
2. reads VmRSS from ``/proc/self/status``,
3. calls the encoder once on the whole list, keeping its result,
4. reads VmHWM: the peak extra memory is VmHWM minus the RSS before,
   which includes the returned bytes themselves (so it is at least about
   1x the output size).

The figure reported is the largest sample. Trimming cannot give back all
that a call freed (glibc keeps the top of each worker thread's arena, and
moves its mmap threshold up after a large free), and a later call that
reuses such memory looks cheaper than it is; the largest sample is what
one call needed beyond what the process held.

The figures are resident pages (4 KiB granularity), so address space that
is reserved but never written does not count, as it costs nothing.
Linux-only: elsewhere, or where ``clear_refs`` is not writable, the
operation is skipped with a note.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import gc
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["CLEAR_REFS", "MemoryRow", "measure_in_child", "memory", "unavailable_reason"]

CLEAR_REFS = "/proc/self/clear_refs"
STATUS = "/proc/self/status"
SAMPLES = 5  # per measurement, each after the allocator was trimmed
CHILD_TIMEOUT_S = 600


@dataclasses.dataclass(frozen=True)
class MemoryRow:
    workload: str
    library: str
    call: str
    output_bytes: int
    peak_extra_bytes: tuple[int, ...]  # one entry per sample
    rss_before_bytes: int  # before the first sample

    @property
    def peak_bytes(self) -> int:
        """The reported figure: the largest sample (see the module docstring)."""
        return max(self.peak_extra_bytes)

    def as_dict(self) -> dict[str, Any]:
        size = self.output_bytes
        return {
            "workload": self.workload,
            "library": self.library,
            "call": self.call,
            "output_bytes": size,
            "peak_extra_bytes": self.peak_bytes,
            "peak_extra_min_bytes": min(self.peak_extra_bytes),
            "samples_bytes": list(self.peak_extra_bytes),
            # Peak extra memory as a multiple of the output size.
            "x_output": self.peak_bytes / size if size else None,
            "rss_before_bytes": self.rss_before_bytes,
        }


def unavailable_reason() -> str | None:
    """Why peak RSS cannot be measured here, or None if it can."""
    if not sys.platform.startswith("linux"):
        return f"needs Linux /proc/self/clear_refs to reset the peak RSS (this is {sys.platform})"
    if not os.access(CLEAR_REFS, os.W_OK):
        return f"{CLEAR_REFS} is not writable here, so the peak RSS cannot be reset"
    try:
        fields = _status()
    except OSError as exc:
        return f"cannot read {STATUS}: {exc}"
    if "VmHWM" not in fields or "VmRSS" not in fields:
        return f"{STATUS} has no VmHWM/VmRSS"
    return None


# -- parent side -------------------------------------------------------------------------


def measure_in_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its result, or ``{"error": ...}``."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "slotjson.bench.memory", json.dumps(spec)],
            capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT_S} s"}
    if done.returncode != 0:
        lines = (done.stderr or "").strip().splitlines()
        return {"error": f"child exited with {done.returncode}: {lines[-1] if lines else 'no output'}"}
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": f"child printed no result: {done.stdout[-200:]!r}"}


def memory(ctx: Any) -> None:
    """Peak extra memory of one ``dumps``-like call per library, each in a fresh child process."""
    from . import competitors

    prepared = ctx.prepared
    base = {"workload": ctx.workload.name, "items": len(ctx.workload.items), "seed": ctx.seed}
    wanted: list[tuple[str, str, dict[str, Any]]] = []
    if prepared.slotjson_ok:
        wanted.append(("slotjson threads=1", "slotjson.dumps(items, threads=1)", {"library": "slotjson", "threads": 1}))
        wanted.append(("slotjson", "slotjson.dumps(items)", {"library": "slotjson"}))
    known = set(competitors.NAMES)
    for name, (competitor, _) in prepared.encoders.items():
        if name not in known:
            ctx.note(f"memory: {name} not measured: a child process cannot rebuild an encoder defined by the caller")
            continue
        if prepared.inputs.get(name) is not ctx.workload.items:
            ctx.note(f"memory: {name} not measured: it is given the items as dicts, which a child would rebuild")
            continue
        wanted.append((name, competitor.call_on("items"), {"library": name}))
    for library, call, spec in wanted:
        ctx.progress.step(library)
        got = measure_in_child({**base, **spec})
        if "error" in got or "skip" in got:
            ctx.note(f"memory: {library} not measured: {got.get('error') or got.get('skip')}")
            continue
        expected = prepared.sizes.get(spec["library"])
        if got["output_bytes"] != expected:
            ctx.note(f"memory: {library} not reported: the child wrote {got['output_bytes']:,} bytes, "
                     f"the verified call {expected:,}")
            continue
        ctx.memory.append(MemoryRow(ctx.workload.name, library, call, got["output_bytes"],
                                    tuple(got["peak_extra_bytes"]), got["rss_before_bytes"]))


# -- child side --------------------------------------------------------------------------


def _status() -> dict[str, int]:
    """The ``kB`` fields of /proc/self/status, in bytes."""
    fields = {}
    with open(STATUS, encoding="ascii") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            parts = value.split()
            if len(parts) == 2 and parts[1] == "kB":
                fields[key] = int(parts[0]) * 1024
    return fields


def _trimmer() -> Callable[[], None]:
    """``malloc_trim(0)`` where the C library has it (glibc), else nothing."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is None:
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0) and None


def _workload_items(name: str, items: int, seed: int) -> list:
    from . import workloads

    if name in workloads.NAMES:
        return workloads.build(name, items, seed).items
    for parent in workloads.NAMES:  # a fallback data set, built with its primary one
        fallback = workloads.build(parent, items, seed).fallback
        if fallback is not None and fallback.name == name:
            return fallback.items
    raise ValueError(f"unknown workload {name!r}")


def _encoder(spec: dict[str, Any], model: type) -> Callable[[list], bytes]:
    library = spec["library"]
    if library == "slotjson":
        import slotjson

        threads = spec.get("threads")
        return slotjson.dumps if threads is None else lambda items: slotjson.dumps(items, threads=threads)
    from . import competitors

    loaded, notes = competitors.load([library])
    if not loaded:
        raise RuntimeError(notes[0] if notes else f"{library} is not available")
    return loaded[0].build(model).many


def measure_here(spec: dict[str, Any], samples: int = SAMPLES) -> dict[str, Any]:
    """One measurement in this process (meant to be a fresh one; see the module docstring)."""
    reason = unavailable_reason()
    if reason is not None:
        return {"skip": reason}
    items = _workload_items(spec["workload"], spec["items"], spec["seed"])
    encode = _encoder(spec, type(items[0]))
    trim = _trimmer()
    output_bytes = len(encode(items))  # warm-up; its output is freed at once
    peaks, before_first = [], None
    for _ in range(samples):
        gc.collect()
        trim()
        with open(CLEAR_REFS, "w", encoding="ascii") as handle:
            handle.write("5")
        before = _status()["VmRSS"]
        out = encode(items)
        peak = _status()["VmHWM"]
        if len(out) != output_bytes:
            raise RuntimeError(f"the encoder wrote {len(out)} bytes, then {output_bytes}")
        del out
        peaks.append(peak - before)
        before_first = before if before_first is None else before_first
    return {"output_bytes": output_bytes, "peak_extra_bytes": peaks, "rss_before_bytes": before_first}


def main(argv: Sequence[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m slotjson.bench.memory SPEC  (a JSON object; run by the harness)")
    print(json.dumps(measure_here(json.loads(args[0]))))


if __name__ == "__main__":
    main()
