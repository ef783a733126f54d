"""Edge cases of the scalar writers, checked against the stdlib oracle in both path modes.

CPython stores a str in 1, 2 or 4 bytes per code point depending on its widest
character, and the native writer has a separate path for each width and for
escapes at every position within its chunked scans, so most cases below are
repeated per width.  A handful of exact-bytes checks guard against a bug that
the native writer and to_builtins() could share.
"""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import slotjson
from conftest import assert_oracle

pytestmark = pytest.mark.usefixtures("path_mode")

# One filler character per CPython string width (1-byte ASCII, 1-byte Latin-1,
# 2-byte BMP, 4-byte astral).
WIDTH_FILLERS = {"ascii": "a", "latin1": "é", "bmp": "日", "astral": "😀"}

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


# --------------------------------------------------------------------------- strings

@pytest.mark.parametrize(
    "s",
    [
        "",
        "hello",
        "café",
        "日本語",
        "😀𝄞",
        "a é 日 😀",
        "\xff",  # last Latin-1 code point
        "\u0100",  # first code point that needs the 2-byte representation
        "\u07ff",  # last 2-byte UTF-8 sequence
        "\u0800",  # first 3-byte UTF-8 sequence
        "\ud7ff",  # just below the surrogate range
        "\ue000",  # just above the surrogate range
        "\uffff",
        "\U00010000",  # first astral code point
        "\U0010ffff",  # last code point
        "ÿ" * 3 + "a",
    ],
    ids=repr,
)
@pytest.mark.parametrize("ascii", [False, True])
def test_string_widths(s, ascii):
    assert_oracle(s, ascii=ascii)
    # Inside containers and as dict keys too: keys go through a separate writer.
    assert_oracle([s, {s: s}], ascii=ascii)


@pytest.mark.parametrize("code", range(0x20), ids=lambda c: f"U+{c:04X}")
@pytest.mark.parametrize("width", WIDTH_FILLERS)
def test_every_control_character(code, width):
    filler = WIDTH_FILLERS[width]
    c = chr(code)
    for s in (c, filler + c, c + filler, filler * 3 + c + filler * 3):
        assert_oracle(s)
        assert_oracle({s: s}, ascii=True)


@pytest.mark.parametrize("width", WIDTH_FILLERS)
@pytest.mark.parametrize("ascii", [False, True])
def test_specials_that_json_does_not_escape_or_must_escape(width, ascii):
    filler = WIDTH_FILLERS[width]
    specials = "\"\\/\x7f\u2028\u2029"
    assert_oracle(filler + specials + filler, ascii=ascii)
    for ch in specials:
        assert_oracle(filler + ch, ascii=ascii)


@pytest.mark.parametrize("width", WIDTH_FILLERS)
@pytest.mark.parametrize("ascii", [False, True])
def test_long_strings(width, ascii):
    filler = WIDTH_FILLERS[width]
    plain = filler * 10_000
    assert_oracle(plain, ascii=ascii)
    # Escapes sprinkled at an odd stride so they land at every alignment.
    sprinkled = "".join(filler * 36 + '"\n\\\x01' for _ in range(300))
    assert_oracle(sprinkled, ascii=ascii)
    # Width mix in one long string: an ASCII prefix then a wide tail.
    assert_oracle("x" * 5_000 + filler * 5_000, ascii=ascii)
    # Many long strings in one document, so the output buffer has to grow repeatedly.
    assert_oracle([plain] * 20, ascii=ascii)


@pytest.mark.parametrize("escape", ['"', "\\", "\n", "\x00", "\x1f"], ids=repr)
@pytest.mark.parametrize("width", WIDTH_FILLERS)
@pytest.mark.parametrize("ascii", [False, True])
def test_escape_at_every_position(width, escape, ascii):
    # Vectorised scanners handle 8/16/32/64-byte chunks and a tail: an escape at
    # every position of every length up to 70 crosses each boundary.
    filler = WIDTH_FILLERS[width]
    for length in range(1, 71):
        for pos in range(length):
            s = filler * pos + escape + filler * (length - pos - 1)
            assert_oracle(s, ascii=ascii)


# --------------------------------------------------------------------------- numbers

FLOATS = [
    0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 1 / 3, 2 / 3, 1e16, 1e15, 9999999999999998.0, 1e-05, 0.0001, 0.00011,
    5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
    123456789.125, 1e22, 1e23, 4.35, 2.0**53, 2.0**53 + 2, 1.5e300, 3.14159, 100.0, 1e100,
]


