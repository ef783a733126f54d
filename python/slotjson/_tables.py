"""Helpers the native table encoder calls with the GIL (see src/api/table.rs).

Neither imports pyarrow, pandas or polars: tables arrive through the Arrow
C stream interface, and only these two questions need Python.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

__all__ = ["pandas_index_columns", "zone_offsets"]

_SECOND = dt.timedelta(seconds=1)


def zone_offsets(zone: str, seconds: list[int]) -> list[int | None]:
    """The UTC offset (in seconds) of IANA time zone ``zone`` at each instant
    (seconds since the epoch), as ``zoneinfo`` gives it; None where the
    local time is outside ``datetime``'s range."""
    tz = zoneinfo.ZoneInfo(zone)
    fromtimestamp = dt.datetime.fromtimestamp
    out: list[int | None] = []
    for s in seconds:
        try:
            local = fromtimestamp(s, tz)
        except (OverflowError, ValueError, OSError):
            out.append(None)
            continue
        out.append((local.utcoffset() or dt.timedelta(0)) // _SECOND)
    return out


def pandas_index_columns(metadata: str) -> list[str]:
    """The columns pandas exported for a DataFrame's index, from the
    ``pandas`` schema metadata (a RangeIndex is described, not exported)."""
    try:
        columns = json.loads(metadata).get("index_columns", [])
    except (ValueError, AttributeError):
        return []
    return [c for c in columns if isinstance(c, str)]


def is_table(obj: object) -> bool:
    """Whether ``dumps`` writes ``obj`` as a table (it exports the Arrow C stream interface)."""
    return hasattr(type(obj), "__arrow_c_stream__")


def table_rows(obj: object, *, utc_z: bool = False, omit_microseconds: bool = False) -> list[dict]:
    """The rows ``dumps(obj)`` writes, as Python values (the reference for tables).

    ``pyarrow.RecordBatchReader.from_stream(obj).read_all().to_pylist()`` with
    maps as dicts, without the columns pandas adds for a DataFrame's index,
    and nanosecond timestamps (``pandas.Timestamp``) already as the text
    ``dumps`` writes: ``Timestamp.isoformat()``'s digits (spec/TYPES.md).
    """
    import pyarrow as pa

    table = pa.RecordBatchReader.from_stream(obj).read_all()
    meta = table.schema.metadata or {}
    hidden = set(pandas_index_columns(meta[b"pandas"].decode())) if b"pandas" in meta else set()
    if hidden:
        table = table.drop_columns([n for n in table.column_names if n in hidden])
    rows = table.to_pylist(maps_as_pydicts="strict")
    return [_stamps(r, utc_z, omit_microseconds) for r in rows]


def _stamps(v: object, utc_z: bool, omit_microseconds: bool) -> object:
    if isinstance(v, dict):
        return {k: _stamps(x, utc_z, omit_microseconds) for k, x in v.items()}
    if isinstance(v, list):
        return [_stamps(x, utc_z, omit_microseconds) for x in v]
    if isinstance(v, dt.datetime) and type(v).__name__ == "Timestamp":
        nanos = getattr(v, "nanosecond", 0)
        if omit_microseconds:
            spec = "seconds"
        else:
            spec = "microseconds" if v.microsecond or nanos else "seconds"
        text = dt.datetime.isoformat(v, timespec=spec)
        if nanos and not omit_microseconds:
            text = text[:26] + f"{nanos:03d}" + text[26:]
        if utc_z and text.endswith("+00:00"):
            text = text[:-6] + "Z"
        return text
    return v
