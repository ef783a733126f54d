"""Every bad input raises EncodeError with the right path and detail.

Each case runs in both path modes and checks that dumps() and to_builtins()
raise the same message and path (assert_same_error).  Messages are matched on
their stable parts: the path prefix and the documented key phrase.
"""

import dataclasses
import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any, Optional, Union

import pytest
import slotjson
from conftest import assert_oracle, assert_same_error, capture_error

pytestmark = pytest.mark.usefixtures("path_mode")


@slotjson.model
class Label:
    name: str
    color: str


@slotjson.model(rename="camel", omit_none=True)
class PullRequest:
    repo_name: str
    number: int
    created_at: datetime
    merged_at: Optional[datetime]
    labels: list[Label]


@slotjson.model
class Cat:
    name: str


@slotjson.model
class Counts:
    n: int
    ns: list[int]


@slotjson.model
class Tags:
    as_list: list[str]
    as_tuple: tuple[str, ...]
    as_seq: Sequence[str]


@slotjson.model
class Keyed:
    by: dict[str, int]


@slotjson.model
class Holder:
    label: Label


class Color(Enum):
    RED = "red"


@slotjson.model
class Painted:
    color: Color


@slotjson.model
class Dated:
    d: date


class FloatKey(Enum):
    X = 1.5


@slotjson.model
class IntOrStr:
    v: Union[int, str]


@slotjson.model
class Pair:
    p: tuple[int, str]


@slotjson.model
class Measures:
    f: float


@slotjson.model
class Box:
    content: Any = None


@slotjson.model
class Node:
    value: int
    children: list["Node"] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class PlainDC:
    a: int


class Foo:
    """A type slotjson knows nothing about."""


def pr(number, bad_label=None):
    labels = [Label("a", "red"), Label("b", "green"), Label("c", "blue")]
    if bad_label is not None:
        labels[2] = bad_label
    return PullRequest("repo", number, datetime(2024, 1, 1, tzinfo=timezone.utc), None, labels)


def nested_lists(n):
    v = 1
    for _ in range(n):
        v = [v]
    return v


def nested_dicts(n):
    v = 1
    for _ in range(n):
        v = {"k": v}
    return v


def chain(n):
    root = node = Node(0)
    for i in range(1, n):
        node.children.append(Node(i))
        node = node.children[0]
    return root


def self_list():
    a = []
    a.append(a)
    return a


def self_dict():
    d = {}
    d["self"] = d
    return d


def self_box():
    b = Box()
    b.content = b
    return b


def node_cycle():
    n1, n2 = Node(1), Node(2)
    n1.children.append(n2)
    n2.children.append(n1)
    return n1


def unset_first_field():
    return object.__new__(Label)  # no __init__: both slots empty


def deleted_field_in_list():
    partial = Label("x", "y")
    del partial.color
    return [Label("ok", "ok"), partial]


def plain_deleted():
    p = PlainDC(1)
    del p.a
    return p


NAN_DETAIL = r'float nan is not allowed in JSON \(use nan="null"\)$'