@pytest.mark.parametrize("x", FLOATS, ids=repr)
def test_floats(x):
    assert_oracle(x)
    assert_oracle([x, -x])


INTS = [
    0, 1, -1, 2**30, -(2**30), 2**31 - 1, -(2**31), 2**53 + 1, 2**62, 2**63 - 1, -(2**63), 2**63, -(2**63) - 1,
    2**64 - 1, 2**64, -(2**64), -(2**200), 10**100, -(10**100), 10**18, 10**19, 999_999_999_999_999_999,
]


@pytest.mark.parametrize("x", INTS, ids=repr)
def test_ints(x):
    assert_oracle(x)
    assert_oracle({"k": [x]})


def test_bools_and_none():
    assert_oracle([True, False, None, [None], {"a": None, "b": True}])


def test_containers():
    assert_oracle([[], {}, [[]], {"a": {}}, (), (1, (2, (3,))), [[[[[]]]]]])
    assert_oracle({1: "int key", -5: "negative", 2**70: "big"})
    assert_oracle({"": "empty key", "é": 1, "日": 2, "😀": 3})


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf], ids=repr)
def test_non_finite_floats_as_null(x):
    assert_oracle(x, nan="null")
    assert_oracle([1.0, x, {"v": x}], nan="null")


# --------------------------------------------------------------------------- temporal

TZ_PLUS_SECONDS = timezone(timedelta(hours=5, seconds=7))
TZ_PLUS_MICROS = timezone(timedelta(hours=5, seconds=7, microseconds=1))
TZ_MINUS = timezone(timedelta(hours=-9, minutes=-30))
TZ_MINUS_MICROS = timezone(-timedelta(hours=1, microseconds=5))

DATETIMES = [
    datetime(1, 1, 1),
    datetime(1, 1, 1, 0, 0, 0, 1),
    datetime(9999, 12, 31, 23, 59, 59, 999999),
    datetime(1969, 12, 31, 23, 59, 59),
    datetime(1900, 2, 28, 12, 0, 0, 500000),
    datetime(1970, 1, 1),
    datetime(2024, 2, 29, 1, 2, 3, 4),
    datetime(2024, 2, 29, 1, 2, 3, 4, tzinfo=timezone.utc),
    datetime(2024, 2, 29, 1, 2, 3, tzinfo=timezone.utc),
    datetime(1, 1, 1, tzinfo=timezone.utc),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
    datetime(1950, 6, 1, 0, 0, tzinfo=TZ_MINUS),
    datetime(2000, 1, 1, tzinfo=TZ_PLUS_SECONDS),
    datetime(2000, 1, 1, 0, 0, 0, 10, tzinfo=TZ_PLUS_MICROS),
    datetime(2000, 1, 1, tzinfo=TZ_MINUS_MICROS),
    datetime(2000, 1, 1, tzinfo=timezone(timedelta(0), "named")),
    datetime(2024, 1, 15, 12, 0, tzinfo=PARIS),  # winter, +01:00
    datetime(2024, 7, 15, 12, 0, tzinfo=PARIS),  # summer, +02:00
    datetime(2024, 1, 15, 12, 0, tzinfo=NEW_YORK),  # -05:00
    datetime(2024, 7, 15, 12, 0, 0, 123, tzinfo=NEW_YORK),  # -04:00
    datetime(2024, 11, 3, 1, 30, tzinfo=NEW_YORK, fold=0),  # ambiguous hour, first pass
    datetime(2024, 11, 3, 1, 30, tzinfo=NEW_YORK, fold=1),  # ambiguous hour, second pass
    datetime(2024, 3, 31, 2, 30, tzinfo=PARIS),  # in the spring-forward gap
    datetime(2024, 7, 15, 12, 0, tzinfo=ZoneInfo("UTC")),
]

OPTION_SETS = [
    {},
    {"utc_z": True},
    {"omit_microseconds": True},
    {"utc_z": True, "omit_microseconds": True},
]


@pytest.mark.parametrize("opts", OPTION_SETS, ids=lambda o: ",".join(o) or "default")
@pytest.mark.parametrize("value", DATETIMES, ids=repr)
def test_datetimes(value, opts):
    assert_oracle(value, **opts)
    assert_oracle({"at": [value]}, **opts)


class MyDateTime(datetime):
    """A datetime subclass (as libraries such as pandas define) must be written as a datetime."""


