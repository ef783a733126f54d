"""Command-line options of ``python -m slotjson.bench``."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence

from . import competitors, workloads

__all__ = ["DEFAULT_OPERATIONS", "OPERATIONS", "parse"]

# In the order they run; the runner maps each to its function.
OPERATIONS = (
    "encode", "indexed", "page100", "cache_read", "cache_roundtrip", "threads", "release_gil", "models", "table",
    "memory",
)
# What runs without --only: memory starts a fresh process per measurement,
# which would take the default run past a minute, so it is asked for by name.
DEFAULT_OPERATIONS = tuple(op for op in OPERATIONS if op != "memory")


def _choices(allowed: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
        unknown = [name for name in names if name not in allowed]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated list of {', '.join(allowed)}; got {text!r}"
            )
        return names

    return parse


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _thread_counts(text: str) -> tuple[int, ...]:
    counts = tuple(dict.fromkeys(_positive(part.strip()) for part in text.split(",") if part.strip()))
    if not counts:
        raise argparse.ArgumentTypeError(f"expected thread counts like 1,2; got {text!r}")
    return counts


def _budget(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected seconds >= 0, got {text!r}")
    return value


def _default_threads() -> tuple[int, ...]:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return tuple(range(1, max(cores, 1) + 1))


def parser() -> argparse.ArgumentParser:
    sizes = ", ".join(f"{name} {count:,}" for name, count in workloads.DEFAULT_ITEMS.items())
    p = argparse.ArgumentParser(
        prog="python -m slotjson.bench",
        description="Benchmark slotjson against other JSON encoders on seeded workloads. "
        "Every competitor's output is checked against slotjson's before it is timed.",
    )
    p.add_argument("--workload", choices=(*workloads.NAMES, "all"), default="all",
                   help="which workload to run (default: all)")
    p.add_argument("--items", type=_positive, default=None, metavar="N",
                   help=f"items per workload (default: {sizes})")
    p.add_argument("--threads", type=_thread_counts, default=_default_threads(), metavar="LIST",
                   help="thread counts for the threads operation, e.g. 1,2 (default: 1 to the usable cores)")
    p.add_argument("--repeat", type=_positive, default=None, metavar="N",
                   help="timed samples per measurement (default: up to 7, at least 5, "
                   "within --budget seconds per measurement)")
    p.add_argument("--budget", type=_budget, default=0.25, metavar="SECONDS",
                   help="time allowed per measurement when --repeat is not given (default: 0.25)")
    p.add_argument("--only", type=_choices(OPERATIONS), default=DEFAULT_OPERATIONS, metavar="OPS",
                   help=f"operations to run, comma-separated: {', '.join(OPERATIONS)} (default: all but memory). "
                   "memory: peak extra resident memory of one whole-list call (VmHWM after a reset through "
                   "/proc/self/clear_refs, minus VmRSS before), in bytes and as a multiple of the output size, "
                   "for slotjson with threads=1 and default threads and for each competitor, each in a fresh "
                   "child process (Linux only; about a second per row)")
    p.add_argument("--compare", type=_choices(competitors.NAMES), default=competitors.NAMES, metavar="LIBS",
                   help=f"competitors, comma-separated: {', '.join(competitors.NAMES)} (default: all; "
                   "missing ones are skipped with a note)")
    p.add_argument("--seed", type=int, default=workloads.DEFAULT_SEED, help="workload seed")
    p.add_argument("--json", metavar="FILE", default=None,
                   help="also write the results, with the machine description, as JSON")
    p.add_argument("--plot", metavar="FILE.png", default=None, help="also draw a bar chart (needs matplotlib)")
    p.add_argument("--malloc", choices=("steady", "fresh", "adaptive"), default="steady",
                   help="glibc malloc thresholds for the whole run, pinned so that no timed call changes them for "
                   "the next: steady (default) = what glibc adapts to in a long-running process (mmap threshold "
                   "32 MiB, trim 64 MiB); fresh = its start-up values (128 KiB); adaptive = leave glibc alone")
    p.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    return p


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    return parser().parse_args(argv)
