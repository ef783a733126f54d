"""Python code called during an encode (default= hooks, tzinfo.utcoffset,
__eq__ for omit-if-default) may change or free the very objects being
walked. The encoder must never crash: it pins what it is inside of and
re-reads containers afterwards, so the result is valid JSON or an
EncodeError. Each test runs with a default call and with release_gil=True
(where the walk that runs these callbacks is followed by a render without
the GIL)."""

import functools
import gc
import json
from datetime import datetime, timedelta, tzinfo
from typing import Any

import pytest
import slotjson

pytestmark = pytest.mark.usefixtures("path_mode")


@pytest.fixture(params=[False, True], ids=["default", "release_gil"])
def dumps(request):
    return functools.partial(slotjson.dumps, release_gil=request.param)


class Opaque:
    pass


@slotjson.model
class Box:
    first: Any
    second: Any
    third: Any


def assert_valid_or_error(call):
    try:
        out = call()
    except slotjson.EncodeError:
        return None
    json.loads(out)
    return out


def test_hook_clears_the_list_being_written(dumps):
    for _ in range(6):
        items = [Opaque(), "x" * 50, [1, 2, 3], Opaque(), {"k": "v" * 30}]

        def hook(o):
            items.clear()
            gc.collect()
            return "replaced"

        out = assert_valid_or_error(lambda: dumps(items, default=hook))
        assert out is not None and out.startswith(b'["replaced"')


def test_hook_rebinds_slots_of_the_model_being_written(dumps):
    for _ in range(6):
        box = Box(Opaque(), ["a" * 40, {"n": 1.5}], "tail" * 10)

        def hook(o):
            object.__setattr__(box, "second", None)
            object.__delattr__(box, "third")
            gc.collect()
            return 1

        out = assert_valid_or_error(lambda: dumps([box, box], default=hook))
        assert out is None  # `third` was deleted before it was read


def test_hook_mutates_a_dict_being_written(dumps):
    for _ in range(6):
        d = {"a": Opaque(), "b": "y" * 40, "c": [1, 2]}

        def hook(o):
            d.clear()
            d.update({str(i): i for i in range(50)})
            gc.collect()
            return 0

        assert_valid_or_error(lambda: dumps(d, default=hook))


class ClearingZone(tzinfo):
    def __init__(self, victim):
        self.victim = victim

    def utcoffset(self, dt):
        self.victim.clear()
        gc.collect()
        return timedelta(hours=1)

    def dst(self, dt):
        return None


def test_utcoffset_clears_the_list_being_written(dumps):
    for _ in range(6):
        items = []
        zone = ClearingZone(items)
        items.extend([datetime(2024, 1, 1, tzinfo=zone), "z" * 40, datetime(2024, 1, 2, tzinfo=zone)])
        out = assert_valid_or_error(lambda: dumps(items))
        assert out == b'["2024-01-01T00:00:00+01:00"]'


class Sneaky:
    """Compares equal to anything, and empties its victim while doing so."""

    victim: list = []

    def __eq__(self, other):
        Sneaky.victim.clear()
        gc.collect()
        return False

    __hash__ = None


@slotjson.model
class WithDefault:
    value: Any = slotjson.field(default_factory=Sneaky, omit_if="default")


def test_eq_for_omit_default_clears_the_list_being_written(dumps):
    for _ in range(6):
        items = [WithDefault(Opaque()), WithDefault(3), "w" * 40]
        Sneaky.victim = items
        assert_valid_or_error(lambda: dumps(items, default=lambda o: "o"))


@pytest.mark.parametrize("release", [False, True])
def test_hook_mutates_a_list_written_by_workers(release):
    # The hook runs on the calling thread while other chunks of the list
    # are written by workers: it only runs once they have all stopped.
    for _ in range(5):
        items = [{"n": i, "text": "é" * 30, "when": datetime(2024, 1, 1)} for i in range(20_000)]
        items[7000] = Opaque()
        items[15000] = Opaque()

        def hook(o):
            del items[100:]
            for d in items:
                d.clear()
            gc.collect()
            return "hooked"

        out = assert_valid_or_error(lambda: slotjson.dumps(items, threads=2, default=hook, release_gil=release))
        assert out is not None and b'"hooked"' in out
