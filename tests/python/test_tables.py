"""Tables as JSON rows: pyarrow, pandas and polars inputs (Arrow C stream).

The oracle: ``dumps(t) == json.dumps(to_builtins(t), ...)``, where
``to_builtins`` of a table is its ``pyarrow`` ``to_pylist()`` rows (pandas:
without the index columns; missing values as None).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import subprocess
import sys

import pytest
import slotjson
from conftest import assert_oracle, assert_same_error

pa = pytest.importorskip("pyarrow", reason=f"pyarrow has no wheel for CPython {sys.version.split()[0]}")

try:
    from hypothesis import given
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None


def std(rows) -> bytes:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def all_ways(t, **o):
    """dumps of `t` checked against the oracle, identical on 1 and 2 workers
    and as a document (one item per row)."""
    got = assert_oracle(t, **o)
    assert slotjson.dumps(t, threads=1, **o) == got
    assert slotjson.dumps(t, threads=2, **o) == got
    doc = slotjson.dumps_indexed(t, threads=2, **o)
    assert bytes(doc) == got
    rows = json.loads(got)
    assert len(doc) == len(rows)
    for i, row in enumerate(rows):
        assert json.loads(doc[i]) == row
    return got


def test_scalar_types():
    t = pa.table(
        {
            "i8": pa.array([-128, None, 127], pa.int8()),
            "u64": pa.array([0, 2**64 - 1, None], pa.uint64()),
            "f16": pa.array([1.1, None, -0.0], pa.float16()),
            "f32": pa.array([0.1, 1e-7, 3.4e38], pa.float32()),
            "f64": [0.1, 1e16, 1e-5],
            "b": [True, False, None],
            "s": ["plain", 'esc "\\\n\x00\u2028', None],
            "ls": pa.array(["a", None, "ü€𝄞"], pa.large_string()),
            "sv": pa.array(["a", "b" * 40, None], pa.string_view()),
            "n": pa.nulls(3),
        }
    )
    got = all_ways(t)
    assert got.startswith(b'[{"i8":-128,"u64":0,"f16":1.099609375,"f32":0.10000000149011612,')
    all_ways(t, ascii=True)


def test_temporal_types():
    t = pa.table(
        {
            "d32": pa.array([dt.date(2026, 12, 4), dt.date(1, 1, 1), None]),
            "d64": pa.array([dt.date(1969, 12, 31), None, dt.date(9999, 12, 31)], pa.date64()),
            "t32": pa.array([0, 86399, None], pa.time32("s")),
            "t32ms": pa.array([1, 1000, None], pa.time32("ms")),
            "t64": pa.array([1, 86_399_999_999, None], pa.time64("us")),
            "t64ns": pa.array([1999, 5, None], pa.time64("ns")),
            "naive": pa.array([0, -1, None], pa.timestamp("us")),
            "utc": pa.array([1, -1_000_001, 1_700_000_000_000], pa.timestamp("ms", tz="UTC")),
            "fixed": pa.array([0, 1, None], pa.timestamp("s", tz="+05:30")),
            "neg": pa.array([0, 1, None], pa.timestamp("s", tz="-08:00")),
            "named": pa.array([0, 1_700_000_000, 1_720_000_000], pa.timestamp("s", tz="Europe/Paris")),
            "ns": pa.array([1, -1, 1_000], pa.timestamp("ns", tz="America/New_York")),
            "ns_naive": pa.array([0, 999, 1_500_000_000_123_456_789], pa.timestamp("ns")),
            "dur": pa.array([0, -1, 86_400 * 3 + 5], pa.duration("s")),
            "dur_us": pa.array([1, -1, None], pa.duration("us")),
            "dur_ns": pa.array([1, -1, -1001], pa.duration("ns")),
        }
    )
    got = all_ways(t)
    row = json.loads(got)[0]
    assert row["ns"] == "1969-12-31T19:00:00.000000001-05:00"  # Timestamp.isoformat() digits
    assert row["named"] == "1970-01-01T01:00:00+01:00"
    assert row["fixed"] == "1970-01-01T05:30:00+05:30"
    all_ways(t, utc_z=True)
    all_ways(t, omit_microseconds=True)
    all_ways(t, timedelta="seconds")


def test_named_zone_historic_offset_with_seconds():
    # Paris before 1911 ran on local mean time, +00:09:21.
    t = pa.table({"ts": pa.array([-2_000_000_000], pa.timestamp("s", tz="Europe/Paris"))})
    got = all_ways(t)
    assert b"+00:09:21" in got


def test_decimals():
    t = pa.table(
        {
            "d": pa.array([decimal.Decimal("1.50"), decimal.Decimal("-0.001"), None], pa.decimal128(10, 3)),
            "big": pa.array([decimal.Decimal("1" * 60), None, decimal.Decimal("-3")], pa.decimal256(70, 0)),
            "tiny": pa.array([decimal.Decimal("0.0000001"), None, decimal.Decimal("12.3")], pa.decimal128(12, 8)),
        }
    )
    got = all_ways(t)
    assert json.loads(got)[0]["d"] == "1.500"


def test_nested_types():
    point = pa.struct([("x", pa.int32()), ("tags", pa.list_(pa.string()))])
    t = pa.table(
        {
            "l": pa.array([[1, None, 3], [], None], pa.list_(pa.int64())),
            "ll": pa.array([[[1.5]], None, [[], [2.5]]], pa.large_list(pa.list_(pa.float64()))),
            "fsl": pa.array([[1, 2], None, [5, 6]], pa.list_(pa.int16(), 2)),
            "st": pa.array([{"x": 1, "tags": ["a"]}, None, {"x": None, "tags": None}], point),
            "m": pa.array([[("k", 1), ("é", None)], None, []], pa.map_(pa.string(), pa.int64())),
            "dict": pa.array(["red", None, "red"]).dictionary_encode(),
        }
    )
    got = all_ways(t)
    assert json.loads(got)[0]["m"] == {"k": 1, "é": None}


def test_dictionary_with_no_values():
    empty = pa.DictionaryArray.from_arrays(pa.array([None, None], pa.int8()), pa.array([], pa.string()))
    assert all_ways(pa.table({"d": empty})) == b'[{"d":null},{"d":null}]'


def test_chunked_and_sliced():
    base = pa.table({"i": list(range(5000)), "s": [f"row {i}" for i in range(5000)]})
    chunked = pa.concat_tables([base.slice(0, 1), base.slice(1, 2999), base.slice(3000)])
    assert chunked.column("i").num_chunks == 3
    got = all_ways(chunked)
    assert got == slotjson.dumps(base)
    sliced = base.slice(17, 2000)
    assert json.loads(all_ways(sliced))[0] == {"i": 17, "s": "row 17"}
    # A sliced nested column.
    lists = pa.table({"l": pa.array([[i, i] for i in range(100)], pa.list_(pa.int64(), 2))}).slice(10, 5)
    assert json.loads(all_ways(lists))[0] == {"l": [10, 10]}


def test_record_batch_and_reader():
    batch = pa.record_batch({"a": [1, 2], "b": ["x", "y"]})
    assert all_ways(batch) == b'[{"a":1,"b":"x"},{"a":2,"b":"y"}]'
    reader = pa.RecordBatchReader.from_batches(batch.schema, [batch, batch])
    assert slotjson.dumps(reader) == b'[{"a":1,"b":"x"},{"a":2,"b":"y"},{"a":1,"b":"x"},{"a":2,"b":"y"}]'


def test_empty_tables():
    t = pa.table({"a": pa.array([], pa.int64())})
    assert all_ways(t) == b"[]"
    assert slotjson.dumps(pa.table({})) == b"[]"


def test_nan_follows_the_nan_option():
    t = pa.table({"a": [1, 2], "f": [0.5, math.nan]})
    e = assert_same_error(t)
    assert e.path == (1, "f")
    assert str(e) == "[1]['f']: float nan is not allowed in JSON (use nan=\"null\")"
    assert all_ways(t, nan="null") == b'[{"a":1,"f":0.5},{"a":2,"f":null}]'
    e = capture_native(t, threads=2)
    assert e.path == (1, "f")


def capture_native(t, **o):
    with pytest.raises(slotjson.EncodeError) as info:
        slotjson.dumps(t, **o)
    return info.value


def test_first_error_in_row_order_on_any_worker_count():
    n = 20_000
    f = [0.0] * n
    f[15_000] = math.inf
    f[19_000] = math.nan
    t = pa.table({"f": f})
    for threads in (1, 2, 4):
        e = capture_native(t, threads=threads)
        assert e.path == (15_000, "f")
        assert "float inf" in str(e)


def test_binary_columns_raise():
    t = pa.table({"id": [1], "blob": pa.array([b"\x00"], pa.binary())})
    e = capture_native(t)
    assert "binary" in str(e) and e.path == ("blob",)


def test_out_of_range_dates_raise():
    t = pa.table({"d": pa.array([3_000_000], pa.date32())})
    e = capture_native(t)
    assert e.path == (0, "d") and "out of the range" in str(e)


def test_max_depth_counts_nesting():
    t = pa.table({"l": pa.array([[[1]]], pa.list_(pa.list_(pa.int64())))})
    assert slotjson.dumps(t, max_depth=3) == b'[{"l":[[1]]}]'
    e = capture_native(t, max_depth=2)
    assert "maximum depth" in str(e)


def test_pandas_frame():
    pd = pytest.importorskip("pandas", reason=f"pandas has no wheel for CPython {sys.version.split()[0]}")
    df = pd.DataFrame(
        {
            "i": [1, 2, 3],
            "f": [1.5, math.nan, 0.1],
            "s": ["a", None, "c"],
            "ts": pd.to_datetime(["2026-01-01T00:00:00.000000001", None, "2026-06-01"], format="ISO8601").tz_localize("Europe/Berlin"),
            "b": [True, False, True],
            "n": pd.array([1, None, 3], dtype="Int64"),
        },
        index=[10, 11, 12],
    )
    got = all_ways(df)
    expected = []
    for rec in df.to_dict("records"):
        row = {}
        for k, v in rec.items():
            if v is pd.NaT or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                row[k] = None
            elif isinstance(v, pd.Timestamp):
                row[k] = v.isoformat()
            else:
                row[k] = v
        expected.append(row)
    assert got == std(expected)
    assert json.loads(got)[0]["ts"] == "2026-01-01T00:00:00.000000001+01:00"
    # A named index is an index too: not a column of the records.
    assert slotjson.dumps(df.rename_axis("key")) == got
    assert slotjson.dumps(df.reset_index(drop=True)) == got


def test_polars_frame():
    pl = pytest.importorskip("polars", reason=f"polars has no wheel for CPython {sys.version.split()[0]}")
    df = pl.DataFrame(
        {
            "s": ["a", None, "ü" * 20],
            "i": [1, None, -3],
            "l": [[1, 2], None, []],
            "st": [{"x": 1.5}, {"x": None}, None],
            "d": [dt.date(2026, 1, 1), None, dt.date(2000, 2, 29)],
            "ts": [dt.datetime(2026, 1, 1, 12, 30, 0, 5), None, dt.datetime(1969, 1, 1)],
        }
    )
    got = all_ways(df)
    # polars writes datetimes with a space; the rest as the rows here.
    assert std([{k: v for k, v in r.items() if k != "ts"} for r in json.loads(got)]) == std(
        json.loads(df.drop("ts").write_json())
    )
    assert json.loads(got)[0]["ts"] == "2026-01-01T12:30:00.000005"


def test_import_slotjson_imports_no_table_library():
    code = (
        "import sys, slotjson\n"
        "slotjson.dumps([1]); slotjson.dumps({'a': 1})\n"
        "bad = [m for m in ('pyarrow', 'pandas', 'polars', 'numpy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


if given is not None:
    _scalar_types = [
        (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
        (pa.uint32(), st.integers(0, 2**32 - 1)),
        (pa.float64(), st.floats(allow_nan=False, allow_infinity=False)),
        (pa.float32(), st.floats(width=32, allow_nan=False, allow_infinity=False)),
        (pa.bool_(), st.booleans()),
        (pa.string(), st.text()),
        (pa.large_string(), st.text(max_size=5)),
        (pa.date32(), st.dates()),
        (pa.timestamp("us"), st.datetimes()),
        (pa.timestamp("ms", tz="UTC"), st.datetimes(timezones=st.just(dt.timezone.utc)).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))),
        (pa.timestamp("s", tz="Asia/Kolkata"), st.integers(-(2**33), 2**33)),
        (pa.duration("us"), st.timedeltas(min_value=dt.timedelta(days=-(10**6)), max_value=dt.timedelta(days=10**6))),
        (pa.decimal128(20, 4), st.decimals(min_value=-(10**15), max_value=10**15, places=4, allow_nan=False)),
    ]

    @st.composite
    def tables(draw):
        ncols = draw(st.integers(1, 5))
        nrows = draw(st.integers(0, 40))
        cols = {}
        for c in range(ncols):
            typ, values = draw(st.sampled_from(_scalar_types))
            cell = st.one_of(st.none(), values)
            if draw(st.booleans()):
                typ, cell = pa.list_(typ), st.one_of(st.none(), st.lists(cell, max_size=3))
            cols[f"c{c}"] = pa.array(draw(st.lists(cell, min_size=nrows, max_size=nrows)), typ)
        t = pa.table(cols)
        cuts = sorted(draw(st.lists(st.integers(0, nrows), max_size=3)))
        pieces, at = [], 0
        for cut in [*cuts, nrows]:
            pieces.append(t.slice(at, cut - at))
            at = cut
        return pa.concat_tables(pieces) if nrows else t

    @given(tables(), st.sampled_from([1, 2, 3]))
    def test_random_tables_match_the_oracle(t, threads):
        got = assert_oracle(t)
        assert slotjson.dumps(t, threads=threads) == got
        doc = slotjson.dumps_indexed(t, threads=threads)
        assert bytes(doc) == got and len(doc) == t.num_rows
