"""Serving one page of a list that was encoded (or cached) earlier: page100, cache_read and cache_roundtrip.

Every strategy is a function of the page's first index. Timed calls rotate
through a fixed set of offsets spread over the list, so no strategy is
flattered by serving the same warm page again and again.
"""

from __future__ import annotations

import itertools
import pickle
import statistics
from collections.abc import Callable

import slotjson

from . import verify
from .context import Context
from .features import is_fatal

__all__ = ["PAGE_SIZE", "cache_read", "cache_roundtrip", "page100"]

PAGE_SIZE = 100
OFFSET_COUNT = 16
# Order of preference for "unpickle then encode" when slotjson cannot encode:
# fastest native encoders first.
_ENCODER_PREFERENCE = ("msgspec", "orjson", "pydantic", "ujson", "json")

Strategy = Callable[[int], bytes]


def _page_size(ctx: Context) -> int:
    return min(PAGE_SIZE, len(ctx.workload.items))


def _offsets(count: int, page: int) -> list[int]:
    last = count - page
    if last <= 0:
        return [0]
    return sorted({round(k * last / (OFFSET_COUNT - 1)) for k in range(OFFSET_COUNT)})


def _join(parts: list[bytes]) -> bytes:
    return b"[" + b",".join(parts) + b"]"


def _time_strategy(
    ctx: Context, operation: str, library: str, call: str, strategy: Strategy, offsets: list[int], nbytes: int,
    *, baseline: bool = False,
) -> bool:
    page = _page_size(ctx)
    expected = ctx.prepared.expected
    probe = offsets[len(offsets) // 2]
    next_offset = itertools.cycle(offsets).__next__
    return ctx.time(
        operation, library, call, lambda: strategy(next_offset()), nbytes,
        verify=lambda: verify.check(expected[probe : probe + page], strategy(probe)), baseline=baseline,
    )


def _indexed_document(ctx: Context, operation: str) -> object | None:
    """``dumps_indexed(items)``, built untimed; None (with a note) if slotjson cannot."""
    if not (ctx.features.indexed and ctx.prepared.slotjson_ok):
        return None
    try:
        return slotjson.dumps_indexed(ctx.workload.items)
    except BaseException as exc:  # noqa: BLE001 - a panic is a BaseException
        if is_fatal(exc):
            raise
        ctx.note(f"{operation}: slotjson.dumps_indexed raised {type(exc).__name__}: {exc}")
        return None


def page100(ctx: Context) -> None:
    items = ctx.workload.items
    page = _page_size(ctx)
    offsets = _offsets(len(items), page)
    cached = ctx.item_bytes()
    # Throughput is counted in the reference's bytes for every strategy: the
    # libraries' spellings differ by a few bytes per page at most.
    nbytes = round(statistics.mean(len(_join(cached[o : o + page])) for o in offsets))
    where = f"items[i:i+{page}]"

    def time(library: str, call: str, strategy: Strategy, baseline: bool = False) -> bool:
        return _time_strategy(ctx, "page100", library, call, strategy, offsets, nbytes, baseline=baseline)

    document = _indexed_document(ctx, "page100")
    has_baseline = False
    if document is not None:
        page_of = document.page  # type: ignore[attr-defined]
        has_baseline = time("slotjson", f"doc.page(i, {page})  (doc = dumps_indexed(items), in memory)",
                            lambda o: page_of(o, page), baseline=True)
        # The least any page server can do: copy the page's bytes out of the
        # document's blob once (item k spans ends[k]..ends[k+1]-1, commas
        # between), between brackets. doc.page's ratio to this row is its
        # overhead over a plain copy.
        view, ends = memoryview(document), document.offsets  # type: ignore[attr-defined]
        join = b"".join
        time("slotjson copy", f'b"".join((b"[", memoryview(doc)[start:end], b"]"))  (the page\'s bytes, copied once)',
             lambda o: join((b"[", view[ends[o] : ends[o + page] - 1], b"]")))
    # On a fallback data set the dumps row is only needed as the baseline.
    if ctx.prepared.slotjson_ok and (ctx.generic or not has_baseline):
        dumps = slotjson.dumps
        time("slotjson dumps", f"slotjson.dumps({where})", lambda o: dumps(items[o : o + page]),
             baseline=not has_baseline)
    for name, (competitor, encoders) in ctx.prepared.encoders.items():
        many = encoders.many
        given = ctx.prepared.inputs[name]
        call = competitor.call_on(where) if given is items else competitor.call_on(f"dicts[i:i+{page}]")
        time(name, call, lambda o, many=many, given=given: many(given[o : o + page]))
    if not ctx.generic:
        return

    time("cached bytes", f'b"[" + b",".join(cached[i:i+{page}]) + b"]"  (per-item bytes in memory)',
         lambda o: _join(cached[o : o + page]))
    # An external cache (Redis, memcached) hands back bytes: the list of
    # per-item bytes has to be unpickled before the join.
    blob = pickle.dumps(cached, protocol=pickle.HIGHEST_PROTOCOL)
    loads = pickle.loads
    time("pickle(bytes)", f"join(pickle.loads(blob)[i:i+{page}])  (blob = pickled per-item bytes)",
         lambda o: _join(loads(blob)[o : o + page]))
    # Or the objects themselves are cached, and every page is encoded on demand.
    encoder_name, encode = _page_encoder(ctx)
    if encode is not None:
        objects = pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)
        time("pickle(objects)", f"{encoder_name}(pickle.loads(blob)[i:i+{page}])  (blob = pickled items)",
             lambda o: encode(loads(objects)[o : o + page]))


