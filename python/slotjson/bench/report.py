"""Results as data (what ``run`` returns and ``--json`` writes) and as the printed table.

Ratios and MB/s use each row's fastest sample, compared within one
operation of one workload against that operation's baseline row, all from
the same run. The minimum, not the median, because on a shared 2-core
machine other processes only ever add time: the fastest sample is the
most repeatable estimate of what the code itself costs. Medians are shown
next to it, so a noisy row is visible as such.

The memory operation has its own table and its own key in the results
(``"memory"``): peak extra resident bytes per call, not times.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .context import Row

__all__ = ["format_tables", "ratio_text", "row_dicts"]


def _mb_per_s(nbytes: int, ns: float) -> float | None:
    return nbytes / ns * 1e3 if ns > 0 else None  # bytes/ns * 1e9 / 1e6


def row_dicts(rows: Sequence[Row]) -> list[dict[str, Any]]:
    baselines = {(r.workload, r.operation): r for r in rows if r.baseline}
    out = []
    for r in rows:
        base = baselines.get((r.workload, r.operation))
        fastest = r.timing.min_ns
        out.append(
            {
                "workload": r.workload,
                "operation": r.operation,
                "library": r.library,
                "call": r.call,
                "baseline": r.baseline,
                "min_ns": fastest,
                "median_ns": r.timing.median_ns,
                "samples_ns": list(r.timing.per_call_ns),
                "calls_per_sample": r.timing.number,
                "bytes": r.nbytes,
                "mb_per_s": _mb_per_s(r.nbytes, fastest),
                # > 1: slower than the baseline, < 1: faster.
                "ratio": fastest / base.timing.min_ns if base is not None and base.timing.min_ns > 0 else None,
            }
        )
    return out


def format_time(ns: float) -> str:
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}" if ns / scale >= 100 else f"{ns / scale:.2f} {unit}"
    return f"{ns:.0f} ns"


def ratio_text(row: dict[str, Any]) -> str:
    if row["baseline"]:
        return "baseline"
    ratio = row["ratio"]
    if ratio is None:
        return "n/a (no baseline)"
    factor, word = (ratio, "slower") if ratio >= 1 else (1 / ratio, "faster")
    # Two decimals where they mean something; the stdlib can be 100x+ off.
    digits = 2 if factor < 10 else 1 if factor < 100 else 0
    return f"{factor:,.{digits}f}x {word}"


def _table(rows: Iterable[dict[str, Any]]) -> list[str]:
    header = ("operation", "library", "min", "median", "MB/s (min)", "vs baseline (min)", "n")
    lines = [header]
    for r in rows:
        mb = r["mb_per_s"]
        lines.append(
            (
                r["operation"],
                r["library"],
                format_time(r["min_ns"]),
                format_time(r["median_ns"]),
                f"{mb:,.1f}" if mb is not None else "-",
                ratio_text(r),
                str(len(r["samples_ns"])),
            )
        )
    return _aligned(lines, right={2, 3, 4, 6})


def _aligned(lines: list[tuple[str, ...]], right: set[int]) -> list[str]:
    """Columns padded to their widest cell (the columns in `right`, numbers, align right), a rule under the header."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    rendered = []
    for index, line in enumerate(lines):
        cells = [cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(line, widths))]
        rendered.append("  ".join(cells).rstrip())
        if index == 0:
            rendered.append("  ".join("-" * w for w in widths))
    return rendered


def _size(nbytes: int) -> str:
    return f"{nbytes / 1e6:.2f} MB" if nbytes >= 1e6 else f"{nbytes / 1e3:.1f} kB"


def _memory_table(rows: Iterable[dict[str, Any]]) -> list[str]:
    """Peak extra memory per call: the largest sample, also as a multiple of the output size, and the smallest."""
    header = ("operation", "library", "peak extra (max)", "x output", "min", "output", "n")
    lines = [header]
    for r in rows:
        ratio = r["x_output"]
        lines.append(
            (
                "memory",
                r["library"],
                _size(r["peak_extra_bytes"]),
                f"{ratio:.2f}x" if ratio is not None else "-",
                _size(r["peak_extra_min_bytes"]),
                _size(r["output_bytes"]),
                str(len(r["samples_bytes"])),
            )
        )
    return _aligned(lines, right={2, 3, 4, 5, 6})


def format_tables(results: dict[str, Any]) -> list[str]:
    """One table per workload (fallback data sets get their own), then the calls that were timed."""
    lines: list[str] = []
    rows = results["rows"]
    memory_rows = results.get("memory", [])
    for workload in results["workloads"]:
        name = workload["name"]
        mine = [r for r in rows if r["workload"] == name]
        mine_memory = [r for r in memory_rows if r["workload"] == name]
        size = f", {_size(workload['json_bytes'])} of JSON" if workload.get("json_bytes") else ""
        count = workload["items"]
        lines.append("")
        lines.append(f"== {name}: {workload['description']} ({count:,} item{'' if count == 1 else 's'}{size})")
        verdicts = workload["verification"]
        refused = [f"{lib} ({v['detail']})" for lib, v in verdicts.items() if not v["ok"]]
        lines.append("verified: " + (", ".join(lib for lib, v in verdicts.items() if v["ok"]) or "none"))
        if refused:
            lines.append("not reported: " + "; ".join(refused))
        if mine:
            lines.extend(_table(mine))
        elif not mine_memory:
            lines.append("(nothing timed)")
        if mine_memory:
            if mine:
                lines.append("")
            lines.extend(_memory_table(mine_memory))
    calls: dict[tuple[str, str], str] = {}
    for r in rows:
        calls.setdefault((r["operation"], r["library"]), r["call"])
    for r in memory_rows:
        calls.setdefault(("memory", r["library"]), r["call"])
    if calls:
        lines.append("")
        lines.append("Calls measured (items = the workload's list; i = page start, rotating over the list):")
        width = max(len(f"{op} / {lib}") for op, lib in calls)
        for (op, lib), call in calls.items():
            lines.append(f"  {f'{op} / {lib}'.ljust(width)}  {call}")
    return lines
