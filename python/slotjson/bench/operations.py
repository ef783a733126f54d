"""Whole-list operations: encode, indexed, threads, release_gil.

Each takes a ``Context`` and records rows through ``Context.time``; the
page-serving operations live in ``pages``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import slotjson

from . import verify
from .context import Context

__all__ = ["encode", "indexed", "models", "release_gil", "table", "threads"]


def encode(ctx: Context) -> None:
    """The whole list to JSON bytes, one call, one thread."""
    items = ctx.workload.items
    prepared = ctx.prepared
    # These exact calls were verified, and so warmed up, by prepare().
    if prepared.slotjson_ok:
        dumps = slotjson.dumps
        ctx.time("encode", "slotjson", "slotjson.dumps(items)", lambda: dumps(items),
                 prepared.sizes["slotjson"], baseline=True, warmed_ns=prepared.call_ns["slotjson"])
    _competitors_whole_list(ctx, "encode")


def _competitors_whole_list(ctx: Context, operation: str, *, native_only: bool = False) -> None:
    """Each verified competitor encoding the whole list, as a row of ``operation``."""
    prepared = ctx.prepared
    for name, (competitor, encoders) in prepared.encoders.items():
        if native_only and competitor.python_level:
            continue
        many = encoders.many
        items = prepared.inputs[name]
        ctx.time(operation, name, _call(ctx, competitor), lambda many=many, items=items: many(items),
                 prepared.sizes[name], warmed_ns=prepared.call_ns[name])


def _call(ctx: Context, competitor: Any, items: str = "items") -> str:
    """The competitor's call as shown in the tables; names the dicts a builtins_only one is given."""
    if ctx.prepared.inputs.get(competitor.name) is ctx.workload.items:
        return competitor.call_on(items)
    return competitor.call_on("dicts") + f"  (dicts = {items} as ready dicts and lists)"


def _joined(parts: list[bytes]) -> bytes:
    return b"[" + b",".join(parts) + b"]"


def indexed(ctx: Context) -> None:
    """Encoding so that pages can be served later without re-encoding.

    slotjson's answer is one blob plus an offset table (``dumps_indexed``);
    the competitors' best equivalent is a list of per-item bytes, joined per
    page (see ``pages``).
    """
    items = ctx.workload.items
    prepared = ctx.prepared
    expected = prepared.expected
    if prepared.slotjson_ok:
        dumps_indexed = slotjson.dumps_indexed

        def check_document() -> str | None:
            return verify.check(expected, dumps_indexed(items).page(0, len(items)))

        ctx.time("indexed", "slotjson", "slotjson.dumps_indexed(items)", lambda: dumps_indexed(items),
                 prepared.sizes["slotjson"], verify=check_document, baseline=True)
        # What the index costs: the same list without it, measured in turns with the rows above.
        dumps = slotjson.dumps
        ctx.time("indexed", "slotjson dumps", "slotjson.dumps(items)  (no index)", lambda: dumps(items),
                 prepared.sizes["slotjson"], warmed_ns=prepared.call_ns["slotjson"])
    for name, (competitor, encoders) in prepared.encoders.items():
        if competitor.python_level:
            continue
        one = encoders.one
        whole = prepared.outputs[name]
        given = prepared.inputs[name]

        def check_items(one: Callable[[Any], bytes] = one, whole: bytes = whole, given: list = given) -> str | None:
            joined = _joined([one(x) for x in given])
            # Compact encoders write a list as its items joined by commas, so
            # the verified whole-list output usually settles it without parsing.
            return None if joined == whole else verify.check(expected, joined)

        source = "items" if given is items else "dicts"
        ctx.time("indexed", name, f"[{name} encode(x) for x in {source}]  (per-item bytes)",
                 lambda one=one, given=given: [one(x) for x in given], prepared.sizes[name], verify=check_items)


def threads(ctx: Context) -> None:
    """One ``dumps`` call spread over N worker threads, for each N of --threads; the smallest N is the baseline.

    The competitors' whole-list encodes are timed alongside for reference.
    """
    prepared = ctx.prepared
    if not prepared.slotjson_ok:
        return
    items = ctx.workload.items
    dumps = slotjson.dumps
    reference = prepared.outputs["slotjson"]
    for count in ctx.threads:

        def same_bytes(count: int = count) -> str | None:
            # Parallel encoding must not change a single byte.
            if dumps(items, threads=count) == reference:
                return None
            return f"threads={count} output differs from that of dumps(items)"

        ctx.time("threads", f"slotjson threads={count}", f"slotjson.dumps(items, threads={count})",
                 lambda count=count: dumps(items, threads=count), len(reference),
                 verify=same_bytes, baseline=count == min(ctx.threads))
    # The competitors that encode in native code, measured in turns with the
    # rows above, so that each thread count's ratio to them is read off one
    # table (the asdict()-based ones are as slow as in the encode table).
    _competitors_whole_list(ctx, "threads", native_only=True)