def _page_encoder(ctx: Context) -> tuple[str, Callable[[list], bytes] | None]:
    if ctx.prepared.slotjson_ok:
        return "slotjson.dumps", slotjson.dumps
    for name in _ENCODER_PREFERENCE:
        if name in ctx.prepared.encoders:
            return name, ctx.prepared.encoders[name][1].many
    return "", None


def cache_roundtrip(ctx: Context) -> None:
    """A page after a trip through a byte cache: to_bytes -> from_bytes -> page."""
    items = ctx.workload.items
    page = _page_size(ctx)
    offsets = _offsets(len(items), page)
    cached = ctx.item_bytes()
    nbytes = round(statistics.mean(len(_join(cached[o : o + page])) for o in offsets))

    document = _indexed_document(ctx, "cache_roundtrip")
    if document is not None:
        to_bytes = document.to_bytes  # type: ignore[attr-defined]
        from_bytes = slotjson.Document.from_bytes
        _time_strategy(ctx, "cache_roundtrip", "slotjson",
                       f"Document.from_bytes(doc.to_bytes()).page(i, {page})",
                       lambda o: from_bytes(to_bytes()).page(o, page), offsets, nbytes, baseline=True)
    if not ctx.generic:
        return
    dumps, loads = pickle.dumps, pickle.loads
    protocol = pickle.HIGHEST_PROTOCOL
    _time_strategy(ctx, "cache_roundtrip", "pickle(bytes)",
                   f"join(pickle.loads(pickle.dumps(cached))[i:i+{page}])  (cached = per-item bytes)",
                   lambda o: _join(loads(dumps(cached, protocol=protocol))[o : o + page]), offsets, nbytes)


def cache_read(ctx: Context) -> None:
    """A page from bytes fetched out of a cache: from_bytes -> page (the cache was written once, untimed).

    This is what every request of a server that caches the container pays; it
    must not grow with the list.
    """
    items = ctx.workload.items
    page = _page_size(ctx)
    offsets = _offsets(len(items), page)
    cached = ctx.item_bytes()
    nbytes = round(statistics.mean(len(_join(cached[o : o + page])) for o in offsets))

    document = _indexed_document(ctx, "cache_read")
    if document is not None:
        blob = document.to_bytes()  # type: ignore[attr-defined]
        from_bytes = slotjson.Document.from_bytes
        _time_strategy(ctx, "cache_read", "slotjson",
                       f"Document.from_bytes(blob).page(i, {page})  (blob = doc.to_bytes())",
                       lambda o: from_bytes(blob).page(o, page), offsets, nbytes, baseline=True)
    if not ctx.generic:
        return
    loads = pickle.loads
    pickled = pickle.dumps(cached, protocol=pickle.HIGHEST_PROTOCOL)
    _time_strategy(ctx, "cache_read", "pickle(bytes)",
                   f"join(pickle.loads(blob)[i:i+{page}])  (blob = pickled per-item bytes)",
                   lambda o: _join(loads(pickled)[o : o + page]), offsets, nbytes)
