"""Regenerates the expected outputs the json writer tests compare against.

Run from the repository root with CPython 3.8+:
    python3 src/json/testdata/generate.py
Every expectation comes from CPython itself (json.dumps, repr, isoformat,
timedelta.total_seconds) except the ISO 8601 duration text, which Python
does not produce; `iso_duration` below spells out that rule.
"""

import json
import math
import os
import random
import struct
from datetime import date, datetime, time, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20240611)


def write(name, lines):
    with open(os.path.join(HERE, name), "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


# ---- strings: code points (hex), ensure_ascii=True text, UTF-8 hex or ERR


def random_string():
    pools = [
        [0x20 + i for i in range(95)],  # printable ASCII
        list(range(0x20)) + [0x22, 0x5C, 0x2F, 0x7F],
        list(range(0x80, 0x100)),
        [0x100, 0x3B1, 0x7FF, 0x800, 0x2028, 0x2029, 0x4E2D, 0x6587, 0xFEFF, 0xFFFD, 0xFFFF],
        [0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xD83D, 0xDE00],
        [0x10000, 0x1F600, 0x1F4A9, 0x10FFFF],
    ]
    widest = rng.choice([1, 2, 3, 4, 5, 6])
    usable = pools[:widest]
    n = rng.choice([0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100, 300])
    weights = [20] + [rng.choice([0, 1, 3]) for _ in usable[1:]]
    return "".join(chr(rng.choice(rng.choices(usable, weights)[0])) for _ in range(n))


strings = ["", "a", '"', "\\", "/", "\x7f", "\u2028\u2029", "\ud800", "\U0001f600"]
strings += ["".join(chr(c) for c in range(0x80))]
strings += ["".join(chr(c) for c in range(0x80, 0x100))]
strings += [random_string() for _ in range(400)]
lines = []
for s in strings:
    cps = ",".join("%x" % ord(c) for c in s) or "-"
    ascii_text = json.dumps(s, ensure_ascii=True)
    try:
        utf8 = json.dumps(s, ensure_ascii=False).encode().hex() or "-"
    except UnicodeEncodeError:
        utf8 = "ERR"
    lines.append("%s\t%s\t%s" % (cps, ascii_text, utf8))
write("strings.txt", lines)

# ---- floats: IEEE bits (hex) and repr


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


floats = [0.0, -0.0, 1.0, -1.0, 0.1, 1 / 3, 2 / 3, 123.456, 1e15, 1e16, 1e-5, 1.5e-7, 5e-324]
floats += [1.7976931348623157e308, 2.5e100, 123456789012345680.0, 1e22, 1e23, 9007199254740993.0]
floats += [0.001, 1e-4, 1.5e-5, 2.2250738585072014e-308, 2.225073858507201e-308, 9999999999999998.0]
floats += [math.nextafter(1e16, 0), math.nextafter(1e-4, 0), math.nextafter(1e-4, 1), 0.30000000000000004]
floats += [float(2**53), float(2**53 + 2), 1e21, 12345678901234567.0, 4.35, 1e-7, 0.5, 100.0]
for e in range(-330, 311):
    for m in ("1", "5", "9.999", "3.0000000000000004"):
        x = float("%se%d" % (m, e))
        if math.isfinite(x):
            floats.append(x)
for e in range(-1074, 1024):
    if e < -1015 or -30 <= e <= 70 or e > 1010 or e % 9 == 0:
        floats.append(2.0**e)
for _ in range(800):
    x = from_bits(rng.getrandbits(64))
    if math.isfinite(x):
        floats.append(x)
for _ in range(300):
    floats.append(round(rng.uniform(-1e6, 1e6), rng.randint(0, 8)))
for _ in range(300):
    floats.append(float(rng.getrandbits(rng.randint(1, 70))))
floats += [-x for x in floats[:200]]
write("floats.txt", ["%016x %s" % (bits(x), repr(x)) for x in floats])

# ---- ints: sign, base 2**30 digits least significant first (hex), decimal


def digits30(n):
    n = abs(n)
    out = []
    while n:
        out.append(n & (2**30 - 1))
        n >>= 30
    return out


ints = [0, 1, -1, 9, 10, -10, 2**30 - 1, 2**30, 2**30 + 1, 2**60 - 1, 2**60, 2**60 + 1]
ints += [2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64 - 1, 2**64, -(2**64), 2**64 + 1]
ints += [2**120 - 1, 2**120, 2**127, 2**128 - 1, 2**128, 2**128 + 1, -(2**128), 2**150 - 1]
ints += [2**200, -(2**200), 10**100, -(10**100), 10**100 - 1, 10**100 + 1]
for k in range(0, 130):
    ints += [10**k - 1, 10**k, -(10**k)]
for k in range(0, 420, 5):
    ints += [2**k - 1, 2**k, 2**k + 1, -(2**k)]
for _ in range(150):
    n = rng.getrandbits(rng.randint(1, 1200))
    ints.append(n if rng.random() < 0.5 else -n)
lines = []
for n in ints:
    ds = ",".join("%x" % d for d in digits30(n)) or "-"
    lines.append("%s %s %d" % ("-" if n < 0 else "+", ds, n))
write("ints.txt", lines)

# ---- date/time: fields, offset in microseconds or "naive", then
# datetime.isoformat(), isoformat(timespec="seconds"), time.isoformat(),
# time.isoformat(timespec="seconds"), date.isoformat()


def random_offset():
    kind = rng.choice(["naive", "zero", "minutes", "seconds", "micros"])
    if kind == "naive":
        return None
    if kind == "zero":
        return timedelta(0)
    sign = rng.choice([-1, 1])
    if kind == "minutes":
        return sign * timedelta(minutes=rng.randrange(0, 24 * 60))
    if kind == "seconds":
        return sign * timedelta(seconds=rng.randrange(1, 86400))
    return sign * timedelta(microseconds=rng.randrange(1, 86400 * 10**6))


moments = [
    (1, 1, 1, 0, 0, 0, 0, None),
    (9999, 12, 31, 23, 59, 59, 999999, timedelta(hours=23, minutes=59, seconds=59, microseconds=999999)),
    (2020, 1, 2, 3, 4, 5, 6, -timedelta(hours=5, seconds=7)),
    (2020, 1, 2, 3, 4, 5, 0, timedelta(0)),
    (1970, 1, 1, 0, 0, 0, 500000, timedelta(microseconds=1)),
    (999, 9, 9, 9, 9, 9, 10, -timedelta(microseconds=1)),
]
for _ in range(400):
    us = rng.choice([0, rng.randrange(10**6), rng.randrange(10) * 10**5])
    moments.append(
        (
            rng.randint(1, 9999),
            rng.randint(1, 12),
            rng.randint(1, 28),
            rng.randrange(24),
            rng.randrange(60),
            rng.randrange(60),
            us,
            random_offset(),
        )
    )
lines = []
for y, mo, d, h, mi, s, us, off in moments:
    tz = None if off is None else timezone(off)
    dt = datetime(y, mo, d, h, mi, s, us, tzinfo=tz)
    t = time(h, mi, s, us, tzinfo=tz)
    off_text = "naive" if off is None else str(off // timedelta(microseconds=1))
    fields = [str(v) for v in (y, mo, d, h, mi, s, us)] + [off_text]
    texts = [
        dt.isoformat(),
        dt.isoformat(timespec="seconds"),
        t.isoformat(),
        t.isoformat(timespec="seconds"),
        dt.date().isoformat(),
    ]
    lines.append(" ".join(fields + texts))
write("temporal.txt", lines)

# ---- durations: days seconds microseconds, ISO 8601 text, repr(total_seconds())


def iso_duration(td):
    total = td // timedelta(microseconds=1)
    if total == 0:
        return "PT0S"
    sign = "-" if total < 0 else ""
    rest, f = divmod(abs(total), 10**6)
    rest, s = divmod(rest, 60)
    rest, m = divmod(rest, 60)
    d, h = divmod(rest, 24)
    text = sign + "P" + ("%dD" % d if d else "")
    if h or m or s or f:
        text += "T" + ("%dH" % h if h else "") + ("%dM" % m if m else "")
        if s or f:
            text += str(s) + (("." + ("%06d" % f).rstrip("0")) if f else "") + "S"
    return text


durations = [timedelta(0), timedelta.max, timedelta.min, timedelta(microseconds=1), timedelta(microseconds=-1)]
durations += [timedelta(days=1), -timedelta(hours=1), timedelta(seconds=1.5)]
durations += [timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=5)]
durations += [timedelta(microseconds=2**53 + k) for k in (-2, -1, 0, 1, 2, 3)]
durations += [-timedelta(microseconds=2**53 + k) for k in (-2, -1, 0, 1, 2, 3)]
for _ in range(400):
    kind = rng.choice(["small", "days", "huge"])
    if kind == "small":
        td = timedelta(microseconds=rng.randrange(-(10**11), 10**11))
    elif kind == "days":
        td = timedelta(days=rng.randrange(-3000, 3000), microseconds=rng.randrange(86400 * 10**6))
    else:
        td = timedelta(days=rng.randrange(-999999999, 1000000000), microseconds=rng.randrange(86400 * 10**6))
    durations.append(td)
lines = []
for td in durations:
    fields = (td.days, td.seconds, td.microseconds)
    lines.append("%d %d %d %s %r" % (fields + (iso_duration(td), td.total_seconds())))
write("durations.txt", lines)
