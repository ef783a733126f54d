"""What the numbers were measured on: printed first and stored with the results,
because a throughput figure without its CPU and versions cannot be compared."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Sequence
from typing import Any

import slotjson

from .competitors import Competitor

__all__ = ["describe", "format_lines"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                # x86 says "model name"; some ARM kernels only give "Hardware" or "Processor".
                if key.strip() in ("model name", "Hardware", "Processor", "cpu model") and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _usable_cores() -> int | None:
    try:
        return len(os.sched_getaffinity(0))  # honours taskset and container CPU sets
    except (AttributeError, OSError):
        return os.cpu_count()


def describe(competitors: Sequence[Competitor], features: dict[str, bool]) -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": _usable_cores(),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_build": " ".join(platform.python_build()),
        "gil_disabled": not getattr(sys, "_is_gil_enabled", lambda: True)(),
        "slotjson": getattr(slotjson, "__version__", "unknown"),
        "slotjson_features": features,
        "competitors": {c.name: c.version for c in competitors},
    }


def format_lines(machine: dict[str, Any]) -> list[str]:
    features = ", ".join(f"{name}={'yes' if on else 'no'}" for name, on in machine["slotjson_features"].items())
    versions = ", ".join(f"{name} {version}" for name, version in machine["competitors"].items()) or "none"
    return [
        f"CPU:         {machine['cpu']} ({machine['cores']} cores, {machine['usable_cores']} usable)",
        f"Python:      {machine['python']} [{machine['python_build']}] on {machine['platform']}"
        + (" (free-threaded)" if machine["gil_disabled"] else ""),
        f"slotjson:    {machine['slotjson']} ({features})",
        f"competitors: {versions}",
    ]
