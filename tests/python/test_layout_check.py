"""The import-time layout self-check decides each raw reader on its own.

A mismatch in one type's layout (3.14 added ``ob_hash`` to tuples, for
instance) must switch off that type's reader and the readers that rely on
it, never the others, and the bytes must not change. The mismatch is forced
with ``SLOTJSON_SELFCHECK_POISON``, which makes the named readers' checks
fail in a fresh interpreter.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import slotjson

native = slotjson._native

READERS = {
    "str", "int", "float", "list", "tuple", "dict", "datetime", "date", "time",
    "timedelta", "timezone", "slots", "uuid",
}
HERE = Path(__file__).resolve().parent

# Runs in a fresh interpreter: the report, whether everything is raw, and a
# digest of dumps() of test_fallback's mixed workload (every reader in use).
PROBE = """
import hashlib, json, sys
sys.path.insert(0, sys.argv[1])
import slotjson
from test_fallback import mixed_workload
out = slotjson.dumps(mixed_workload(1500))
print(json.dumps({
    "report": slotjson._native.layout_report(),
    "all_raw": slotjson._native.raw_path_enabled(),
    "on_again": slotjson._native._set_raw_path(True),
    "digest": hashlib.sha256(out).hexdigest(),
    "size": len(out),
}))
"""


def probe(poison=None):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    env.pop("SLOTJSON_NO_RAW", None)
    env.pop("SLOTJSON_SELFCHECK_POISON", None)
    if poison is not None:
        env["SLOTJSON_SELFCHECK_POISON"] = poison
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(HERE)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    import json

    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def clean():
    return probe()


def test_every_reader_raw_on_this_interpreter():
    report = native.layout_report()
    assert set(report) == READERS | {"bytes_builder"}
    not_raw = {name: r["reason"] for name, r in report.items() if not r["raw"]}
    assert not_raw == {}, f"CPython {sys.version.split()[0]}: {not_raw}"
    assert all(r["reason"] == "ok" for r in report.values())
    assert native.raw_path_enabled() is True


def test_fresh_interpreter_every_reader_raw(clean):
    assert clean["all_raw"] is True
    assert {n: r["raw"] for n, r in clean["report"].items()} == dict.fromkeys(READERS | {"bytes_builder"}, True)


def test_switching_off_reports_every_reader_off():
    try:
        assert native._set_raw_path(False) is False
        report = native.layout_report()
        assert not any(report[n]["raw"] for n in READERS)
        assert all("switched off" in report[n]["reason"] for n in READERS)
    finally:
        assert native._set_raw_path(True) is True
    assert all(r["raw"] for r in native.layout_report().values())


@pytest.mark.parametrize("reader", ["tuple", "str", "list", "slots", "datetime", "int"])
def test_one_mismatch_leaves_the_others_raw(clean, reader):
    got = probe(reader)
    report = got["report"]
    assert report[reader]["raw"] is False
    assert "SLOTJSON_SELFCHECK_POISON" in report[reader]["reason"]
    # What relies on the failed reader goes off with it; nothing else does.
    relying = {"int": {"uuid"}, "slots": {"uuid"}}.get(reader, set())
    for name in relying:
        assert report[name]["raw"] is False
        assert report[name]["reason"] == f"relies on the {reader} reader"
    still_raw = {n for n, r in report.items() if r["raw"]}
    assert still_raw == (READERS | {"bytes_builder"}) - {reader} - relying
    # Not every reader is raw, so the whole is reported off and cannot be
    # switched on; the failed reader stays off.
    assert got["all_raw"] is False
    assert got["on_again"] is False
    # The bytes do not change.
    assert (got["digest"], got["size"]) == (clean["digest"], clean["size"])


def test_dependent_reader_goes_off_with_its_dependency(clean):
    got = probe("timedelta")
    report = got["report"]
    assert report["timedelta"]["raw"] is False
    assert report["timezone"] == {"raw": False, "reason": "relies on the timedelta reader"}
    assert report["datetime"]["raw"] is True
    assert got["digest"] == clean["digest"]


def test_every_reader_poisoned_matches_the_fallback(clean):
    got = probe(",".join(sorted(READERS)))
    assert not any(got["report"][n]["raw"] for n in READERS)
    assert got["digest"] == clean["digest"]


def test_unknown_reader_name_is_refused():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p), SLOTJSON_SELFCHECK_POISON="tupel")
    done = subprocess.run(
        [sys.executable, "-c", "import slotjson"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode != 0
    assert 'SLOTJSON_SELFCHECK_POISON: no reader named "tupel"' in done.stderr


def test_digest_is_of_real_output(clean):
    # Guards the probe itself: a large output, and the same bytes as here.
    sys.path.insert(0, str(HERE))
    from test_fallback import mixed_workload

    out = slotjson.dumps(mixed_workload(1500))
    assert len(out) > 200_000
    assert hashlib.sha256(out).hexdigest() == clean["digest"]
