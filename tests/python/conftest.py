"""Shared helpers for the slotjson Python test suite.

The central property of slotjson is that the native encoder agrees byte for byte
with the pure-Python reference conversion fed to the stdlib encoder:

    dumps(x, **o) == json.dumps(to_builtins(x, **o), ensure_ascii=o["ascii"],
                                separators=(",", ":"), allow_nan=False).encode()

`assert_oracle` checks that equation; `assert_same_error` checks that both
sides reject a value with the same EncodeError (message and path).  Test
modules import these with `from conftest import ...` (tests/python has no
__init__.py, so pytest puts this directory on sys.path).
"""

from __future__ import annotations

import json

import pytest
import slotjson

# The Redis fixtures (a real redis-server on loopback), for every test module.
from redis_server import redis_client, redis_server  # noqa: E402, F401

try:  # hypothesis is only needed by test_property.py; keep the rest runnable without it.
    from hypothesis import HealthCheck, settings

    # The property tests take the `path_mode` fixture, which is function scoped on
    # purpose: it flips a process-wide switch once per test, not once per example.
    settings.register_profile(
        "slotjson",
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    settings.load_profile("slotjson")
except ImportError:  # pragma: no cover
    pass


def reference_bytes(x, **o):
    """What the stdlib produces from the pure-Python conversion."""
    return json.dumps(
        slotjson.to_builtins(x, **o),
        ensure_ascii=o.get("ascii", False),
        separators=(",", ":"),
        allow_nan=False,
    ).encode()


def assert_oracle(x, **o):
    """Assert dumps() and to_builtins()+json.dumps() agree; return the bytes.

    The reference is computed first so that a crash in it is reported as such,
    not hidden behind a native mismatch.
    """
    expected = reference_bytes(x, **o)
    got = slotjson.dumps(x, **o)
    assert type(got) is bytes, f"dumps returned {type(got).__name__}, not bytes"
    if got != expected:
        # Point at the first differing byte: diffs of multi-kilobyte outputs are unreadable.
        i = next((k for k, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
        raise AssertionError(
            f"dumps != reference at byte {i} (len {len(got)} vs {len(expected)}):\n"
            f"  dumps:     {got[max(0, i - 40):i + 40]!r}\n"
            f"  reference: {expected[max(0, i - 40):i + 40]!r}"
        )
    if "release_gil" not in o:
        # The two-pass encode (strings, floats and datetimes formatted after
        # the GIL is released) must write the very same bytes.
        assert slotjson.dumps(x, release_gil=True, **o) == got, "release_gil=True wrote other bytes"
    return got


def capture_error(fn, *args, **kwargs):
    """Call fn and return the EncodeError it raises (fail if it returns or raises anything else)."""
    try:
        result = fn(*args, **kwargs)
    except slotjson.EncodeError as e:
        return e
    raise AssertionError(f"{getattr(fn, '__name__', fn)} did not raise EncodeError; returned {result!r:.200}")


def assert_same_error(x, **o):
    """Both dumps() and to_builtins() must raise EncodeError with identical message and path.

    Returns the dumps() error so callers can check the message/path further.
    """
    e_native = capture_error(slotjson.dumps, x, **o)
    e_ref = capture_error(slotjson.to_builtins, x, **o)
    assert str(e_native) == str(e_ref), f"messages differ:\n  dumps:       {e_native}\n  to_builtins: {e_ref}"
    assert isinstance(e_native.path, tuple), f"path should be a tuple, got {type(e_native.path).__name__}"
    assert e_native.path == e_ref.path, f"paths differ: {e_native.path!r} vs {e_ref.path!r}"
    if "release_gil" not in o:
        e_released = capture_error(slotjson.dumps, x, release_gil=True, **o)
        assert (str(e_released), e_released.path) == (str(e_native), e_native.path)
    # The contract: EncodeError is both a TypeError and a ValueError.
    assert isinstance(e_native, TypeError) and isinstance(e_native, ValueError)
    return e_native


@pytest.fixture(params=["raw", "fallback"])
def path_mode(request):
    """Run a test once with the raw-memory fast path and once with the C-API fallback.

    The previous setting is restored even if the test fails, so one test cannot
    leave the rest of the session on the wrong path.
    """
    native = slotjson._native
    previous = native.raw_path_enabled()
    native._set_raw_path(request.param == "raw")
    try:
        # If the switch silently did nothing, every "fallback" test would re-test
        # the raw path and prove nothing.
        assert bool(native.raw_path_enabled()) == (request.param == "raw")
        yield request.param
    finally:
        native._set_raw_path(previous)
