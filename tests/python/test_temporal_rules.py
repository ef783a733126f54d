"""Datetimes and times with a tzinfo, and date/time subclasses
(spec/TYPES.md §3.2, §3.4).

UTC offsets: for every answer a `utcoffset()` can give, `dumps` writes
exactly `isoformat()`'s text, or raises where `isoformat()` raises (an
EncodeError, which is both the TypeError and the ValueError it raises,
with that exception as its cause), on every path: raw and C-API fallback,
release_gil, threads, dumps_indexed, and to_builtins.

Subclasses: read field by field unless they override `isoformat` (then
their `isoformat()` text) or are a missing-value sentinel such as
`pandas.NaT` (then `null`).
"""

import datetime as dt
import json
from typing import Any, Optional

import pytest
import slotjson
from conftest import assert_oracle, assert_same_error

pytestmark = pytest.mark.usefixtures("path_mode")

try:
    from hypothesis import given
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None


class Fixed(dt.tzinfo):
    """A tzinfo answering whatever it was given (not a datetime.timezone, so
    the encoder has to ask it)."""

    def __init__(self, answer):
        self.answer = answer

    def utcoffset(self, when):
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer

    def tzname(self, when):
        return "fixed"

    def dst(self, when):
        return None


class Delta(dt.timedelta):
    def __repr__(self):
        return "Delta(...)"


OFFSETS = {
    "zero": dt.timedelta(0),
    "whole-minutes": dt.timedelta(hours=5, minutes=30),
    "negative": -dt.timedelta(hours=3, minutes=15),
    "seconds": dt.timedelta(seconds=30),
    "negative-seconds": -dt.timedelta(hours=1, seconds=1),
    "microseconds": dt.timedelta(microseconds=1),
    "negative-microseconds": dt.timedelta(microseconds=-1),
    "just-under-24h": dt.timedelta(hours=24) - dt.timedelta(microseconds=1),
    "just-over-minus-24h": dt.timedelta(hours=-24) + dt.timedelta(microseconds=1),
    "24h": dt.timedelta(hours=24),
    "minus-24h": dt.timedelta(hours=-24),
    "days": dt.timedelta(days=3),
    "minus-days": dt.timedelta(days=-5, seconds=7),
    "subclass": Delta(hours=2),
    "subclass-24h": Delta(days=1),
    "none": None,
    "int": 3600,
    "str": "+01:00",
    "float": 1.5,
    "raises-value-error": ValueError("no offset today"),
    "raises-key-error": KeyError("zone"),
}


def values_with(answer):
    tz = Fixed(answer)
    return [
        dt.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=tz),
        dt.datetime(1, 1, 1, tzinfo=tz),
        dt.time(7, 8, 9, tzinfo=tz),
        dt.time(0, 0, tzinfo=tz, fold=1),
    ]


def expected(v, **o):
    """What isoformat() writes for v (a str), or the exception it raises."""
    try:
        text = type(v).isoformat(v, timespec="seconds" if o.get("omit_microseconds") else "auto")
    except Exception as e:
        return e
    if o.get("utc_z") and text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


def check(v, **o):
    want = expected(v, **o)
    if isinstance(want, Exception):
        e = assert_same_error([v], **o)
        # What isoformat() itself raises (ValueError, TypeError) EncodeError
        # also is; other exceptions from the tzinfo are its __cause__.
        if type(want) in (ValueError, TypeError):
            assert isinstance(e, type(want)), (e, want)
        assert isinstance(e.__cause__, type(want)) and str(e.__cause__) == str(want)
        assert str(e) == f"[0]: {type(want).__name__}: {want}"
        for mode in ({"threads": 2}, {"release_gil": True}):
            with pytest.raises(slotjson.EncodeError) as info:
                slotjson.dumps([v] * 3, **mode, **o)
            assert str(info.value) == str(e)
        with pytest.raises(slotjson.EncodeError):
            slotjson.dumps_indexed([v], **o)
    else:
        out = assert_oracle([v], **o)
        assert json.loads(out) == [want]
        assert slotjson.dumps([v] * 3, threads=2, **o) == b"[" + b",".join([out[1:-1]] * 3) + b"]"
        assert bytes(slotjson.dumps_indexed([v], **o)) == out


@pytest.mark.parametrize("answer", list(OFFSETS.values()), ids=list(OFFSETS))
@pytest.mark.parametrize("options", [{}, {"utc_z": True, "omit_microseconds": True}], ids=["default", "z-seconds"])
def test_every_utcoffset_answer_matches_isoformat(answer, options):
    for v in values_with(answer):
        check(v, **options)


def test_offsets_in_typed_fields():
    @slotjson.model
    class Event:
        at: dt.datetime
        daily: Optional[dt.time]
        anything: Any

    tz = Fixed(dt.timedelta(hours=1, seconds=5))
    e = Event(dt.datetime(2020, 1, 1, tzinfo=tz), dt.time(1, tzinfo=tz), dt.datetime(2020, 1, 1, tzinfo=tz))
    assert assert_oracle(e) == (
        b'{"at":"2020-01-01T00:00:00+01:00:05","daily":"01:00:00+01:00:05","anything":"2020-01-01T00:00:00+01:00:05"}'
    )
    bad = Event(dt.datetime(2020, 1, 1), dt.time(1, tzinfo=Fixed(dt.timedelta(days=1))), None)
    err = assert_same_error(bad)
    assert str(err).startswith("Event.daily: ValueError: offset must be a timedelta strictly between")