@pytest.mark.parametrize("opts", OPTION_SETS, ids=lambda o: ",".join(o) or "default")
def test_dates_times_and_subclasses(opts):
    values = [
        date(1, 1, 1), date(9999, 12, 31), date(1969, 7, 20),
        time(0, 0), time(23, 59, 59, 999999), time(12, 30, 0, 5),
        time(12, 0, tzinfo=timezone.utc), time(12, 0, 1, tzinfo=TZ_MINUS), time(1, 2, 3, 4, tzinfo=TZ_PLUS_SECONDS),
        MyDateTime(2020, 5, 17, 10, 11, 12, 13, tzinfo=timezone.utc),
    ]
    for v in values:
        assert_oracle(v, **opts)


TIMEDELTAS = [
    timedelta(0), timedelta(days=1), timedelta(hours=-1), timedelta(seconds=1.5),
    timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=5), timedelta(microseconds=1),
    timedelta(microseconds=-1), timedelta(days=-1), timedelta(days=-1, seconds=1), timedelta(minutes=90),
    timedelta(days=400), timedelta.max, timedelta.min, timedelta(weeks=3, seconds=59),
]


@pytest.mark.parametrize("mode", ["iso", "seconds"])
@pytest.mark.parametrize("td", TIMEDELTAS, ids=str)
def test_timedeltas(td, mode):
    assert_oracle(td, timedelta=mode)
    assert_oracle([td, {"d": td}], timedelta=mode)


# --------------------------------------------------------------------------- ascii=True

@pytest.mark.parametrize(
    "s",
    [
        "\ud800", "\udfff", "abc\ud800", "\udc00abc", "a\ud83d", "\ude00a",
        "\ud83d\ude00",  # a surrogate *pair* as two code points: still two \u escapes
        "😀\ud800", "日\udbff日", "é\udc80", "\ud800" * 100,
    ],
    ids=repr,
)
def test_ascii_true_escapes_lone_surrogates_like_json(s):
    assert_oracle(s, ascii=True)
    assert_oracle({s: [s]}, ascii=True)


# --------------------------------------------------------------------------- exact bytes

UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")