def _concurrently(fn: Callable[[], Any], count: int) -> list[Any]:
    """Run ``fn`` in ``count`` threads released together; their results, in order."""
    results: list[Any] = [None] * count
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def work(index: int) -> None:
        barrier.wait()
        try:
            results[index] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return results


def release_gil(ctx: Context) -> None:
    """K Python threads each encoding the whole list at the same time (K = max(2, max --threads)).

    With the GIL held the calls take turns and the wall time is K single
    calls; an encoder that releases it can use K cores.
    """
    prepared = ctx.prepared
    items = ctx.workload.items
    count = max(2, max(ctx.threads))

    def check(encode: Callable[[], bytes], reference: bytes) -> Callable[[], str | None]:
        # The single-threaded output was verified already; concurrent calls
        # must reproduce it byte for byte.
        def run_and_check() -> str | None:
            outputs = _concurrently(encode, count)
            wrong = sum(output != reference for output in outputs)
            return f"{wrong} of {count} concurrent outputs differ from the single-threaded one" if wrong else None

        return run_and_check

    def time(library: str, call: str, encode_once: Callable[[], bytes], reference: bytes, baseline: bool) -> None:
        ctx.time("release_gil", library, f"{count} threads x {call}",
                 lambda: _concurrently(encode_once, count), len(reference) * count,
                 verify=check(encode_once, reference), baseline=baseline)

    if prepared.slotjson_ok:
        dumps = slotjson.dumps
        for release in (True, False):
            time(f"slotjson release_gil={release}", f"slotjson.dumps(items, release_gil={release})",
                 functools.partial(dumps, items, release_gil=release), prepared.outputs["slotjson"], release)
    for name, (competitor, encoders) in prepared.encoders.items():
        if not competitor.python_level:
            time(name, _call(ctx, competitor), functools.partial(encoders.many, prepared.inputs[name]),
                 prepared.outputs[name], False)


def models(ctx: Context) -> None:
    """The workload's data as each model system's classes, one thread each.

    The dataclass list, copied the way the others are made, is the baseline; the same data as attrs ``@define``
    classes, ``msgspec.Struct``s and pydantic models (``slotjson.bench.systems``)
    is encoded by slotjson with ``threads=1``, next to msgspec's own encoder on
    the Structs and pydantic's ``TypeAdapter(list[M]).dump_json`` on the
    models. Systems whose package is missing are left out with a note; the
    operation only runs on dataclass workloads.
    """
    import dataclasses

    from . import systems

    items = ctx.workload.items
    prepared = ctx.prepared
    if not prepared.slotjson_ok or not items or not dataclasses.is_dataclass(items[0]):
        return
    expected = prepared.expected
    reference = prepared.outputs["slotjson"]
    dumps = slotjson.dumps

    def same_as_dataclasses(encode: Callable[[], bytes]) -> Callable[[], str | None]:
        def check() -> str | None:
            output = encode()
            return None if output == reference else verify.check(expected, output)

        return check

    # The baseline is a copy made like the other systems' lists, so that all are allocated alike.
    copied = systems.convert(items, systems.COPY)
    one = functools.partial(dumps, copied, threads=1)
    ctx.time("models", "slotjson dataclass", "slotjson.dumps(items, threads=1)  (slotted dataclasses, copied alike)",
             one, len(reference), verify=same_as_dataclasses(one), baseline=True)
    for system in systems.SYSTEMS:
        try:
            converted = systems.convert(items, system)
        except ImportError as exc:
            ctx.note(f"models: {system} left out ({exc})")
            continue
        label = {"attrs": "attrs @define", "msgspec": "msgspec.Struct", "pydantic": "pydantic"}[system]
        encode = functools.partial(dumps, converted, threads=1)
        ctx.time("models", f"slotjson {label}", f"slotjson.dumps(items, threads=1)  ({label})", encode,
                 len(reference), verify=same_as_dataclasses(encode))
        if system == "msgspec":
            import msgspec

            native = functools.partial(msgspec.json.Encoder().encode, converted)
            ctx.time("models", "msgspec.Struct msgspec", "encoder.encode(items)  (msgspec.Struct)", native,
                     len(reference), verify=same_as_dataclasses(native))
        elif system == "pydantic":
            import pydantic

            adapter = pydantic.TypeAdapter(list[type(converted[0])])  # type: ignore[misc]
            native = functools.partial(adapter.dump_json, converted)
            ctx.time("models", "pydantic dump_json", "TypeAdapter(list[M]).dump_json(items)", native,
                     len(reference), verify=same_as_dataclasses(native))


