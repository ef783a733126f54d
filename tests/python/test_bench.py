"""The benchmark harness (``python -m slotjson.bench``) on tiny workloads.

Only the stdlib competitor is used unless a test says otherwise, so these run
without orjson & co. The harness must work whether or not the native encoder
handles a workload (it then times the competitors against the pure-Python
reference and says so), so assertions about slotjson's own rows are made
only when slotjson passed verification.
"""

from __future__ import annotations

import dataclasses
import datetime
import gc
import io
import json

import pytest
import slotjson
from slotjson.bench import Competitor, Encoders, memory, options, run, verify, workloads
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


def test_memory_is_opt_in():
    assert "memory" in options.OPERATIONS
    assert "memory" not in options.parse([]).only
    assert options.parse(["--only", "memory"]).only == ("memory",)
    assert "memory" in options.parser().format_help()


@pytest.mark.skipif(memory.unavailable_reason() is not None, reason="peak RSS cannot be reset here")
def test_memory_measures_each_call_in_a_child(tmp_path):
    # Large enough that the output is mmapped memory, not pages the
    # allocator already had: a call must then show at least the bytes it
    # returned.
    target = tmp_path / "results.json"
    results, printed = _run("--workload", "flat", "--items", "3000", "--compare", "json",
                            "--only", "memory", "--json", str(target))
    assert results["rows"] == []  # nothing timed
    size = results["workloads"][0]["json_bytes"]
    assert size > 300_000
    rows = {r["library"]: r for r in results["memory"]}
    expected = {"json"} | ({"slotjson", "slotjson threads=1"} if _slotjson_verified(results, "flat") else set())
    assert set(rows) == expected
    for row in rows.values():
        assert row["workload"] == "flat"
        assert len(row["samples_bytes"]) == memory.SAMPLES
        assert row["peak_extra_bytes"] == max(row["samples_bytes"])
        assert row["peak_extra_min_bytes"] == min(row["samples_bytes"])
        assert row["x_output"] == pytest.approx(row["peak_extra_bytes"] / row["output_bytes"])
        assert row["peak_extra_bytes"] >= 0.9 * row["output_bytes"]
        assert row["rss_before_bytes"] > 0 and row["call"]
    # The stdlib builds a dict per item and a str before its bytes.
    assert rows["json"]["peak_extra_bytes"] > 2 * rows["json"]["output_bytes"]
    if "slotjson" in rows:
        assert rows["slotjson threads=1"]["output_bytes"] == size
        # Issue #5: the serial path writes into the bytes it returns.
        assert rows["slotjson threads=1"]["x_output"] <= 1.5
    assert "peak extra (max)" in printed and "memory / slotjson threads=1" in printed
    assert json.loads(target.read_text())["memory"] == results["memory"]


def test_memory_is_skipped_with_a_note_where_it_cannot_be_measured(monkeypatch):
    monkeypatch.setattr(memory, "unavailable_reason", lambda: "no /proc/self/clear_refs in this test")
    results, printed = _run("--workload", "flat", "--compare", "json", "--only", "encode,memory")
    assert results["memory"] == []
    assert "memory: skipped, no /proc/self/clear_refs in this test" in printed
    assert {r["operation"] for r in results["rows"]} == {"encode"}


@pytest.mark.skipif(memory.unavailable_reason() is not None, reason="peak RSS cannot be reset here")
def test_memory_child_rebuilds_the_fallback_workload():
    got = memory.measure_in_child({"workload": "numeric-int64", "items": 50, "seed": 3, "library": "slotjson",
                                   "threads": 1})
    want = workloads.build("numeric", 50, seed=3).fallback.items
    assert got["output_bytes"] == len(slotjson.dumps(want))
    assert len(got["peak_extra_bytes"]) == memory.SAMPLES
    assert memory.measure_in_child({"workload": "nope", "items": 5, "seed": 1, "library": "slotjson"})["error"]


def test_calls_measured_together_take_turns_in_shuffled_orders():
    from slotjson.bench.timing import WARMUP_NS, measure_together

    log: list[str] = []
    calls = [(lambda name=name: log.append(name), WARMUP_NS) for name in "abcd"]
    timings = measure_together(calls, repeat=12, budget_s=0)
    assert [len(t.per_call_ns) for t in timings] == [12] * 4
    assert all(t.number == 1 for t in timings)
    rounds = [log[i : i + 4] for i in range(0, len(log), 4)]
    assert len(rounds) == 12
    # Every round times each call once, and the order changes between rounds.
    assert all(sorted(r) == list("abcd") for r in rounds)
    assert len({tuple(r) for r in rounds}) > 3
    # No call always follows the same one.
    followers = {name: {r[r.index(name) - 1] for r in rounds if r.index(name) > 0} for name in "abcd"}
    assert all(len(f) > 1 for f in followers.values())


def test_a_call_that_raises_while_timed_drops_out_and_the_others_go_on():
    from slotjson.bench.timing import WARMUP_NS, Timing, measure_together

    calls_made = {"bad": 0}

    def bad():
        calls_made["bad"] += 1
        if calls_made["bad"] == 3:
            raise OverflowError("third call fails")

    results = measure_together([(bad, WARMUP_NS), (lambda: None, WARMUP_NS)], repeat=5, budget_s=0)
    assert isinstance(results[0], OverflowError)
    assert calls_made["bad"] == 3
    assert isinstance(results[1], Timing) and len(results[1].per_call_ns) == 5