def test_utcoffset_raising_a_base_exception_is_not_wrapped():
    v = dt.datetime(2020, 1, 1, tzinfo=Fixed(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        slotjson.to_builtins([v])


if given is not None:

    @given(
        st.integers(min_value=-2 * 86_400_000_000, max_value=2 * 86_400_000_000),
        st.booleans(),
        st.sampled_from([dt.timedelta, Delta]),
        st.booleans(),
    )
    def test_any_offset_matches_isoformat(path_mode, micros, is_time, delta_type, utc_z):
        answer = delta_type(microseconds=micros)
        tz = Fixed(answer)
        v = dt.time(12, 34, 56, 789, tzinfo=tz) if is_time else dt.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=tz)
        check(v, utc_z=utc_z)


# -- subclasses ----------------------------------------------------------------


class PlainSub(dt.datetime):
    """Overrides what isoformat() of the base ignores: read field by field."""

    def utcoffset(self):
        return dt.timedelta(hours=9)

    def __str__(self):
        return "nope"


class Custom(dt.datetime):
    def isoformat(self, sep="T", timespec="auto"):
        return "custom:" + dt.datetime.isoformat(self, sep, timespec)


class CustomDate(dt.date):
    def isoformat(self):
        return f"{self.year}/{self.month}/{self.day}"


class CustomTime(dt.time):
    def isoformat(self, timespec="auto"):
        return "t" + dt.time.isoformat(self)


class NotText(dt.date):
    def isoformat(self):
        return 20240101


class Failing(dt.time):
    def isoformat(self, timespec="auto"):
        raise RuntimeError("cannot say")


class NaTType(dt.datetime):
    """A stand-in for pandas.NaT, recognised by its module and name."""

    def isoformat(self, *args):
        return "NaT"


NaTType.__module__ = "pandas._libs.tslibs.nattype"
FAKE_NAT = NaTType(1, 1, 1)


@slotjson.model
class Stamped:
    at: dt.datetime
    maybe: Optional[dt.datetime]
    day: dt.date
    anything: Any


def test_subclass_without_isoformat_is_read_like_its_base():
    v = PlainSub(2020, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)
    assert assert_oracle([v]) == b'["2020-05-06T07:08:09+00:00"]'


def test_subclass_overriding_isoformat_writes_its_text():
    values = [Custom(2020, 1, 2, 3, 4, 5), CustomDate(2021, 3, 4), CustomTime(5, 6)]
    assert assert_oracle(values) == b'["custom:2020-01-02T03:04:05","2021/3/4","t05:06:00"]'
    assert slotjson.dumps(values, threads=2) == slotjson.dumps(values)
    s = Stamped(Custom(2020, 1, 2), None, CustomDate(1999, 12, 31), CustomTime(1, 2))
    assert assert_oracle(s) == (
        b'{"at":"custom:2020-01-02T00:00:00","maybe":null,"day":"1999/12/31","anything":"t01:02:00"}'
    )


def test_subclass_isoformat_must_give_text():
    e = assert_same_error([NotText(2020, 1, 1)])
    assert str(e) == "[0]: NotText.isoformat() returned int, not str"
    e = assert_same_error({"k": Failing(1, 2)})
    assert str(e) == "['k']: RuntimeError: cannot say"
    assert isinstance(e.__cause__, RuntimeError)


def test_missing_value_sentinel_is_null():
    assert assert_oracle(FAKE_NAT) == b"null"
    assert assert_oracle([FAKE_NAT, dt.datetime(2020, 1, 1)]) == b'[null,"2020-01-01T00:00:00"]'
    s = Stamped(FAKE_NAT, FAKE_NAT, dt.date(2020, 1, 1), FAKE_NAT)
    assert assert_oracle(s) == b'{"at":null,"maybe":null,"day":"2020-01-01","anything":null}'
    assert slotjson.dumps([s] * 4, threads=2) == b"[" + b",".join([slotjson.dumps(s)] * 4) + b"]"
    assert bytes(slotjson.dumps_indexed([FAKE_NAT, s])) == slotjson.dumps([FAKE_NAT, s])
    # A NaT in a date field is still a datetime, not a date.
    e = assert_same_error(Stamped(FAKE_NAT, None, FAKE_NAT, None))
    assert str(e) == "Stamped.day: expected date, got NaTType"


def test_subclass_of_a_sentinel_is_null_too():
    class Sub(NaTType):
        pass

    assert assert_oracle([Sub(1, 1, 1)]) == b"[null]"


def test_real_pandas_nat():
    pd = pytest.importorskip("pandas")
    assert assert_oracle([pd.NaT]) == b"[null]"
    s = Stamped(pd.NaT, pd.NaT, dt.date(2020, 1, 1), pd.NaT)
    assert assert_oracle(s) == b'{"at":null,"maybe":null,"day":"2020-01-01","anything":null}'
    stamp = pd.Timestamp("2024-01-02T03:04:05.123456789", tz="UTC")
    assert assert_oracle([stamp]) == json.dumps([stamp.isoformat()]).encode()
