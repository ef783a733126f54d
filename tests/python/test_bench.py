"""The benchmark harness (``python -m slotjson.bench``) on tiny workloads.

Only the stdlib competitor is used unless a test says otherwise, so these run
without orjson & co. The harness must work whether or not the native encoder
handles a workload (it then times the competitors against the pure-Python
reference and says so), so assertions about slotjson's own rows are made
only when slotjson passed verification.
"""

from __future__ import annotations

import dataclasses
import gc
import io
import json

import pytest
import slotjson
from slotjson.bench import Competitor, Encoders, run, verify, workloads
from slotjson.bench.competitors import isoformat_default

TINY = ["--items", "30", "--repeat", "2", "--budget", "0", "--no-progress"]


def _stdlib_encoders(model: type) -> Encoders:
    encoder = json.JSONEncoder(default=isoformat_default, ensure_ascii=False, separators=(",", ":"))
    return Encoders(
        many=lambda items: encoder.encode([dataclasses.asdict(x) for x in items]).encode(),
        one=lambda item: encoder.encode(dataclasses.asdict(item)).encode(),
    )


def _off_by_one_encoders(model: type) -> Encoders:
    """Right shape, wrong data: every int is one too large."""

    def shift(value):
        if isinstance(value, bool) or not isinstance(value, (int, dict, list)):
            return value
        if isinstance(value, int):
            return value + 1
        if isinstance(value, dict):
            return {k: shift(v) for k, v in value.items()}
        return [shift(v) for v in value]

    good = _stdlib_encoders(model)
    return Encoders(
        many=lambda items: json.dumps(shift(json.loads(good.many(items)))).encode(),
        one=lambda item: json.dumps(shift(json.loads(good.one(item)))).encode(),
    )


def _raising_encoders(model: type) -> Encoders:
    def refuse(_):
        raise OverflowError("cannot encode this")

    return Encoders(many=refuse, one=refuse)


def _run(*args: str, extra=()) -> tuple[dict, str]:
    out = io.StringIO()
    results = run([*TINY, *args], extra_competitors=extra, out=out)
    return results, out.getvalue()


def _slotjson_verified(results: dict, workload: str) -> bool:
    summary = next(w for w in results["workloads"] if w["name"] == workload)
    return summary["verification"]["slotjson"]["ok"]


def test_result_structure_and_json_file(tmp_path):
    target = tmp_path / "results.json"
    results, printed = _run("--workload", "nested", "--compare", "json", "--only", "encode,page100",
                            "--json", str(target))

    machine = results["machine"]
    for key in ("cpu", "cores", "python", "slotjson", "competitors", "slotjson_features"):
        assert key in machine
    assert set(machine["competitors"]) == {"json"}
    assert results["config"]["workloads"] == ["nested"]
    assert [w["name"] for w in results["workloads"]] == ["nested"]
    assert results["workloads"][0]["items"] == 30
    assert results["workloads"][0]["verification"]["json"]["ok"] is True

    rows = results["rows"]
    assert {(r["operation"], r["library"]) for r in rows} >= {("encode", "json"), ("page100", "json")}
    for row in rows:
        assert row["workload"] == "nested"
        assert len(row["samples_ns"]) == 2  # --repeat is exact
        assert 0 < row["min_ns"] <= row["median_ns"]
        assert row["bytes"] > 0 and row["mb_per_s"] > 0
        assert row["call"]
    if _slotjson_verified(results, "nested"):
        base = next(r for r in rows if r["operation"] == "encode" and r["library"] == "slotjson")
        assert base["baseline"] and base["ratio"] == pytest.approx(1.0)
        stdlib = next(r for r in rows if r["operation"] == "encode" and r["library"] == "json")
        assert stdlib["ratio"] == pytest.approx(stdlib["min_ns"] / base["min_ns"])

    # The machine description comes first, the table after it.
    assert printed.index("CPU:") < printed.index("== nested")
    assert "vs baseline (min)" in printed
    assert json.loads(target.read_text()) == json.loads(json.dumps(results))
    assert gc.isenabled()  # timing loops switch it off; it must come back