def test_rows_of_one_operation_are_timed_together_and_kept_in_order():
    results, text = _run("--workload", "flat", "--only", "indexed,threads", "--threads", "1,2",
                         "--compare", "json")
    rows = [(r["operation"], r["library"]) for r in results["rows"]]
    if _slotjson_verified(results, "flat"):
        assert rows[:2] == [("indexed", "slotjson"), ("indexed", "slotjson dumps")]
        assert ("threads", "slotjson threads=1") in rows and ("threads", "slotjson threads=2") in rows
        # The stdlib builds dicts in Python first: left out of the threads table.
        assert ("threads", "json") not in rows
    assert "slotjson.dumps(items)  (no index)" in text


def test_models_operation_times_each_system_on_the_same_data():
    for package in ("attrs", "msgspec", "pydantic"):
        pytest.importorskip(package)
    results, printed = _run("--workload", "nested", "--compare", "pydantic", "--only", "models")
    libraries = [r["library"] for r in results["rows"] if r["operation"] == "models"]
    assert libraries == ["slotjson dataclass", "slotjson attrs @define", "slotjson msgspec.Struct",
                         "msgspec.Struct msgspec", "slotjson pydantic", "pydantic dump_json"]
    assert "models" in printed


def test_pydantic_workload_is_the_nested_shape_as_models():
    pytest.importorskip("pydantic")
    from slotjson.bench import systems

    workload = workloads.build("pydantic", 30)
    assert type(workload.items[0]).__mro__[1].__name__ == "BaseModel"
    nested = workloads.build("nested", 30)
    for system in systems.SYSTEMS:
        assert slotjson.dumps(systems.convert(nested.items, system)) == slotjson.dumps(nested.items)


def test_api_workload_has_the_shape_of_a_real_api_response():
    api = workloads.build("api", 300)
    fields = dataclasses.fields(api.model)
    assert len(fields) == 27
    optional_datetimes = [f for f in fields if f.type == (datetime.datetime | None)]
    assert len(optional_datetimes) == 9
    rows = slotjson.to_builtins(api.items)
    stamps = [row[f.name] for row in rows for f in optional_datetimes]
    assert None in stamps
    aware = [s for s in stamps if s is not None]
    assert all(s[-6] in "+-" for s in aware)  # every one carries an offset
    assert sum("." in s for s in aware) > 0.9 * len(aware)  # microseconds nearly always
    titles = "".join(row["title"] for row in rows)
    for wanted in ('"', "\\", "\t", "\n"):
        assert wanted in titles
    assert any(ord(c) > 0xFFFF for c in titles) and any(0x80 <= ord(c) <= 0xFF for c in titles)
    assert any(row["labels"] is None for row in rows) and any(row["labels"] for row in rows)
    assert any(row["file_churn"] for row in rows)


def test_builtins_workload_is_the_api_rows_as_plain_data():
    data = workloads.build("builtins", 50)
    assert all(type(item) is dict for item in data.items)
    assert json.loads(json.dumps(data.items)) == data.items  # nothing but JSON types
    assert len(data.items[0]) == 27


def test_an_encoder_that_refuses_models_is_timed_on_the_same_data_as_dicts():
    def refuses_models(model: type) -> Encoders:
        def encode(value):
            if dataclasses.is_dataclass(value) or (isinstance(value, list) and value
                                                   and dataclasses.is_dataclass(value[0])):
                raise TypeError("dicts only")
            return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

        return Encoders(many=encode, one=encode)

    dicts_only = Competitor("dicts-only", "0", "dumps({items})", refuses_models, builtins_only=True)
    results, printed = _run("--workload", "flat", "--only", "encode,page100", "--compare", "json",
                            extra=[dicts_only])
    assert results["workloads"][0]["verification"]["dicts-only"]["ok"] is True
    rows = [r for r in results["rows"] if r["library"] == "dicts-only"]
    assert {r["operation"] for r in rows} == {"encode", "page100"}
    assert "dumps(dicts)  (dicts = items as ready dicts and lists)" in printed


def test_allocator_policies_pin_glibc_or_say_why_not():
    from slotjson.bench import allocator

    with pytest.raises(ValueError, match="unknown allocator policy"):
        allocator.pin("sometimes")
    assert allocator.pin("adaptive") is None
    note = allocator.pin("steady")
    assert note is None or "mallopt" in note
    results, _ = _run("--workload", "flat", "--only", "encode", "--compare", "json", "--malloc", "fresh")
    assert results["config"]["malloc"] == "fresh"
    allocator.pin("steady")


def test_page100_times_a_plain_copy_of_the_pages_bytes_next_to_doc_page():
    results, printed = _run("--workload", "flat", "--only", "page100", "--compare", "json")
    libraries = [r["library"] for r in results["rows"] if r["operation"] == "page100"]
    if "slotjson" in libraries:  # the copy needs dumps_indexed, like doc.page
        assert libraries[:2] == ["slotjson", "slotjson copy"]
        assert "not reported" not in printed
