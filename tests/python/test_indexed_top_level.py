"""dumps_indexed takes exactly the top-level values dumps writes as a JSON
array of items (list, tuple and their subclasses): for those
bytes(dumps_indexed(x)) == dumps(x); for anything dumps refuses, both raise
the same exception with the same message; anything dumps writes as another
JSON value raises TypeError (a document is an array of items)."""

from __future__ import annotations

import collections
import dataclasses
import enum

import pytest

import slotjson


@slotjson.model
class Point:
    x: int
    y: int


@dataclasses.dataclass
class Plain:
    a: int


class Items(list):
    pass


class Row(tuple):
    pass


Pair = collections.namedtuple("Pair", "a b")


class Color(enum.Enum):
    RED = [1, 2]


ARRAYS = {
    "list": lambda: [Point(1, 2), 3, "x"],
    "tuple": lambda: (Point(1, 2), None),
    "empty list": lambda: [],
    "empty tuple": lambda: (),
    "list subclass": lambda: Items([Point(3, 4), [1]]),
    "tuple subclass": lambda: Row((1, 2.5)),
    "namedtuple": lambda: Pair(Point(5, 6), "b"),
    "large list": lambda: [Point(i, -i) for i in range(5000)],
}


@pytest.mark.parametrize("name", ARRAYS)
@pytest.mark.parametrize("threads", [1, 2])
def test_arrays_are_indexed_as_dumps_writes_them(name, threads):
    value = ARRAYS[name]()
    doc = slotjson.dumps_indexed(value, threads=threads)
    assert bytes(doc) == slotjson.dumps(value, threads=threads)
    assert len(doc) == len(value)
    for i in (0, len(value) - 1) if len(value) else ():
        assert doc[i] == slotjson.dumps(value[i])


def _generator():
    return (Point(i, i) for i in range(3))


def _ndarray():
    np = pytest.importorskip("numpy")
    return np.arange(4)


REFUSED = {
    "set": lambda: {1, 2, 3},
    "frozenset": lambda: frozenset({1}),
    "generator": _generator,
    "range": lambda: range(3),
    "map": lambda: map(str, range(3)),
    "iterator": lambda: iter([1, 2]),
    "dict keys": lambda: {"a": 1}.keys(),
    "deque": lambda: collections.deque([1, 2]),
    "bytes": lambda: b"abc",
    "bytearray": lambda: bytearray(b"abc"),
    "object": object,
    "ndarray": _ndarray,
}


@pytest.mark.parametrize("name", REFUSED)
def test_what_dumps_refuses_dumps_indexed_refuses_alike(name):
    with pytest.raises(Exception) as by_dumps:
        slotjson.dumps(REFUSED[name]())
    with pytest.raises(Exception) as by_indexed:
        slotjson.dumps_indexed(REFUSED[name]())
    assert type(by_indexed.value) is type(by_dumps.value)
    assert str(by_indexed.value) == str(by_dumps.value)
    assert isinstance(by_indexed.value, slotjson.EncodeError)


def test_a_generator_is_not_consumed():
    gen = _generator()
    with pytest.raises(slotjson.EncodeError, match="unsupported type generator"):
        slotjson.dumps_indexed(gen)
    assert len(list(gen)) == 3


@pytest.mark.parametrize(
    "value, written_as",
    [
        ({"a": 1}, "dict as a JSON object"),
        (Point(1, 2), "Point as a JSON object"),
        (Plain(1), "Plain as a JSON object"),
        ("text", "str as a JSON string"),
        (5, "int as a single JSON value"),
        (2.5, "float as a single JSON value"),
        (None, "NoneType as a single JSON value"),
        (True, "bool as a single JSON value"),
    ],
    ids=["dict", "model", "dataclass", "str", "int", "float", "None", "bool"],
)
def test_other_json_values_are_a_type_error(value, written_as):
    slotjson.dumps(value)  # dumps writes it
    with pytest.raises(TypeError, match=f"dumps writes {written_as}, which has no items to index"):
        slotjson.dumps_indexed(value)


def test_an_enum_whose_value_is_a_list_is_not_indexed():
    assert slotjson.dumps(Color.RED) == b"[1,2]"
    with pytest.raises(TypeError, match="only through default="):
        slotjson.dumps_indexed(Color.RED)


def test_default_hook_does_not_apply_to_the_top_level_value():
    assert slotjson.dumps({3, 1}, default=sorted) == b"[1,3]"
    with pytest.raises(TypeError, match="set becomes a JSON array only through default="):
        slotjson.dumps_indexed({3, 1}, default=sorted)
    # Inside the items it applies as in dumps.
    doc = slotjson.dumps_indexed([{3, 1}], default=sorted)
    assert bytes(doc) == slotjson.dumps([{3, 1}], default=sorted) == b"[[1,3]]"


def test_a_dict_with_a_bad_value_raises_what_dumps_raises():
    bad = {"a": object()}
    with pytest.raises(slotjson.EncodeError) as by_dumps:
        slotjson.dumps(bad)
    with pytest.raises(slotjson.EncodeError) as by_indexed:
        slotjson.dumps_indexed(bad)
    assert str(by_indexed.value) == str(by_dumps.value)
