"""``run()``: parse options, build and verify each workload, time the operations, report."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from . import competitors as competitors_module
from . import allocator, machine, memory, operations, options, pages, plot, report, workloads
from .competitors import Competitor
from .context import Context, Row
from .features import Features, detect
from .prepare import prepare
from .progress import Progress
from .workloads import Workload

__all__ = ["run"]

_OPERATIONS: dict[str, Callable[[Context], None]] = {
    "encode": operations.encode,
    "indexed": operations.indexed,
    "page100": pages.page100,
    "cache_read": pages.cache_read,
    "cache_roundtrip": pages.cache_roundtrip,
    "threads": operations.threads,
    "release_gil": operations.release_gil,
    "models": operations.models,
    "table": operations.table,
    "memory": memory.memory,
}


# On a fallback data set only the operations where competitors take part.
_FALLBACK_OPERATIONS = ("encode", "indexed", "page100", "release_gil", "memory")


def _runnable(
    wanted: Sequence[str], features: Features, competitors: Sequence[Competitor]
) -> tuple[list[str], list[str]]:
    """The operations the installed slotjson supports, and a note for each it does not."""
    missing = {
        "indexed": None if features.indexed else "slotjson has no dumps_indexed()",
        "cache_read": None if features.cache else "slotjson has no Document.to_bytes()/from_bytes()",
        "cache_roundtrip": None if features.cache else "slotjson has no Document.to_bytes()/from_bytes()",
        "threads": None if features.threads else "slotjson.dumps() does not accept threads=",
        "release_gil": None if features.release_gil else "slotjson.dumps() does not accept release_gil=",
        "memory": memory.unavailable_reason(),
    }
    runnable, notes = [], []
    for name in (op for op in options.OPERATIONS if op in wanted):  # always in the documented order
        reason = missing.get(name)
        if reason:
            notes.append(f"{name}: skipped, {reason}")
        else:
            runnable.append(name)
    if "page100" in runnable and not features.indexed:
        notes.append("page100: slotjson has no dumps_indexed(), so its row re-encodes the slice with dumps()")
    python_level = ", ".join(c.name for c in competitors if c.python_level)
    if python_level and "indexed" in runnable:
        notes.append(
            f"indexed: {python_level} left out: asdict() dominates their time, "
            "so per-item encoding costs what their encode row shows"
        )
    if python_level and "release_gil" in runnable:
        notes.append(f"release_gil: {python_level} left out: asdict() runs Python code, which holds the GIL anyway")
    return runnable, notes


@dataclasses.dataclass(frozen=True)
class _Settings:
    """What every workload is timed with."""

    features: Features
    repeat: int | None
    budget_s: float
    threads: tuple[int, ...]
    progress: Progress
    seed: int


def _bench_workload(
    workload: Workload,
    competitors: Sequence[Competitor],
    operation_names: Sequence[str],
    settings: _Settings,
    generic: bool = True,
) -> tuple[list[Row], list[memory.MemoryRow], list[str], dict[str, Any], list[Competitor]]:
    """Verify then time one data set; also returns the competitors it refused because they raised."""
    progress = settings.progress
    progress.stage(f"{workload.name}: checking outputs")
    prepared = prepare(workload, competitors)
    ctx = Context(workload, prepared, settings.features, settings.repeat, settings.budget_s,
                  settings.threads, progress, generic=generic, seed=settings.seed)
    if prepared.expected is not None:
        for name in operation_names:
            progress.stage(f"{workload.name}: {name}")
            _OPERATIONS[name](ctx)
            ctx.flush()
    summary = {
        "name": workload.name,
        "description": workload.description,
        "items": len(workload.items),
        "json_bytes": prepared.sizes.get("slotjson") or next(iter(prepared.sizes.values()), None),
        "verification": {lib: {"ok": v.ok, "detail": v.detail} for lib, v in prepared.verdicts.items()},
    }
    return ctx.rows, ctx.memory, ctx.notes, summary, prepared.refused_by_raising(competitors)


def run(
    argv: Sequence[str] | None = None,
    *,
    extra_competitors: Iterable[Competitor] = (),
    out: TextIO | None = None,
) -> dict[str, Any]:
    """Run the benchmark and return its results (also printed, and written with --json).

    ``argv`` is the command line without the program name (``None``: sys.argv).
    ``extra_competitors`` are compared too, after the ones named by
    ``--compare``, and are verified like them: an encoder whose output does
    not match is listed under "not reported" and never timed. ``out``
    receives the report (default: stdout); progress goes to stderr.
    """
    args = options.parse(argv)
    out = sys.stdout if out is None else out

    def say(line: str = "") -> None:
        print(line, file=out, flush=True)

    loaded, notes = competitors_module.load(args.compare)
    pinned = allocator.pin(args.malloc)
    if pinned is not None:
        notes.append(pinned)
    loaded.extend(extra_competitors)
    names_seen = [c.name for c in loaded]
    duplicates = sorted({name for name in names_seen if names_seen.count(name) > 1 or name == "slotjson"})
    if duplicates:
        raise ValueError(f"competitor names must be unique and not 'slotjson': {', '.join(duplicates)}")
    features = detect()
    description = machine.describe(loaded, features.describe())
    for line in machine.format_lines(description):
        say(line)
    operation_names, skipped = _runnable(args.only, features, loaded)
    notes.extend(skipped)
    plot_problem = plot.missing_reason() if args.plot else None
    if plot_problem:
        notes.append(plot_problem)
    for note in notes:
        say(f"note: {note}")

    progress = Progress(enabled=not args.no_progress)
    settings = _Settings(features, args.repeat, args.budget, args.threads, progress, args.seed)
    names = workloads.NAMES if args.workload == "all" else (args.workload,)
    rows: list[Row] = []
    memory_rows: list[memory.MemoryRow] = []
    summaries: list[dict[str, Any]] = []
    run_notes: list[str] = []
    if not operation_names:
        # Building and verifying the workloads would take most of a minute for nothing.
        run_notes.append("none of the requested operations is available in this slotjson build")
        names = ()
    try:
        for name in names:
            progress.stage(f"{name}: building {args.items or workloads.DEFAULT_ITEMS[name]:,} items")
            try:
                workload = workloads.build(name, args.items, args.seed)
            except ImportError as exc:  # the pydantic workload without pydantic
                run_notes.append(f"{name}: skipped ({exc}); `pip install 'slotjson[bench]'` to include it")
                continue
            got, got_memory, got_notes, summary, raised = _bench_workload(workload, loaded, operation_names, settings)
            rows += got
            memory_rows += got_memory
            run_notes += got_notes
            summaries.append(summary)
            if workload.fallback is not None and raised:
                # Time the libraries that rejected the data on a variant they accept,
                # next to slotjson on the same variant, rather than dropping them.
                names_raised = ", ".join(c.name for c in raised)
                run_notes.append(f"{name}: {names_raised} raised on it; timed on {workload.fallback.name} instead")
                fallback_operations = [op for op in operation_names if op in _FALLBACK_OPERATIONS]
                got, got_memory, got_notes, summary, _ = _bench_workload(
                    workload.fallback, raised, fallback_operations, settings, generic=False
                )
                rows += got
                memory_rows += got_memory
                run_notes += got_notes
                summaries.append(summary)
    finally:
        progress.close()

    results: dict[str, Any] = {
        "machine": description,
        "config": {
            "workloads": list(names),
            "items": args.items,
            "seed": args.seed,
            "repeat": args.repeat,
            "budget_s": args.budget,
            "threads": list(args.threads),
            "operations": list(operation_names),
            "competitors": [c.name for c in loaded],
            "malloc": args.malloc,
        },
        "notes": notes + run_notes,
        "workloads": summaries,
        "rows": report.row_dicts(rows),
        # Peak extra resident memory per call (the memory operation).
        "memory": [row.as_dict() for row in memory_rows],
    }
    for line in report.format_tables(results):
        say(line)
    if run_notes:
        say()
        for note in run_notes:
            say(f"note: {note}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
        say(f"\nresults written to {args.json}")
    if args.plot:
        if plot_problem:
            say(f"\nnote: {plot_problem}")
        elif results["rows"]:
            plot.draw(results, args.plot)
            say(f"plot written to {args.plot}")
        else:
            say("\nnote: nothing was timed, so no plot was written")
    return results
