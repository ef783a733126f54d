"""The raw-memory fast path and the C-API fallback produce identical bytes.

The fallback is what slotjson uses when it cannot trust an object's layout, so
it must be a drop-in replacement: same output, same errors, switchable at run
time in both directions.
"""

import dataclasses
import os
import subprocess
import sys
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Optional, Union
from zoneinfo import ZoneInfo

import pytest
import slotjson
from conftest import assert_oracle, capture_error

native = slotjson._native


class Kind(Enum):
    A = "a"
    B = 2


@slotjson.model
class Label:
    name: str
    color: str


@slotjson.model
class Base:
    id: int
    created: datetime


@slotjson.model(rename="camel", omit_none=True)
class Item(Base):
    title: str
    score: float
    tags: list[str]
    labels: tuple[Label, ...]
    kind: Kind
    ref: uuid.UUID
    price: Decimal
    due: Optional[date]
    at: time
    took: timedelta
    counts: dict[int, int]
    either: Union[Label, int, str]
    extra: Any = None
    parent_item: Optional["Item"] = None


@dataclasses.dataclass
class PlainRow:
    key: str
    values: list[float]


@dataclasses.dataclass(slots=True)
class SlottedRow:
    key: str
    row: PlainRow


def mixed_workload(n=3_000):
    """Models of every shape, plain dataclasses and builtins, interleaved."""
    tzs = [None, timezone.utc, timezone(timedelta(hours=-7)), ZoneInfo("Europe/Paris")]
    out = []
    for i in range(n):
        item = Item(
            id=i * 7919 - 10**6,
            created=datetime(2000 + i % 30, 1 + i % 12, 1 + i % 28, i % 24, i % 60, i % 60, (i * 37) % 10**6,
                             tzinfo=tzs[i % 4]),
            title=["plain", "café", "日本語", "😀 emoji", 'quote " and \\ and \n'][i % 5] * (1 + i % 7),
            score=[0.1, -0.0, 1e16, 1e-5, 2.5, 1 / 3, i][i % 7],
            tags=[str(j) for j in range(i % 4)],
            labels=tuple(Label(f"l{j}", "c" * (j + i % 3)) for j in range(i % 3)),
            kind=Kind.A if i % 2 else Kind.B,
            ref=uuid.UUID(int=i * 2**64 + i),
            price=Decimal(i) / 8,
            due=None if i % 3 else date(2020, 1 + i % 12, 1),
            at=time(i % 24, i % 60, 0, i % 1000),
            took=timedelta(seconds=i * 1.25 - 1000),
            counts={j: j * i for j in range(i % 3)},
            either=[Label("e", "f"), i, str(i)][i % 3],
            extra=[None, {"k": [1, 2.5, "x"]}, PlainRow("p", [0.5]), 2**70][i % 4],
        )
        if i % 10 == 0 and out:
            item.parent_item = out[-1] if isinstance(out[-1], Item) else None
        out.append(item)
        if i % 5 == 0:
            out.append(SlottedRow(f"s{i}", PlainRow(f"p{i}", [i / 3, -i])))
        if i % 7 == 0:
            out.append({"n": i, "list": [True, None, i * 1.5], "nested": {"deep": [[i]]}})
    return out


OPTION_SETS = [
    {},
    {"utc_z": True, "omit_microseconds": True},
    {"ascii": True, "timedelta": "seconds"},
]


@pytest.fixture
def restore_raw_path():
    previous = native.raw_path_enabled()
    yield
    native._set_raw_path(previous)


def test_raw_path_enabled_by_default_in_fresh_process():
    # Checked in a new interpreter so no test's toggling can influence it.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run(
        [sys.executable, "-c", "import slotjson; print(slotjson._native.raw_path_enabled())"],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )
    assert out.stdout.strip() == "True"


def test_raw_path_enabled_now():
    # The path_mode fixture restores the switch, so it is still at its default here.
    assert native.raw_path_enabled() is True


@pytest.mark.parametrize("opts", OPTION_SETS, ids=["default", "z-nomicro", "ascii-seconds"])
def test_identical_bytes_on_mixed_workload(restore_raw_path, opts):
    workload = mixed_workload()
    native._set_raw_path(True)
    assert native.raw_path_enabled()
    raw = slotjson.dumps(workload, **opts)
    native._set_raw_path(False)
    assert not native.raw_path_enabled()
    fallback = slotjson.dumps(workload, **opts)
    assert raw == fallback
    assert len(raw) > 500_000  # the workload really is large
    # ...and both agree with the reference.
    assert assert_oracle(workload, **opts) == raw


def test_identical_errors(restore_raw_path):
    workload = mixed_workload(300)
    idx = next(i for i, x in enumerate(workload) if i > 200 and isinstance(x, Item) and len(x.labels) == 2)
    workload[idx].labels = (workload[idx].labels[0], Label("ok", 5))
    unset_idx = next(i for i, x in enumerate(workload) if i > idx and isinstance(x, Item))
    errors = {}
    for enabled in (True, False):
        native._set_raw_path(enabled)
        e = capture_error(slotjson.dumps, workload)
        errors[enabled] = (str(e), e.path)
    assert errors[True] == errors[False]
    assert errors[True][1] == (idx, "labels", 1, "color")

    workload[idx].labels = ()
    del workload[unset_idx].title  # an empty slot is read differently by each path
    messages = set()
    for enabled in (True, False):
        native._set_raw_path(enabled)
        messages.add(str(capture_error(slotjson.dumps, workload)))
    assert len(messages) == 1
    assert "attribute 'title' is not set" in messages.pop()


def test_re_enabling(restore_raw_path):
    workload = mixed_workload(500)
    native._set_raw_path(True)
    first = slotjson.dumps(workload)
    for enabled in (False, True, False, False, True, True):
        native._set_raw_path(enabled)
        assert native.raw_path_enabled() is enabled
        assert slotjson.dumps(workload) == first
    assert native.raw_path_enabled() is True