EXACT = [
    ([1.0, -0.0, 1e16, 1e-05], {}, b"[1.0,-0.0,1e+16,1e-05]"),
    (
        [0.1, 1 / 3, 5e-324, 1.7976931348623157e308, 1e15, 0.0001, 0.0, 123456789.125],
        {},
        b"[0.1,0.3333333333333333,5e-324,1.7976931348623157e+308,1000000000000000.0,0.0001,0.0,123456789.125]",
    ),
    (
        [0, 2**30, -(2**30), 2**53 + 1, 2**63 - 1, -(2**63), 2**64, 10**20],
        {},
        b"[0,1073741824,-1073741824,9007199254740993,9223372036854775807,"
        b"-9223372036854775808,18446744073709551616,100000000000000000000]",
    ),
    (10**100, {}, b"1" + b"0" * 100),
    (-(2**200), {}, b"-1606938044258990275541962092341162602522202993782792835301376"),
    ([True, False, None], {}, b"[true,false,null]"),
    ("\n\x00é", {}, b'"\\n\\u0000\xc3\xa9"'),
    ("\b\f\n\r\t\x01\x1f\x7f", {}, b'"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f"'),
    ('"\\/', {}, b'"\\"\\\\/"'),
    ("\u2028\u2029", {}, b'"\xe2\x80\xa8\xe2\x80\xa9"'),
    ("日😀", {}, b'"\xe6\x97\xa5\xf0\x9f\x98\x80"'),
    ("é😀日", {"ascii": True}, b'"\\u00e9\\ud83d\\ude00\\u65e5"'),
    ("\ud800x", {"ascii": True}, b'"\\ud800x"'),
    ([[], {}, [[]], {"a": {}}, (1, (2,))], {}, b'[[],{},[[]],{"a":{}},[1,[2]]]'),
    ({1: "a", -2: "b"}, {}, b'{"1":"a","-2":"b"}'),
    ({True: 1, None: 2, 2.5: 3, 1e16: 4}, {}, b'{"true":1,"null":2,"2.5":3,"1e+16":4}'),
    ([math.nan, math.inf, -math.inf, 1.5], {"nan": "null"}, b"[null,null,null,1.5]"),
    (datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc), {}, b'"2024-01-02T03:04:05.000006+00:00"'),
    (datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc), {"utc_z": True}, b'"2024-01-02T03:04:05.000006Z"'),
    (datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc), {"omit_microseconds": True},
     b'"2024-01-02T03:04:05+00:00"'),
    (datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc), {"utc_z": True, "omit_microseconds": True},
     b'"2024-01-02T03:04:05Z"'),
    (datetime(2024, 1, 2, 3, 4, 5, 6), {"utc_z": True}, b'"2024-01-02T03:04:05.000006"'),  # naive stays naive
    # Any zero offset becomes Z, whatever the tzinfo object.
    (datetime(2024, 1, 2, tzinfo=ZoneInfo("UTC")), {"utc_z": True}, b'"2024-01-02T00:00:00Z"'),
    (datetime(2024, 1, 2, tzinfo=timezone(timedelta(0), "named")), {"utc_z": True}, b'"2024-01-02T00:00:00Z"'),
    (time(1, 2, 3, tzinfo=timezone.utc), {"utc_z": True}, b'"01:02:03Z"'),
    (time(1, 2, 3, 4), {"omit_microseconds": True}, b'"01:02:03"'),
    # omit_microseconds drops the time of day's fraction, not the offset's.
    (datetime(2020, 1, 1, 0, 0, 0, 123, tzinfo=TZ_MINUS_MICROS), {"omit_microseconds": True},
     b'"2020-01-01T00:00:00-01:00:00.000005"'),
    (datetime(1, 1, 1), {}, b'"0001-01-01T00:00:00"'),
    (datetime(9999, 12, 31, 23, 59, 59, 999999), {}, b'"9999-12-31T23:59:59.999999"'),
    (datetime(1969, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))), {}, b'"1969-12-31T23:59:59-05:00"'),
    (datetime(2000, 1, 1, tzinfo=TZ_PLUS_SECONDS), {}, b'"2000-01-01T00:00:00+05:00:07"'),
    (datetime(2000, 1, 1, tzinfo=TZ_MINUS_MICROS), {}, b'"2000-01-01T00:00:00-01:00:00.000005"'),
    (datetime(2024, 7, 15, 12, 0, tzinfo=PARIS), {}, b'"2024-07-15T12:00:00+02:00"'),
    (datetime(2024, 1, 15, 12, 0, tzinfo=PARIS), {}, b'"2024-01-15T12:00:00+01:00"'),
    (datetime(2024, 11, 3, 1, 30, tzinfo=NEW_YORK, fold=0), {}, b'"2024-11-03T01:30:00-04:00"'),
    (datetime(2024, 11, 3, 1, 30, tzinfo=NEW_YORK, fold=1), {}, b'"2024-11-03T01:30:00-05:00"'),
    (date(1, 1, 1), {}, b'"0001-01-01"'),
    (time(23, 59, 59, 999999), {}, b'"23:59:59.999999"'),
    (time(12, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))), {}, b'"12:00:00+05:30"'),
    (timedelta(days=1), {}, b'"P1D"'),
    (timedelta(hours=-1), {}, b'"-PT1H"'),
    (timedelta(seconds=1.5), {}, b'"PT1.5S"'),
    (timedelta(0), {}, b'"PT0S"'),
    (timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=5), {}, b'"P1DT2H3M4.000005S"'),
    (timedelta(minutes=90), {}, b'"PT1H30M"'),
    (timedelta(microseconds=1), {}, b'"PT0.000001S"'),
    (-timedelta(days=1, hours=2, minutes=3, seconds=4.5), {}, b'"-P1DT2H3M4.5S"'),
    (timedelta(days=-1, seconds=1), {}, b'"-PT23H59M59S"'),
    ([timedelta(days=1), timedelta(seconds=1.5), timedelta(microseconds=-1)], {"timedelta": "seconds"},
     b"[86400.0,1.5,-1e-06]"),
    (UUID, {}, b'"12345678-1234-5678-1234-567812345678"'),
    ([Decimal("1.10"), Decimal("-0"), Decimal("1E+3")], {}, b'["1.10","-0","1E+3"]'),
]


@pytest.mark.parametrize("value,opts,expected", EXACT, ids=[f"exact{i}" for i in range(len(EXACT))])
def test_exact_bytes(value, opts, expected):
    # Hand-written expectations: these catch a mistake shared by dumps() and to_builtins().
    assert slotjson.dumps(value, **opts) == expected
    assert assert_oracle(value, **opts) == expected
