"""Output checks run before anything is timed: a result that is fast but wrong is not reported.

Outputs are compared as parsed JSON, not as bytes, since the libraries
legitimately differ in spelling: ``1e-05`` or ``1e-5``, ``\\u00e9`` or ``é``,
``Z`` or ``+00:00`` for UTC, trailing zeros in fractional seconds. Everything
else must match exactly, types included: ``1`` is not ``1.0``, ``-0.0`` is
not ``0.0``, a naive datetime is not an aware one, and a missing key is a
difference.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

__all__ = ["first_difference", "parse_datetime", "check"]

# Only strings shaped like a full ISO 8601 datetime are normalised, so free
# text that merely mentions a date is still compared character for character.
_ISO_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)?"
)


def parse_datetime(text: str) -> dt.datetime | None:
    """The datetime an ISO 8601 string denotes, or None if it is not one.

    ``fromisoformat`` before Python 3.11 accepts neither ``Z`` nor fractions
    other than 3 or 6 digits, so both are rewritten first.
    """
    match = _ISO_DATETIME.fullmatch(text)
    if match is None:
        return None
    base, fraction, offset = match.groups()
    if fraction:
        base += "." + fraction[:6].ljust(6, "0")
    if offset == "Z":
        offset = "+00:00"
    try:
        return dt.datetime.fromisoformat(base + (offset or ""))
    except ValueError:
        return None


def _same_datetime(expected: str, actual: str) -> bool:
    a, b = parse_datetime(expected), parse_datetime(actual)
    if a is None or b is None:
        return False
    # Same wall-clock fields and the same offset (or both naive): a library
    # that shifted times to another zone would differ here even though the
    # instant is the same.
    return a.replace(tzinfo=None) == b.replace(tzinfo=None) and a.utcoffset() == b.utcoffset()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def first_difference(expected: Any, actual: Any, path: str = "$") -> str | None:
    """Where two parsed JSON values first differ, described; None if they match."""
    if type(expected) is not type(actual):
        return (
            f"{path}: expected {type(expected).__name__} {_short(expected)}, "
            f"got {type(actual).__name__} {_short(actual)}"
        )
    if isinstance(expected, dict):
        missing = expected.keys() - actual.keys()
        extra = actual.keys() - expected.keys()
        if missing or extra:
            return f"{path}: keys missing {sorted(missing)}, unexpected {sorted(extra)}"
        for key, value in expected.items():
            found = first_difference(value, actual[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return f"{path}: expected {len(expected)} elements, got {len(actual)}"
        for index, (a, b) in enumerate(zip(expected, actual)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    if isinstance(expected, float):
        # repr tells -0.0 from 0.0; NaN never occurs (it is not JSON).
        same = repr(expected) == repr(actual)
    elif isinstance(expected, str):
        same = expected == actual or _same_datetime(expected, actual)
    else:
        same = expected == actual
    return None if same else f"{path}: expected {_short(expected)}, got {_short(actual)}"


def _reject_constant(name: str) -> None:
    # json.loads would accept NaN and Infinity, which are not JSON.
    raise ValueError(f"{name} is not JSON")


def check(expected: Any, output: object) -> str | None:
    """Why ``output`` (an encoder's return value) is not the JSON for ``expected``; None if it is.

    ``expected`` is already parsed, so one reference serves every competitor.
    """
    if not isinstance(output, bytes):
        return f"returned {type(output).__name__}, not bytes"
    try:
        actual = json.loads(output, parse_constant=_reject_constant)
    except ValueError as exc:
        return f"output is not valid JSON ({exc})"
    return first_difference(expected, actual)