# (id, value factory, options, regex searched in str(error), expected .path or None when not pinned)
CASES = [
    # --- the documented examples, whole message
    ("model-argument", lambda: pr(1, Label(5, "x")), {},
     r"^PullRequest\.labels\[2\]\.name: expected str, got int$", ("labels", 2, "name")),
    ("list-argument", lambda: [pr(i) for i in range(5)] + [pr(5, Label(5, "x"))], {},
     r"^\[5\]\.labels\[2\]\.name: expected str, got int$", (5, "labels", 2, "name")),
    ("tuple-argument", lambda: (pr(0), pr(1, Label("n", 7))), {},
     r"^\[1\]\.labels\[2\]\.color: expected str, got int$", (1, "labels", 2, "color")),
    # --- dict keys render as [repr(key)]
    ("dict-key-path", lambda: {"a": {"b c": [1, Label(1, "x")]}}, {},
     r"^\['a'\]\['b c'\]\[1\]\.name: expected str, got int$", ("a", "b c", 1, "name")),
    ("int-dict-key", lambda: {3: [math.nan]}, {}, r"^\[3\]\[0\]: " + NAN_DETAIL, (3, 0)),
    ("model-dict-field", lambda: Keyed({"ok": 1, "k": "v"}), {},
     r"^Keyed\.by\['k'\]: expected int, got str$", ("by", "k")),
    # --- type mismatches
    ("bool-is-not-int", lambda: Counts(True, []), {}, r"^Counts\.n: expected int, got bool$", ("n",)),
    ("bool-in-int-list", lambda: Counts(1, [1, True]), {}, r"^Counts\.ns\[1\]: expected int, got bool$", ("ns", 1)),
    ("none-for-int", lambda: Counts(None, []), {}, r"^Counts\.n: expected int, got NoneType$", ("n",)),
    ("float-for-int", lambda: Counts(1.0, []), {}, r"^Counts\.n: expected int, got float$", ("n",)),
    ("str-is-not-a-list", lambda: Tags("abc", (), []), {}, r"^Tags\.as_list: expected list\[str\], got str$", ("as_list",)),
    ("str-is-not-a-tuple", lambda: Tags([], "abc", []), {}, r"^Tags\.as_tuple: expected tuple\[str, \.\.\.\], got str$",
     ("as_tuple",)),
    ("str-is-not-a-sequence", lambda: Tags([], (), "abc"), {}, r"^Tags\.as_seq: expected Sequence\[str\], got str$",
     ("as_seq",)),
    ("list-for-dict", lambda: Keyed([("k", 1)]), {}, r"^Keyed\.by: expected dict\[str, int\], got list$", ("by",)),
    ("wrong-model", lambda: Holder(Cat("c")), {}, r"^Holder\.label: expected Label, got Cat$", ("label",)),
    ("raw-value-for-enum", lambda: Painted("red"), {}, r"^Painted\.color: expected Color, got str$", ("color",)),
    ("date-is-not-datetime", lambda: Dated(datetime(2020, 1, 1)), {}, r"^Dated\.d: expected date, got datetime$",
     ("d",)),
    ("union-mismatch", lambda: IntOrStr(1.5), {}, r"^IntOrStr\.v: expected int \| str, got float$", ("v",)),
    ("tuple-wrong-length", lambda: Pair((1,)), {}, r"^Pair\.p: expected tuple\[int, str\], got tuple of length 1$",
     ("p",)),
    ("list-wrong-length", lambda: Pair([1, "a", 2]), {}, r"^Pair\.p: expected tuple\[int, str\], got list of length 3$",
     ("p",)),
    ("typed-dict-key", lambda: Keyed({1: 1}), {}, r"^Keyed\.by\[1\]: expected str key, got int$", ("by", 1)),
    ("any-dict-tuple-key", lambda: [{(1, 2): 1}], {}, r"^\[0\]\[\(1, 2\)\]: unsupported dict key type tuple$",
     (0, (1, 2))),
    ("enum-key-with-float-value", lambda: {FloatKey.X: 1}, {},
     r"dict key FloatKey\.X has a float value; enum keys need str or int values$", (FloatKey.X,)),
    ("nan-dict-key", lambda: {math.nan: 1}, {}, r"float nan is not allowed in JSON", (math.nan,)),
    ("plain-dataclass", lambda: [PlainDC("x")], {}, r"^\[0\]\.a: expected int, got str$", (0, "a")),
    # --- unset attributes: reported at the field's own path
    ("unset-slot", unset_first_field, {}, r"^Label\.name: attribute 'name' is not set$", ("name",)),
    ("deleted-slot-in-list", deleted_field_in_list, {}, r"^\[1\]\.color: attribute 'color' is not set$",
     (1, "color")),
    ("deleted-dict-attribute", plain_deleted, {}, r"^PlainDC\.a: attribute 'a' is not set$", ("a",)),
    # --- cycles (a shared but acyclic value is fine: see test_shared_references_are_not_cycles)
    ("self-list", self_list, {}, r"^\[0\]: circular reference detected$", (0,)),
    ("self-dict", self_dict, {}, r"^\['self'\]: circular reference detected$", ("self",)),
    ("any-field-to-self", self_box, {}, r"^Box\.content: circular reference detected$", ("content",)),
    ("model-cycle", node_cycle, {}, r"^Node\.children\[0\]\.children\[0\]: circular reference detected$",
     ("children", 0, "children", 0)),
    # --- depth
    # (the path points at the container being entered)
    ("depth-3-lists", lambda: nested_lists(6), {"max_depth": 3}, r"^\[0\]\[0\]\[0\]: maximum depth 3 exceeded$",
     (0, 0, 0)),
    ("depth-3-dicts", lambda: nested_dicts(6), {"max_depth": 3},
     r"^\['k'\]\['k'\]\['k'\]: maximum depth 3 exceeded$", ("k", "k", "k")),
    ("depth-default-lists", lambda: nested_lists(260), {}, r"^(\[0\]){256}: maximum depth 256 exceeded$", (0,) * 256),
    ("depth-default-dicts", lambda: nested_dicts(260), {}, r"maximum depth 256 exceeded$", ("k",) * 256),
    # Models count as containers too: Node, list, Node, ... so the 257th is a Node.
    ("depth-default-models", lambda: chain(300), {}, r"^Node(\.children\[0\]){128}: maximum depth 256 exceeded$",
     ("children", 0) * 128),
    ("cycle-before-depth", self_list, {"max_depth": 1}, r"^\[0\]: circular reference detected$", (0,)),
    # --- non-finite floats
    ("nan", lambda: math.nan, {}, NAN_DETAIL, ()),
    ("inf-in-list", lambda: [1.0, math.inf], {}, r'^\[1\]: float inf is not allowed in JSON \(use nan="null"\)$',
     (1,)),
    ("neg-inf-in-dict", lambda: {"x": -math.inf}, {},
     r'^\[\'x\'\]: float -inf is not allowed in JSON \(use nan="null"\)$', ("x",)),
    ("nan-in-model", lambda: Measures(math.nan), {}, r"^Measures\.f: " + NAN_DETAIL, ("f",)),
    ("nan-in-any", lambda: Box([0.0, math.nan]), {}, r"^Box\.content\[1\]: " + NAN_DETAIL, ("content", 1)),
    # --- lone surrogates (ascii=False only)
    ("surrogate", lambda: "abc\ud800", {},
     r"string contains a lone surrogate U\+D800 at index 3 \(use ascii=True\)$", ()),
    ("surrogate-astral-string", lambda: ["😀\udfff"], {},
     r"^\[0\]: string contains a lone surrogate U\+DFFF at index 1 \(use ascii=True\)$", (0,)),
    ("surrogate-bmp-string", lambda: ["日本\udbff"], {}, r"^\[0\]: .*lone surrogate U\+DBFF at index 2", (0,)),
    ("surrogate-pair-as-two-code-points", lambda: "a\ud83d\ude00", {}, r"lone surrogate U\+D83D at index 1", ()),
    ("surrogate-in-model", lambda: Label("ok", "x\udc00"), {},
     r"^Label\.color: string contains a lone surrogate U\+DC00 at index 1", ("color",)),
    ("surrogate-in-key", lambda: {"k\ud800": 1}, {}, r"lone surrogate U\+D800 at index 1", ("k\ud800",)),
    # --- unsupported types
    ("unsupported", lambda: Foo(), {}, r"unsupported type Foo \(pass default= to convert it\)$", ()),
    ("unsupported-in-list", lambda: [1, Foo()], {}, r"^\[1\]: unsupported type Foo \(pass default=", (1,)),
    ("unsupported-in-any", lambda: Box(Foo()), {}, r"^Box\.content: unsupported type Foo \(", ("content",)),
    ("set", lambda: [{1, 2}], {}, r"^\[0\]: unsupported type set \(", (0,)),
    ("bytes", lambda: {"b": b"x"}, {}, r"^\['b'\]: unsupported type bytes \(", ("b",)),
    ("complex", lambda: 1j, {}, r"unsupported type complex \(", ()),
    ("default-returns-unsupported", lambda: [Foo()], {"default": lambda o: o},
     r"^\[0\]: default= hook returned unsupported type Foo$", (0,)),
    ("default-returns-object", lambda: {"k": Foo()}, {"default": lambda o: object()},
     r"^\['k'\]: default= hook returned unsupported type object$", ("k",)),
]


