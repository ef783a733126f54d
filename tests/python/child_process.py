"""Run an attack in a child interpreter, so that a crash (a segfault, an
abort, a stack overflow) fails the one test that caused it instead of
killing the test run.

`run_attack(*parts)` runs the code parts with a fresh `python -c`; the code reports
with `print` and the test asserts on the returned stdout. A child that
dies of a signal or exits non-zero fails the test with its stderr.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

PRELUDE = textwrap.dedent(
    """
    import dataclasses, datetime as dt, enum, json, sys, threading, types
    from typing import Any, Optional
    import slotjson
    from slotjson import _native, _spec

    def outcome(fn, *args, **kwargs):
        '''"ok <json text>" or "<ExceptionClass>: <message>", one line.'''
        try:
            result = fn(*args, **kwargs)
        except Exception as e:
            return f"{type(e).__name__}: {e}"
        if isinstance(result, (bytes, bytearray, memoryview)) or type(result).__name__ == "Document":
            return "ok " + bytes(result).decode()
        return "ok " + json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    """
)


def run_attack(*parts: str, timeout: float = 120) -> str:
    """Run the code `parts` (each dedented) after PRELUDE; return its stdout."""
    code = PRELUDE + "\n".join(textwrap.dedent(part) for part in parts)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"child died with {proc.returncode}: {proc.stderr[-2000:]}"
    return proc.stdout
