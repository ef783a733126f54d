"""Exceptions raised by Python code that an encode calls.

Only ``Exception`` subclasses may be wrapped: they become an ``EncodeError``
naming the value's path, with the very exception as ``__cause__``.
``KeyboardInterrupt``, ``SystemExit``, ``GeneratorExit`` and every other
``BaseException`` that is not an ``Exception`` stop the program and reach
the caller as raised (same object, its traceback kept), whichever Python
code raised it and however the encode runs: serially, on worker threads,
with ``release_gil``, into a ``Document``, through the web helpers.

The matrix below is {Python code called} x {exception class} x {mode};
``to_builtins`` is held to the same rule and, for Exceptions, to the same
message and path.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime, time, timedelta, timezone, tzinfo
from typing import Any, Callable

import pytest
import slotjson
from redis_server import import_or_skip

pytestmark = pytest.mark.usefixtures("path_mode")


class CustomBase(BaseException):
    """A BaseException of the program's own (e.g. a task cancellation)."""


STOPPERS = [KeyboardInterrupt, SystemExit, GeneratorExit, CustomBase]
ERRORS = [RuntimeError, ValueError]
KINDS = STOPPERS + ERRORS


class Raiser:
    """A callable that raises a new ``kind("boom")`` each call and keeps it."""

    def __init__(self, kind: type[BaseException]) -> None:
        self.kind = kind
        self.raised: list[BaseException] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        error = self.kind("boom")
        self.raised.append(error)
        raise error


class Unsupported:
    pass


@slotjson.model
class Filler:
    n: int
    s: str


def filler(n: int) -> list[Any]:
    return [Filler(i, f"filler {i} é") for i in range(n)]


# --------------------------------------------------------------- the Python code called
# Each builds, around a Raiser, a value whose encode calls it, the options it
# needs, and the path an EncodeError names (relative to where the value sits).


def via_default(r: Raiser):
    return Unsupported(), {"default": r}, ()


def via_property(r: Raiser):
    @dataclasses.dataclass
    class Plain:
        x: int

    class Shadowed(Plain):
        x = property(r, lambda self, v: None)

    return Shadowed(1), {}, ("x",)


def via_descriptor(r: Raiser):
    class Descriptor:
        def __get__(self, obj, cls=None):
            return self if obj is None else r()

        def __set__(self, obj, value):
            pass

    @dataclasses.dataclass
    class WithDescriptor:
        a: int
        x: int = dataclasses.field(default=0)

    WithDescriptor.x = Descriptor()  # after the class is built: a field read by getattr
    return WithDescriptor(1), {}, ("x",)


def via_getattr(r: Raiser):
    @dataclasses.dataclass
    class Lazy:
        x: int

        def __getattr__(self, name):
            return r()

    obj = Lazy(1)
    del obj.x  # the lookup falls back to __getattr__
    return obj, {}, ("x",)


class RaisingZone(tzinfo):
    def __init__(self, r: Raiser) -> None:
        self.r = r

    def utcoffset(self, dt):
        return self.r()

    def dst(self, dt):
        return None