def _rows_alike(expected: list, output: bytes | str, time_key: str) -> str | None:
    """Whether ``output`` has ``expected``'s rows, its ``time_key`` values
    compared as instants to the millisecond (pandas' ``to_json`` writes
    milliseconds and ``Z``, polars a space for ``T``) and floats to ten decimals
    (``to_json`` writes ten decimal places)."""
    import datetime as dt
    import json
    import math

    rows = json.loads(output)
    if len(rows) != len(expected):
        return f"{len(rows)} rows, expected {len(expected)}"
    for i, (want, got) in enumerate(zip(expected, rows)):
        if list(got) != list(want):
            return f"row {i}: keys {list(got)}, expected {list(want)}"
        for key, value in want.items():
            other = got[key]
            if key == time_key and value is not None and other is not None:
                a = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                b = dt.datetime.fromisoformat(other.replace("Z", "+00:00"))
                if abs(a - b) >= dt.timedelta(milliseconds=1):
                    return f"row {i}: {key} {other!r}, expected {value!r}"
            elif isinstance(value, float) and isinstance(other, (int, float)):
                if not math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-10):
                    return f"row {i}: {key} {other!r}, expected {value!r}"
            elif other != value:
                return f"row {i}: {key} {other!r}, expected {value!r}"
    return None


def table(ctx: Context) -> None:
    """The workload's rows as a pandas DataFrame, a pyarrow Table and a polars DataFrame (``table`` workload).

    ``slotjson.dumps(frame)`` reads the columns through the Arrow C stream
    interface; it must write exactly what ``dumps(items)`` writes for the
    rows as dataclasses (pandas' NaN and pd.NA are null). Next to it, in
    turns: pandas' own ``to_json(orient="records", date_format="iso")`` and
    polars' ``write_json()`` (their timestamps are checked to the
    millisecond: pandas writes milliseconds), two workers, and
    ``dumps_indexed``.
    """
    items = ctx.workload.items
    prepared = ctx.prepared
    if not prepared.slotjson_ok or not items or type(items[0]).__name__ != "TableRow":
        return
    try:
        import pandas as pd
        import pyarrow as pa
    except ImportError as exc:
        ctx.note(f"table: left out ({exc})")
        return
    import dataclasses

    columns = {f.name: [getattr(x, f.name) for x in items] for f in dataclasses.fields(items[0])}
    frame = pd.DataFrame(columns)
    frame["score"] = frame["score"].astype("float64")  # None -> NaN, as in a real frame
    frame["count"] = frame["count"].astype("Int64")
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    reference = prepared.outputs["slotjson"]
    expected = prepared.expected
    dumps, dumps_indexed = slotjson.dumps, slotjson.dumps_indexed

    def same(encode: Callable[[], bytes]) -> Callable[[], str | None]:
        def check() -> str | None:
            output = encode()
            return None if output == reference else verify.check(expected, output)

        return check

    def row(library: str, call: str, fn: Callable[[], Any], **kw: Any) -> None:
        ctx.time("table", library, call, fn, len(reference), verify=kw.pop("check", None) or same(fn), **kw)

    row("slotjson pandas threads=1", "slotjson.dumps(df, threads=1)", functools.partial(dumps, frame, threads=1),
        baseline=True)
    to_json = functools.partial(frame.to_json, orient="records", date_format="iso")
    row("pandas to_json", 'df.to_json(orient="records", date_format="iso")', to_json,
        check=lambda: _rows_alike(expected, to_json(), "created_at"))
    row("slotjson arrow threads=1", "slotjson.dumps(arrow_table, threads=1)",
        functools.partial(dumps, arrow, threads=1))
    try:
        import polars as pl
    except ImportError as exc:
        ctx.note(f"table: polars left out ({exc})")
    else:
        polars_frame = pl.from_arrow(arrow)
        write_json = polars_frame.write_json
        row("polars write_json", "pl_df.write_json()", write_json,
            check=lambda: _rows_alike(expected, write_json(), "created_at"))
    for count in ctx.threads:
        if count > 1:
            row(f"slotjson pandas threads={count}", f"slotjson.dumps(df, threads={count})",
                functools.partial(dumps, frame, threads=count))
    indexed = functools.partial(dumps_indexed, frame, threads=1)
    row("slotjson dumps_indexed", "slotjson.dumps_indexed(df, threads=1)", indexed,
        check=lambda: verify.check(expected, indexed().page(0, len(items))))
