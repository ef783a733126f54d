"""Pinning glibc's malloc thresholds, so no timed call changes the allocator for the next.

glibc adapts its mmap threshold: freeing a block that was mmapped raises
the threshold to that block's size (up to 32 MiB on 64-bit), and the trim
threshold to twice that. Whichever call first frees a large mmapped block
(a parallel ``dumps`` frees several worker buffers) thus changes where every
later large block comes from: the heap, where ``realloc`` copies, instead of
fresh mappings, which ``realloc`` grows with ``mremap`` and which fault their
pages in again on every call. Encoders timed right after such a call ran
up to 50% slower or faster than the same encoders timed before it, so a
row's ratio depended on what happened to run before it.

The harness therefore sets both thresholds explicitly before anything is
timed (``mallopt`` turns the adaptation off): to the values glibc's own
adaptation settles on in a long-running process that has freed one large
response (``steady``, the default), or to glibc's start-up values
(``fresh``). ``adaptive`` leaves glibc alone, as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util

__all__ = ["POLICIES", "pin"]

# mallopt parameter numbers (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_MIB = 1 << 20
# (mmap threshold, trim threshold) per policy.
POLICIES: dict[str, tuple[int, int] | None] = {
    "steady": (32 * _MIB, 64 * _MIB),  # DEFAULT_MMAP_THRESHOLD_MAX on 64-bit, trim at twice it
    "fresh": (128 * 1024, 128 * 1024),  # glibc's initial values
    "adaptive": None,
}


def pin(policy: str) -> str | None:
    """Apply ``policy``; returns a note when it cannot be applied here (not glibc), else None."""
    if policy not in POLICIES:
        raise ValueError(f"unknown allocator policy {policy!r}; choose from {', '.join(POLICIES)}")
    values = POLICIES[policy]
    if values is None:
        return None
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        mallopt = None
    if mallopt is None:
        return f"--malloc {policy}: this C library has no mallopt(); its allocator is left as it is"
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    mmap_threshold, trim_threshold = values
    if not (mallopt(_M_MMAP_THRESHOLD, mmap_threshold) and mallopt(_M_TRIM_THRESHOLD, trim_threshold)):
        return f"--malloc {policy}: mallopt() refused the thresholds; the allocator adapts as it likes"
    return None