@pytest.mark.parametrize("factory,opts,pattern,path", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_encode_errors(factory, opts, pattern, path):
    e = assert_same_error(factory(), **opts)
    assert re.search(pattern, str(e)), f"{str(e)!r} does not match {pattern!r}"
    if path is not None:
        assert e.path == path


def test_missing_attribute_chains_attribute_error():
    # Read through getattr (no slot): the AttributeError is kept as the cause.
    for fn in (slotjson.dumps, slotjson.to_builtins):
        e = capture_error(fn, plain_deleted())
        assert isinstance(e.__cause__, AttributeError)


def test_lone_surrogates_are_fine_with_ascii():
    # The same values that fail above are valid with ascii=True (escaped like json.dumps does).
    assert assert_oracle("abc\ud800", ascii=True) == b'"abc\\ud800"'
    assert_oracle({"k\ud800": Label("ok", "x\udc00")}, ascii=True)


def test_non_finite_floats_are_fine_with_nan_null():
    assert assert_oracle(Measures(math.nan), nan="null") == b'{"f":null}'


def test_shared_references_are_not_cycles():
    shared = [1, {"a": 2}]
    label = Label("s", "t")
    assert assert_oracle([shared, shared, {"again": shared}, label, label, Holder(label)]) == (
        b'[[1,{"a":2}],[1,{"a":2}],{"again":[1,{"a":2}]},{"name":"s","color":"t"},{"name":"s","color":"t"},'
        b'{"label":{"name":"s","color":"t"}}]'
    )


@pytest.mark.parametrize("limit", [0, 1, 3, 10, 256])
def test_max_depth_boundary(limit):
    # max_depth=N allows N nested containers (empty ones count) and refuses N+1;
    # scalars have no depth, so max_depth=0 still writes them.
    assert_oracle(nested_lists(limit), max_depth=limit)
    assert_oracle(1.5, max_depth=limit)
    e = assert_same_error(nested_lists(limit + 1), max_depth=limit)
    assert str(e).endswith(f"maximum depth {limit} exceeded")
    assert e.path == (0,) * limit
    # An empty container is still a level: limit+1 levels ending in [] fail too.
    empty_innermost = []
    for _ in range(limit):
        empty_innermost = [empty_innermost]
    assert_same_error(empty_innermost, max_depth=limit)
    assert_oracle(empty_innermost[0] if limit else 0, max_depth=limit)


def test_deep_but_allowed_model_chain():
    assert_oracle(chain(50))


def test_default_hook_raising_sets_cause():
    raised = []

    def hook(o):
        exc = ValueError("msg")
        raised.append(exc)
        raise exc

    e = capture_error(slotjson.dumps, [1, Foo()], default=hook)
    assert e.__cause__ is raised[-1]  # the very exception the hook raised
    e = assert_same_error([1, Foo()], default=hook)
    assert str(e) == "[1]: default= hook raised ValueError: msg"
    assert e.path == (1,)
    # to_builtins chains the hook's exception too.
    with pytest.raises(slotjson.EncodeError) as info:
        slotjson.to_builtins({"x": Foo()}, default=hook)
    assert isinstance(info.value.__cause__, ValueError)
    assert str(info.value) == "['x']: default= hook raised ValueError: msg"


def test_default_hook_other_exception_type():
    def hook(o):
        raise KeyError("nope")

    e = assert_same_error(Box(Foo()), default=hook)
    assert re.match(r"^Box\.content: default= hook raised KeyError: ", str(e))
    assert isinstance(e.__cause__, KeyError)


def test_default_hook_used_only_for_unknown_types():
    calls = []

    def hook(o):
        calls.append(type(o).__name__)
        return {"foo": [1, "x"]}

    out = assert_oracle([1, "a", None, datetime(2020, 1, 1), Foo(), Box(Foo())], default=hook)
    assert out == b'[1,"a",null,"2020-01-01T00:00:00",{"foo":[1,"x"]},{"content":{"foo":[1,"x"]}}]'
    assert set(calls) == {"Foo"}


def test_encode_error_is_type_and_value_error():
    assert issubclass(slotjson.EncodeError, TypeError)
    assert issubclass(slotjson.EncodeError, ValueError)
    with pytest.raises(ValueError):
        slotjson.dumps(math.inf)
    with pytest.raises(TypeError):
        slotjson.dumps(Foo())


def test_no_partial_output_and_recovery():
    # A failure at the very end of a large document raises; nothing half-written
    # leaks into the next call.
    items = [pr(i) for i in range(5_000)] + [pr(5_000, Label("z", 1))]
    e = assert_same_error(items)
    assert str(e).startswith("[5000].labels[2].color: ")
    assert assert_oracle(items[:2]).startswith(b'[{"repoName":"repo","number":0,"createdAt":')
    assert slotjson.dumps([1]) == b"[1]"


# --------------------------------------------------------------------------- SpecError

def _spec_cases():
    def callable_field():
        @slotjson.model
        class WithCallable:
            ok: int
            cb: Callable[[int], int]

        return WithCallable, "cb", "Callable", lambda: WithCallable(1, abs)

    def set_field():
        @slotjson.model
        class WithSet:
            tags: set[int]

        return WithSet, "tags", "set", lambda: WithSet({1})

    def bytes_field():
        @slotjson.model
        class WithBytes:
            blob: bytes

        return WithBytes, "blob", "bytes", lambda: WithBytes(b"x")

    def nested_unsupported():
        @slotjson.model
        class WithNested:
            ok: str
            deep: list[dict[str, frozenset[int]]]

        return WithNested, "deep", "frozenset", lambda: WithNested("a", [])

    def missing_forward_ref():
        @slotjson.model
        class WithMissing:
            ref: "NoSuchThing"  # noqa: F821 - deliberately unresolvable

        return WithMissing, "ref", "NoSuchThing", lambda: WithMissing(None)

    def missing_inner_forward_ref():
        @slotjson.model
        class WithMissingInner:
            refs: list["AlsoMissing"]  # noqa: F821

        return WithMissingInner, "refs", "AlsoMissing", lambda: WithMissingInner([])

    def undecorated():
        @dataclasses.dataclass
        class PlainWithSet:
            tags: set[int]

        return PlainWithSet, "tags", "set", lambda: PlainWithSet({1})

    return [callable_field, set_field, bytes_field, nested_unsupported, missing_forward_ref,
            missing_inner_forward_ref, undecorated]


@pytest.mark.parametrize("make", _spec_cases(), ids=lambda f: f.__name__)
def test_spec_errors(make):
    # Decorating never raises: compilation is lazy (the factory above succeeded).
    cls, field_name, annotation_text, instance = make()
    assert issubclass(slotjson.SpecError, TypeError)
    if "__slots__" in cls.__dict__:  # a slotjson.model class: compile() reports it eagerly
        with pytest.raises(slotjson.SpecError) as info:
            slotjson.compile(cls)
        msg = str(info.value)
        assert cls.__name__ in msg and field_name in msg and annotation_text in msg, msg
    for fn in (slotjson.dumps, slotjson.to_builtins):
        with pytest.raises(slotjson.SpecError) as info:
            fn(instance())
        msg = str(info.value)
        assert cls.__name__ in msg and field_name in msg and annotation_text in msg, msg
        with pytest.raises(slotjson.SpecError):  # and again: a failed plan is not half-cached
            fn([instance()])