def via_utcoffset_datetime(r: Raiser):
    return {"at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=RaisingZone(r))}, {}, ("at",)


def via_utcoffset_time(r: Raiser):
    return [time(3, 4, 5, tzinfo=RaisingZone(r))], {}, (0,)


def via_eq_for_omit_default(r: Raiser):
    class Sentinel:
        __eq__ = r
        __hash__ = object.__hash__

    @slotjson.model
    class Omitting:
        a: int
        b: Any = slotjson.field(default="d", omit_if="default")

    return Omitting(1, Sentinel()), {}, ("b",)


def via_enum_value(r: Raiser):
    class Base(enum.Enum):
        @property
        def value(self):
            return r()

    class Color(Base):
        RED = 1

    return [Color.RED], {}, (0,)


def via_enum_key(r: Raiser):
    class Base(enum.Enum):
        @property
        def value(self):
            return r()

    class Color(Base):
        RED = "red"

    return {Color.RED: 1}, {}, (Color.RED,)


def via_computed_field(r: Raiser):
    pydantic = import_or_skip("pydantic")

    class Model(pydantic.BaseModel):
        a: int

        @pydantic.computed_field
        @property
        def total(self) -> int:
            return r()

    return Model(a=1), {}, ("total",)


HOOKS: dict[str, Callable[[Raiser], tuple[Any, dict[str, Any], tuple[Any, ...]]]] = {
    "default": via_default,
    "property": via_property,
    "descriptor": via_descriptor,
    "getattr": via_getattr,
    "utcoffset-datetime": via_utcoffset_datetime,
    "utcoffset-time": via_utcoffset_time,
    "eq-omit-default": via_eq_for_omit_default,
    "enum-value": via_enum_value,
    "enum-key": via_enum_key,
    "pydantic-computed-field": via_computed_field,
}


# --------------------------------------------------------------- the modes
# Each encodes `value` placed somewhere and returns the path prefix of that
# place. Lists are long enough for the threaded modes to split them.

N = 64


def in_list(value: Any) -> list[Any]:
    return filler(N) + [value] + filler(N)


def mode_serial(value, opts):
    slotjson.dumps(value, threads=1, **opts)
    return ()


def mode_threads(value, opts):
    slotjson.dumps(in_list(value), threads=2, **opts)
    return (N,)


def mode_release_gil(value, opts):
    slotjson.dumps(in_list(value), release_gil=True, threads=1, **opts)
    return (N,)


def mode_release_gil_threads(value, opts):
    slotjson.dumps(in_list(value), release_gil=True, threads=2, **opts)
    return (N,)


def mode_release_gil_single(value, opts):
    slotjson.dumps(value, release_gil=True, **opts)
    return ()


def mode_dumps_indexed(value, opts):
    slotjson.dumps_indexed(in_list(value), **opts)
    return (N,)


def mode_dumps_indexed_threads(value, opts):
    slotjson.dumps_indexed(in_list(value), threads=2, release_gil=True, **opts)
    return (N,)


def mode_envelope_extra(value, opts):
    slotjson.dumps_indexed([1, 2]).envelope(extra={"x": value})
    return ("x",)


def mode_starlette(value, opts):
    from slotjson.web import starlette

    class Response(starlette.JSONResponse):
        dumps_options = opts

    Response(in_list(value))
    return (N,)


def mode_flask(value, opts):
    from slotjson.web import flask

    flask.json_response(in_list(value), **opts)
    return (N,)


def mode_to_builtins(value, opts):
    slotjson.to_builtins(value, **opts)
    return ()


MODES = {
    "serial": mode_serial,
    "threads": mode_threads,
    "release_gil": mode_release_gil,
    "release_gil-threads": mode_release_gil_threads,
    "release_gil-single": mode_release_gil_single,
    "dumps_indexed": mode_dumps_indexed,
    "dumps_indexed-threads": mode_dumps_indexed_threads,
    "envelope-extra": mode_envelope_extra,
    "starlette": mode_starlette,
    "flask": mode_flask,
    "to_builtins": mode_to_builtins,
}


def caught(fn: Callable[[], Any]) -> BaseException:
    """What ``fn()`` raised, whatever its class: a KeyboardInterrupt that
    escaped where it should not must fail one test, not stop the session."""
    try:
        fn()
    except BaseException as e:  # noqa: B036 - the point of the module
        return e
    pytest.fail("nothing was raised")


def frames(tb) -> list[str]:
    names = []
    while tb is not None:
        names.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    return names


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("kind", KINDS, ids=[k.__name__ for k in KINDS])
@pytest.mark.parametrize("hook", list(HOOKS))
def test_python_code_raising(hook, kind, mode):
    r = Raiser(kind)
    value, opts, path = HOOKS[hook](r)
    encode = MODES[mode]
    if mode == "envelope-extra" and opts:
        pytest.skip("extra= is written with the default options (no default= hook)")
    if mode in ("starlette", "flask"):
        import_or_skip(mode)
    error = caught(lambda: encode(value, opts))
    assert r.raised, "the Python code was never called"
    if issubclass(kind, Exception):
        assert isinstance(error, slotjson.EncodeError), repr(error)
        assert error.__cause__ is r.raised[-1]
        assert str(error).endswith(f"{kind.__name__}: boom"), str(error)
        # The path of the value, wherever the mode placed it.
        assert error.path[-len(path) :] == path if path else True, error.path
    else:
        # Not a copy, not wrapped, not chained: the exception raised, with
        # the frame that raised it still on its traceback.
        assert error is r.raised[-1], repr(error)
        assert type(error) is kind
        assert "__call__" in frames(error.__traceback__)
        assert not isinstance(error.__context__, slotjson.EncodeError)


@pytest.mark.parametrize("kind", ERRORS, ids=[k.__name__ for k in ERRORS])
@pytest.mark.parametrize("hook", list(HOOKS))
def test_wrapped_errors_match_to_builtins(hook, kind):
    # dumps and to_builtins name the same path with the same message, and
    # both keep the exception as __cause__.
    value, opts, _ = HOOKS[hook](Raiser(kind))
    errors = []
    for fn in (slotjson.dumps, slotjson.to_builtins):
        error = caught(lambda: fn(value, **opts))
        assert isinstance(error, slotjson.EncodeError), f"{fn.__name__}: {error!r}"
        errors.append(error)
        assert isinstance(error.__cause__, kind)
    native, reference = errors
    assert str(native) == str(reference)
    assert native.path == reference.path


def test_a_property_error_names_its_field():
    value, _, _ = via_property(Raiser(RuntimeError))
    with pytest.raises(slotjson.EncodeError) as info:
        slotjson.dumps({"items": [value]})
    assert str(info.value) == "['items'][0].x: RuntimeError: boom"
    assert info.value.path == ("items", 0, "x")


@pytest.mark.parametrize("kind", STOPPERS, ids=[k.__name__ for k in STOPPERS])
def test_exception_str_raising_a_stopper_propagates(kind):
    # The hook raised an Exception whose __str__ (read for the message)
    # raises a BaseException: that one reaches the caller.
    stop = kind("from __str__")

    class Odd(Exception):
        def __str__(self):
            raise stop

    def hook(o):
        raise Odd()

    for fn in (slotjson.dumps, slotjson.to_builtins):
        assert caught(lambda: fn([Unsupported()], default=hook)) is stop, fn.__name__


def test_exception_str_raising_an_error_leaves_the_name():
    class Odd(Exception):
        def __str__(self):
            raise ValueError("no text")

    def hook(o):
        raise Odd()

    for fn in (slotjson.dumps, slotjson.to_builtins):
        with pytest.raises(slotjson.EncodeError, match=r"^\[0\]: default= hook raised Odd$"):
            fn([Unsupported()], default=hook)


# --------------------------------------------------------------- Document reads
# An index's __index__ and an iterable's __iter__/__next__ are called as a
# list index would call them: whatever they raise propagates unchanged
# (Exceptions included, as for `[1, 2][obj]`); only a value without
# __index__ is a TypeError.


def document_reads(doc, bad):
    return {
        "getitem": lambda: doc[bad],
        "slice": lambda: doc[bad:],
        "take": lambda: doc.take([0, bad]),
        "page-offset": lambda: doc.page(bad),
        "page-limit": lambda: doc.page(0, bad),
        "envelope": lambda: doc.envelope(bad, 1),
        "from_bytes-page": lambda: slotjson.Document.from_bytes(doc.to_bytes()).page(0, bad),
    }


READS = list(document_reads(None, None))


@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize("kind", KINDS, ids=[k.__name__ for k in KINDS])
def test_document_index_raising_propagates(kind, read):
    r = Raiser(kind)

    class Index:
        __index__ = r

    doc = slotjson.dumps_indexed([1, 2, 3])
    error = caught(document_reads(doc, Index())[read])
    assert error is r.raised[-1], repr(error)
    assert "__call__" in frames(error.__traceback__)


@pytest.mark.parametrize("kind", KINDS, ids=[k.__name__ for k in KINDS])
def test_document_take_iterable_raising_propagates(kind):
    r = Raiser(kind)

    class Iterable:
        __iter__ = r

    def partly():
        yield 1
        r()

    doc = slotjson.dumps_indexed([1, 2, 3])
    for indices in (Iterable(), partly()):
        assert caught(lambda: doc.take(indices)) is r.raised[-1]


def test_document_index_type_errors():
    doc = slotjson.dumps_indexed([1, 2, 3])
    with pytest.raises(TypeError, match="Document indices must be integers or slices"):
        doc["0"]
    with pytest.raises(TypeError, match="Document indices must be integers or slices"):
        doc.take([1.0])
    with pytest.raises(TypeError, match="offset must be an int"):
        doc.page("1")

    class Wrong:
        def __index__(self):
            return "1"

    with pytest.raises(TypeError, match="__index__ returned non-int"):
        doc[Wrong()]

    class Three:
        def __index__(self):
            return 2

    # Still works through __index__, and out-of-range indices name the index.
    assert doc[Three()] == b"3"
    assert doc.take([Three(), -3]) == b"[3,1]"
    assert doc.page(Three()) == b"[3]"
    with pytest.raises(IndexError, match=r"document index 3 out of range for 3 items"):
        doc[3]
    with pytest.raises(IndexError, match=r"document index -4 out of range for 3 items"):
        doc.take([-4])
    with pytest.raises(IndexError, match=r"past 64 bits"):
        doc[2**70]