def test_wrong_competitor_is_refused_and_right_one_reported():
    extra = [
        Competitor("off-by-one", "0", "off_by_one({items})", _off_by_one_encoders),
        Competitor("raiser", "0", "raiser({items})", _raising_encoders),
        Competitor("honest", "0", "honest({items})", _stdlib_encoders),
    ]
    results, printed = _run("--workload", "flat", "--compare", "json", "--only", "encode", extra=extra)

    verdicts = results["workloads"][0]["verification"]
    assert verdicts["off-by-one"]["ok"] is False
    assert "$[0].id: expected 0, got 1" in verdicts["off-by-one"]["detail"]
    assert verdicts["raiser"]["ok"] is False
    assert "OverflowError" in verdicts["raiser"]["detail"]
    assert verdicts["honest"]["ok"] is True

    libraries = {r["library"] for r in results["rows"]}
    assert "off-by-one" not in libraries and "raiser" not in libraries
    assert "honest" in libraries
    assert "not reported: " in printed and "off-by-one" in printed


def test_competitor_refusing_big_ints_is_timed_on_the_64_bit_variant():
    pytest.importorskip("orjson")
    results, printed = _run("--workload", "numeric", "--compare", "orjson", "--only", "encode")

    names = [w["name"] for w in results["workloads"]]
    assert names == ["numeric", "numeric-int64"]
    assert results["workloads"][0]["verification"]["orjson"]["ok"] is False
    assert results["workloads"][1]["verification"]["orjson"]["ok"] is True
    assert {(r["workload"], r["library"]) for r in results["rows"] if r["library"] == "orjson"} == {
        ("numeric-int64", "orjson")
    }
    assert "timed on numeric-int64 instead" in printed


@pytest.mark.parametrize("name", workloads.NAMES)
def test_workloads_are_deterministic_for_a_seed(name):
    first = workloads.build(name, 40, seed=11)
    again = workloads.build(name, 40, seed=11)
    other = workloads.build(name, 40, seed=12)
    assert len(first.items) == 40
    assert all(type(item) is first.model for item in first.items)
    assert slotjson.to_builtins(first.items) == slotjson.to_builtins(again.items)
    assert slotjson.to_builtins(first.items) != slotjson.to_builtins(other.items)


def test_workload_data_covers_what_the_issue_asks_for():
    nested = slotjson.to_builtins(workloads.build("nested", 200).items)
    text = json.dumps(nested, ensure_ascii=False)
    assert any(ord(c) > 0xFFFF for c in text) and any(0x4E00 <= ord(c) <= 0x9FFF for c in text)
    assert any(pr["merged_at"] is None for pr in nested) and any(pr["merged_at"] for pr in nested)
    assert any(pr["created_at"].endswith("+00:00") for pr in nested)
    assert all("+" not in pr["updated_at"] for pr in nested)  # naive datetimes stay naive
    assert any('"' in pr["body"] and "\n" in pr["body"] for pr in nested)

    numeric = workloads.build("numeric", 200)
    assert any(abs(m.big) >= 2**64 for m in numeric.items)
    assert all(-(2**63) <= m.big < 2**63 for m in numeric.fallback.items)


def test_verify_normalises_only_documented_spelling_differences():
    same = verify.first_difference
    assert same({"t": "2024-01-02T03:04:05.120000+00:00"}, {"t": "2024-01-02T03:04:05.12Z"}) is None
    assert same(["2024-01-02T03:04:05"], ["2024-01-02T03:04:05.000"]) is None
    # A naive datetime is not an aware one, and a shifted zone is not the same spelling.
    assert same(["2024-01-02T03:04:05"], ["2024-01-02T03:04:05Z"]) is not None
    assert same(["2024-01-02T03:04:05+00:00"], ["2024-01-02T04:04:05+01:00"]) is not None
    assert same([1.0], [1]) is not None
    assert same([-0.0], [0.0]) is not None
    assert same([True], [1]) is not None
    assert same({"a": 1}, {"a": 1, "b": None}) is not None
    assert verify.check([1], "[1]") == "returned str, not bytes"
    assert verify.check([1.0], b"[NaN]") is not None


def test_bad_options_are_rejected():
    with pytest.raises(SystemExit):
        run(["--only", "encode,nonsense"], out=io.StringIO())
    with pytest.raises(SystemExit):
        run(["--compare", "simplejson"], out=io.StringIO())
