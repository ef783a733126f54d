"""Models: every supported field type, naming and omission rules, class shapes.

Each case is checked against the oracle (dumps == json.dumps(to_builtins)) in
both path modes, and the important ones also against hand-written bytes.
"""

import ctypes
import dataclasses
import json
import re
import sys
import types
import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum, Flag, IntEnum
from typing import Any, ClassVar, Dict, List, Literal, Optional, Tuple, Union
from zoneinfo import ZoneInfo

import _future_models as fm
import pytest
import slotjson
from conftest import assert_oracle

pytestmark = pytest.mark.usefixtures("path_mode")

UTC = timezone.utc


# --------------------------------------------------------------------------- the README example

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


def readme_prs():
    return [
        PullRequest("slotjson", 7, datetime(2024, 5, 1, 12, 0, tzinfo=UTC), None,
                    [Label("bug", "red"), Label("perf", "green")]),
        PullRequest("slotjson", 8, datetime(2024, 5, 2, 9, 30, 0, 250000, tzinfo=UTC),
                    datetime(2024, 5, 3, tzinfo=UTC), []),
    ]


README_BYTES = (
    b'[{"repoName":"slotjson","number":7,"createdAt":"2024-05-01T12:00:00+00:00",'
    b'"labels":[{"name":"bug","color":"red"},{"name":"perf","color":"green"}]},'
    b'{"repoName":"slotjson","number":8,"createdAt":"2024-05-02T09:30:00.250000+00:00",'
    b'"mergedAt":"2024-05-03T00:00:00+00:00","labels":[]}]'
)


def test_readme_example_exact():
    prs = readme_prs()
    assert slotjson.dumps(prs) == README_BYTES
    assert assert_oracle(prs) == README_BYTES
    # A tuple of models is written as an array too.
    assert assert_oracle(tuple(prs)) == README_BYTES


def test_readme_single_model_and_options():
    pr = readme_prs()[0]
    assert assert_oracle(pr) == (
        b'{"repoName":"slotjson","number":7,"createdAt":"2024-05-01T12:00:00+00:00",'
        b'"labels":[{"name":"bug","color":"red"},{"name":"perf","color":"green"}]}'
    )
    assert b'"createdAt":"2024-05-01T12:00:00Z"' in assert_oracle(pr, utc_z=True)
    assert_oracle(readme_prs(), utc_z=True, omit_microseconds=True, ascii=True)


def test_model_returns_slotted_dataclass():
    assert dataclasses.is_dataclass(Label)
    assert "__slots__" in Label.__dict__
    lab = Label("a", "b")
    # Slotted all the way down: no per-instance dict for the raw path to miss.
    assert not hasattr(lab, "__dict__")
    assert [f.name for f in dataclasses.fields(PullRequest)] == [
        "repo_name", "number", "created_at", "merged_at", "labels"]


def test_large_list_of_models():
    prs = [
        PullRequest(f"repo-{i}", i, datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
                    None if i % 3 else datetime(2021, 1, 1, i % 24, tzinfo=UTC),
                    [Label(f"l{j}", "c" * j) for j in range(i % 5)])
        for i in range(2_000)
    ]
    assert_oracle(prs)


# --------------------------------------------------------------------------- every type in a model

class Color(Enum):
    RED = "red"
    GREEN = "green"


class Prio(IntEnum):
    LOW = 1
    HIGH = 2


class Perm(Flag):
    R = 1
    W = 2
    X = 4


@slotjson.model
class Cat:
    name: str
    lives: int = 9


@slotjson.model
class Dog:
    name: str
    good: bool = True


@slotjson.model
class Everything:
    s: str
    i: int
    f: float
    b: bool
    n: None
    opt: Optional[int]
    opt_pipe: str | None
    union_models: Union[Cat, Dog]
    union_scalars: Union[int, str, datetime]
    lst: list[int]
    typing_list: List[str]
    tup_var: tuple[str, ...]
    tup_fixed: tuple[int, str]
    typing_tuple: Tuple[float, bool]
    seq: Sequence[float]
    d_str: dict[str, Label]
    typing_dict: Dict[str, int]
    d_int: dict[int, str]
    d_enum: dict[Color, int]
    d_intenum: dict[Prio, str]
    dt_naive: datetime
    dt_aware: datetime
    d: date
    t: time
    td: timedelta
    color: Color
    prio: Prio
    perm: Perm
    u: uuid.UUID
    dec: Decimal
    lit: Literal["a", "b", 3]
    nested: Label
    any_: Any
    obj: object
    opt_nested: Optional[Label] = None


EVERYTHING_1 = dict(
    s="s", i=1, f=0.5, b=True, n=None, opt=None, opt_pipe="p", union_models=Cat("tom"), union_scalars=5,
    lst=[1, 2], typing_list=["x"], tup_var=("a", "b"), tup_fixed=(1, "one"), typing_tuple=(1.5, False),
    seq=[0.25], d_str={"k": Label("n", "c")}, typing_dict={"z": 0}, d_int={1: "one", -1: "minus"},
    d_enum={Color.RED: 1}, d_intenum={Prio.HIGH: "h"}, dt_naive=datetime(2020, 1, 2, 3, 4, 5),
    dt_aware=datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=-3))), d=date(2020, 1, 2),
    t=time(3, 4, 5), td=timedelta(days=1, seconds=1), color=Color.GREEN, prio=Prio.LOW, perm=Perm.R | Perm.W,
    u=uuid.UUID("12345678-1234-5678-1234-567812345678"), dec=Decimal("3.14"), lit="b", nested=Label("n2", "c2"),
    any_={"deep": [1, None]}, obj=2.5,
)

EVERYTHING_1_BYTES = (
    b'{"s":"s","i":1,"f":0.5,"b":true,"n":null,"opt":null,"opt_pipe":"p",'
    b'"union_models":{"name":"tom","lives":9},"union_scalars":5,"lst":[1,2],"typing_list":["x"],'
    b'"tup_var":["a","b"],"tup_fixed":[1,"one"],"typing_tuple":[1.5,false],"seq":[0.25],'
    b'"d_str":{"k":{"name":"n","color":"c"}},"typing_dict":{"z":0},"d_int":{"1":"one","-1":"minus"},'
    b'"d_enum":{"red":1},"d_intenum":{"2":"h"},"dt_naive":"2020-01-02T03:04:05",'
    b'"dt_aware":"2020-01-02T03:04:05.000006-03:00","d":"2020-01-02","t":"03:04:05","td":"P1DT1S",'
    b'"color":"green","prio":1,"perm":3,"u":"12345678-1234-5678-1234-567812345678","dec":"3.14",'
    b'"lit":"b","nested":{"name":"n2","color":"c2"},"any_":{"deep":[1,null]},"obj":2.5,"opt_nested":null}'
)


def test_every_type_exact():
    e = Everything(**EVERYTHING_1)
    assert slotjson.dumps(e) == EVERYTHING_1_BYTES
    assert assert_oracle(e) == EVERYTHING_1_BYTES


EVERYTHING_VARIANTS = [
    dict(s="日本語😀", i=-(2**100), f=-0.0, b=False, opt=2**64, opt_pipe=None, union_models=Dog("rex", False),
         union_scalars="text", lst=[], tup_var=(), seq=(1.0, 2), d_str={}, d_int={},
         d_enum={Color.RED: 1, Color.GREEN: 2}, dt_naive=datetime(1, 1, 1),
         dt_aware=datetime(2024, 7, 1, tzinfo=ZoneInfo("Europe/Paris")), d=date(9999, 12, 31),
         t=time(23, 59, 59, 999999, tzinfo=UTC), td=timedelta(hours=-1), prio=Prio.HIGH, perm=Perm(0),
         dec=Decimal("-1E+30"), lit=3, any_=datetime(2000, 1, 1, tzinfo=UTC), obj=[Cat("c")],
         opt_nested=Label("x", "y")),
    dict(f=1, union_scalars=datetime(2024, 1, 1, tzinfo=ZoneInfo("America/New_York")),
         typing_tuple=(float("1e300"), True), td=timedelta(microseconds=1), any_=Decimal("NaN"),
         obj={"u": uuid.UUID(int=0), "e": Color.RED, "t": (1, 2)}, lit="a"),
]


@pytest.mark.parametrize("variant", range(len(EVERYTHING_VARIANTS)))
@pytest.mark.parametrize("opts", [{}, {"timedelta": "seconds", "utc_z": True, "omit_microseconds": True},
                                  {"ascii": True}])
def test_every_type_variants(variant, opts):
    values = dict(EVERYTHING_1)
    values.update(EVERYTHING_VARIANTS[variant])
    assert_oracle(Everything(**values), **opts)


if sys.version_info >= (3, 11):
    from enum import StrEnum

    class Mood(StrEnum):
        HAPPY = "happy"
        SAD = "sad"

    @slotjson.model
    class WithStrEnum:
        mood: Mood
        by_mood: dict[Mood, int]

    def test_str_enum():
        v = WithStrEnum(Mood.SAD, {Mood.HAPPY: 1})
        assert assert_oracle(v) == b'{"mood":"sad","by_mood":{"happy":1}}'


# --------------------------------------------------------------------------- scalar subclasses

class MyStr(str):
    def __str__(self):
        return "WRONG"


class MyInt(int):
    def __repr__(self):
        return "WRONG"

    __str__ = __repr__


class MyFloat(float):
    def __repr__(self):
        return "WRONG"

    __str__ = __repr__


@slotjson.model
class Scalars:
    s: str
    i: int
    f: float


@pytest.mark.parametrize(
    "args,expected",
    [
        (("x", 5, 2.5), b'{"s":"x","i":5,"f":2.5}'),
        # Subclasses are written as their base value; their __str__/__repr__ are not consulted.
        ((MyStr("x"), MyInt(5), MyFloat(2.5)), b'{"s":"x","i":5,"f":2.5}'),
        # An int where float is annotated is accepted and written as an int.
        (("x", 1, 1), b'{"s":"x","i":1,"f":1}'),
        (("x", 2**70, 2**70), b'{"s":"x","i":1180591620717411303424,"f":1180591620717411303424}'),
        (("x", Prio.HIGH, 0.1), b'{"s":"x","i":2,"f":0.1}'),  # an IntEnum is an int subclass
    ],
)
def test_scalar_subclasses(args, expected):
    assert assert_oracle(Scalars(*args)) == expected


# --------------------------------------------------------------------------- unions and Any

@slotjson.model
class Pets:
    one: Union[Cat, Dog, Label]
    maybe: Optional[Union[Cat, Dog]]
    many: list[Cat | Dog]
    number: Union[int, float]
    scalar_or_list: Union[str, list[int]]


@pytest.mark.parametrize(
    "pets,expected",
    [
        (Pets(Dog("rex"), None, [Cat("a", 1), Dog("b")], 1, "s"),
         b'{"one":{"name":"rex","good":true},"maybe":null,"many":[{"name":"a","lives":1},'
         b'{"name":"b","good":true}],"number":1,"scalar_or_list":"s"}'),
        (Pets(Label("l", "c"), Cat("c"), [], 1.5, [1, 2]),
         b'{"one":{"name":"l","color":"c"},"maybe":{"name":"c","lives":9},"many":[],"number":1.5,'
         b'"scalar_or_list":[1,2]}'),
    ],
)
def test_unions_dispatch_on_value_type(pets, expected):
    assert assert_oracle(pets) == expected


@dataclasses.dataclass
class PlainPoint:
    x: int
    y: int


@slotjson.model
class Box:
    content: Any
    other: object = None


ANY_VALUES = [
    None, True, 0, -(2**80), 1.5, -0.0, "", "日本", [], {}, (1, "a"), [[[]]], {"a": {"b": [1, {"c": None}]}},
    {1: "int key"}, {Color.RED: "enum key"}, {Prio.LOW: "intenum key"},
    datetime(2020, 1, 1), datetime(2020, 1, 1, tzinfo=UTC), date(2020, 1, 1), time(1, 2), timedelta(seconds=-1),
    Color.GREEN, Prio.HIGH, Perm.W | Perm.X, uuid.UUID(int=2**128 - 1), Decimal("0.000001"),
    Label("l", "c"), PlainPoint(1, 2), [Cat("c"), Dog("d"), PlainPoint(3, 4)], readme_prs(),
    MyStr("sub"), MyInt(3), MyFloat(0.5),
]


@pytest.mark.parametrize("value", ANY_VALUES, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("opts", [{}, {"timedelta": "seconds", "utc_z": True}])
def test_any_and_object_fields(value, opts):
    assert_oracle(Box(value, value), **opts)
    # The same values at top level and in plain containers take the same dynamic path.
    assert_oracle(value, **opts)
    assert_oracle([value, {"v": value}], **opts)


def test_any_exact():
    box = Box([PlainPoint(1, 2), Color.RED, {3: Decimal("1.0")}], timedelta(days=2))
    assert assert_oracle(box) == b'{"content":[{"x":1,"y":2},"red",{"3":"1.0"}],"other":"P2D"}'


# --------------------------------------------------------------------------- dict keys

@slotjson.model
class Keyed:
    by_int: dict[int, Label]
    by_enum: dict[Color, list[int]]
    by_prio: dict[Prio, Optional[str]]


def test_dict_keys_exact():
    k = Keyed({10: Label("a", "b"), -(2**70): Label("c", "d")}, {Color.GREEN: [1], Color.RED: []},
              {Prio.HIGH: None, Prio.LOW: "low"})
    assert assert_oracle(k) == (
        b'{"by_int":{"10":{"name":"a","color":"b"},"-1180591620717411303424":{"name":"c","color":"d"}},'
        b'"by_enum":{"green":[1],"red":[]},"by_prio":{"2":null,"1":"low"}}'
    )


# --------------------------------------------------------------------------- renames and field options

def _make_renamed(rename):
    @slotjson.model(rename=rename)
    class Renamed:
        repo_name: str
        created_at_utc: int
        x: int
        explicit: int = slotjson.field(default=0, name="ID")

    return Renamed


@pytest.mark.parametrize(
    "rename,keys",
    [
        (None, ("repo_name", "created_at_utc", "x")),
        ("camel", ("repoName", "createdAtUtc", "x")),
        ("pascal", ("RepoName", "CreatedAtUtc", "X")),
        ("kebab", ("repo-name", "created-at-utc", "x")),
        (str.upper, ("REPO_NAME", "CREATED_AT_UTC", "X")),
        (lambda n: "k_" + n[::-1], ("k_eman_oper", "k_ctu_ta_detaerc", "k_x")),
    ],
    ids=["none", "camel", "pascal", "kebab", "upper", "lambda"],
)
def test_renames(rename, keys):
    cls = _make_renamed(rename)
    # field(name=...) wins over the class-wide rename.
    expected = ('{"%s":"r","%s":1,"%s":2,"ID":3}' % keys).encode()
    assert assert_oracle(cls("r", 1, 2, 3)) == expected


@slotjson.model
class Omissions:
    a: Optional[int] = slotjson.field(default=None, omit_if="none")
    b: list[int] = slotjson.field(default_factory=list, omit_if="empty")
    c: int = slotjson.field(default=0, omit_if="default")
    d: Optional[int] = None  # no rule: written as null
    e: str = slotjson.field(default="secret", skip=True)
    f: list[int] = slotjson.field(default_factory=lambda: [1, 2], omit_if="default")
    g: dict[str, int] = slotjson.field(default_factory=dict, omit_if="empty")


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({}, b'{"d":null}'),
        ({"a": 1, "b": [2], "c": 3, "d": 4, "e": "x", "f": [1], "g": {"k": 1}},
         b'{"a":1,"b":[2],"c":3,"d":4,"f":[1],"g":{"k":1}}'),
        # Falsy but not None / not empty / not default: kept.
        ({"a": 0, "c": 1, "f": []}, b'{"a":0,"c":1,"d":null,"f":[]}'),
        ({"c": 0, "f": [1, 2]}, b'{"d":null}'),
    ],
)
def test_omission_rules(kwargs, expected):
    assert assert_oracle(Omissions(**kwargs)) == expected


@slotjson.model(omit_none=True, rename="kebab")
class Sparse:
    first_name: Optional[str] = None
    count: Optional[int] = 0
    always: int = slotjson.field(default=7, name="Always")


@pytest.mark.parametrize(
    "obj,expected",
    [
        (Sparse(), b'{"count":0,"Always":7}'),
        (Sparse(first_name="", count=None), b'{"first-name":"","Always":7}'),
        (Sparse("n", 1, 2), b'{"first-name":"n","count":1,"Always":2}'),
    ],
)
def test_omit_none_class_wide(obj, expected):
    assert assert_oracle(obj) == expected


@slotjson.model
class Private:
    _secret: int = 1
    __dunder_like: str = "d"  # name-mangled by Python: the field is _Private__dunder_like
    public: str = "p"


def test_private_fields_included():
    assert assert_oracle(Private()) == b'{"_secret":1,"_Private__dunder_like":"d","public":"p"}'


@slotjson.model
class WithVars:
    kind: ClassVar[str] = "w"
    seed: dataclasses.InitVar[int] = 0
    value: int = 0

    def __post_init__(self, seed):
        self.value += seed


def test_classvar_and_initvar_excluded():
    assert assert_oracle(WithVars(seed=2, value=1)) == b'{"value":3}'


# --------------------------------------------------------------------------- inheritance and class shapes

@slotjson.model
class Base:
    a: int
    b: str = "b"


@slotjson.model
class Child(Base):
    c: float = 0.5
    b: str = "override"  # redefining a field keeps its original position


@slotjson.model
class GrandChild(Child):
    d: list[int] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class PlainBase:
    x: int


@slotjson.model
class ModelOnPlainBase(PlainBase):
    y: int = 2


@pytest.mark.parametrize(
    "obj,expected",
    [
        (Base(1), b'{"a":1,"b":"b"}'),
        (Child(1), b'{"a":1,"b":"override","c":0.5}'),
        (GrandChild(1, "x", 1.5, [9]), b'{"a":1,"b":"x","c":1.5,"d":[9]}'),
        # Inherited field lives in the instance __dict__, the own one in a slot.
        (ModelOnPlainBase(1), b'{"x":1,"y":2}'),
    ],
    ids=["base", "child", "grandchild", "plain-base"],
)
def test_inheritance_order(obj, expected):
    assert assert_oracle(obj) == expected


@slotjson.model
class Animal:
    name: str


@slotjson.model
class Bird(Animal):
    wingspan: float


@dataclasses.dataclass(slots=True)
class Fish(Animal):
    fins: int


class Parrot(Bird):
    """Subclass without a decorator: same fields as Bird, plus an instance __dict__."""


@slotjson.model
class Zoo:
    star: Animal
    all: list[Animal]


class UndecoratedPR(PullRequest):
    """Not decorated: inherits PullRequest's rename/omit_none options."""


@slotjson.model
class Tagged:
    tag: Literal["a", "b"]


def test_literal_values_are_not_checked():
    # Literal is documentation only: any value is written by its run-time type.
    assert assert_oracle([Tagged("a"), Tagged("c"), Tagged(1.5)]) == b'[{"tag":"a"},{"tag":"c"},{"tag":1.5}]'


def test_undecorated_subclass_inherits_model_options():
    pr = UndecoratedPR("r", 1, datetime(2020, 1, 1), None, [])
    assert assert_oracle(pr) == b'{"repoName":"r","number":1,"createdAt":"2020-01-01T00:00:00","labels":[]}'


def test_subclass_instances_use_their_own_fields():
    parrot = Parrot("polly", 0.3)
    parrot.extra = "not a field"  # lives in __dict__, not a dataclass field: not written
    zoo = Zoo(Bird("tweety", 0.2), [Animal("generic"), Fish("nemo", 3), parrot])
    assert assert_oracle(zoo) == (
        b'{"star":{"name":"tweety","wingspan":0.2},"all":[{"name":"generic"},{"name":"nemo","fins":3},'
        b'{"name":"polly","wingspan":0.3}]}'
    )
    assert assert_oracle(Fish("dory", 2)) == b'{"name":"dory","fins":2}'


@dataclasses.dataclass
class PlainDC:
    a: int
    tags: list[str] = dataclasses.field(default_factory=list)
    when: Optional[datetime] = None


@dataclasses.dataclass(slots=True)
class PlainSlotted:
    a: int
    inner: PlainDC


@dataclasses.dataclass(frozen=True, slots=True)
class PlainFrozenSlotted:
    z: str
    a: str


def test_undecorated_dataclasses():
    assert assert_oracle(PlainDC(1)) == b'{"a":1,"tags":[],"when":null}'
    assert assert_oracle(PlainSlotted(2, PlainDC(3, ["t"], datetime(2020, 1, 1)))) == (
        b'{"a":2,"inner":{"a":3,"tags":["t"],"when":"2020-01-01T00:00:00"}}'
    )
    # Field order, not the alphabetical order of the slots.
    assert assert_oracle(PlainFrozenSlotted("z", "a")) == b'{"z":"z","a":"a"}'
    assert_oracle([PlainDC(i, [str(i)] * (i % 3)) for i in range(300)])


def test_model_on_existing_dataclass():
    @dataclasses.dataclass
    class Existing:
        a: int
        tags: list[str] = dataclasses.field(default_factory=list)

    Converted = slotjson.model(Existing)
    assert dataclasses.is_dataclass(Converted) and "__slots__" in Converted.__dict__
    obj = Converted(1)
    assert obj.tags == []  # the default_factory survived the conversion
    assert not hasattr(obj, "__dict__")
    assert assert_oracle(obj) == b'{"a":1,"tags":[]}'

    @dataclasses.dataclass(slots=True)
    class AlreadySlotted:
        zz: int
        aa: int = 5

    Converted2 = slotjson.model(rename="pascal")(AlreadySlotted)
    assert assert_oracle(Converted2(1)) == b'{"Zz":1,"Aa":5}'

    # Options that change generated methods on an existing dataclass either take
    # effect or are refused; silently keeping the old __init__ is the bug to catch.
    try:
        Converted3 = slotjson.model(frozen=True)(Existing)
    except TypeError as e:
        assert "frozen" in str(e)
    else:
        obj3 = Converted3(2, ["t"])
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj3.a = 3
        assert assert_oracle(obj3) == b'{"a":2,"tags":["t"]}'


@slotjson.model(frozen=True)
class Frozen:
    a: int
    b: tuple[int, ...] = ()


@slotjson.model(kw_only=True)
class KwOnly:
    a: int
    b: str = "b"


def test_frozen_and_kw_only():
    f = Frozen(1, (2, 3))
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.a = 2
    assert assert_oracle(f) == b'{"a":1,"b":[2,3]}'
    with pytest.raises(TypeError):
        KwOnly(1)
    assert assert_oracle(KwOnly(a=1)) == b'{"a":1,"b":"b"}'


# --------------------------------------------------------------------------- recursion and forward refs

@slotjson.model
class Node:
    value: int
    children: list["Node"] = dataclasses.field(default_factory=list)


def _chain(depth):
    root = node = Node(0)
    for i in range(1, depth):
        nxt = Node(i)
        node.children.append(nxt)
        node = nxt
    return root


def test_recursive_tree():
    assert assert_oracle(Node(1, [Node(2), Node(3, [Node(4)])])) == (
        b'{"value":1,"children":[{"value":2,"children":[]},{"value":3,"children":[{"value":4,"children":[]}]}]}'
    )
    deep = assert_oracle(_chain(50))
    assert deep.count(b'"value"') == 50
    # A wide tree too: 3 levels of 10 children.
    wide = Node(0, [Node(i, [Node(j, [Node(k) for k in range(10)]) for j in range(10)]) for i in range(10)])
    assert_oracle(wide)


@slotjson.model
class Early:
    later: "DefinedLater"
    maybe: Optional["DefinedLater"] = None


@slotjson.model
class DefinedLater:
    v: int


def test_forward_reference_defined_after_the_class():
    assert assert_oracle(Early(DefinedLater(1))) == b'{"later":{"v":1},"maybe":null}'


def test_future_annotations_module():
    label = fm.FutureLabel("x")
    parent = fm.FutureIssue(1, "p", datetime(2020, 1, 1, tzinfo=UTC), None, None, [], {})
    issue = fm.FutureIssue(2, "child", datetime(2020, 1, 2), datetime(2020, 1, 3), "me", [label, fm.FutureLabel("y", 2)],
                           {"c": 1}, parent)
    assert assert_oracle(issue) == (
        b'{"issueId":2,"title":"child","openedAt":"2020-01-02T00:00:00","closedAt":"2020-01-03T00:00:00",'
        b'"assignee":"me","labels":[{"name":"x","weight":1.0},{"name":"y","weight":2}],"counters":{"c":1},'
        b'"parent":{"issueId":1,"title":"p","openedAt":"2020-01-01T00:00:00+00:00","labels":[],"counters":{}}}'
    )
    tree = fm.FutureTree(1, [fm.FutureTree(2, [fm.FutureTree(3)])])
    assert assert_oracle(tree) == (
        b'{"value":1,"children":[{"value":2,"children":[{"value":3,"children":[]}]}]}'
    )
    plain = fm.FuturePlain(datetime(1999, 12, 31, 23, 59), (1, 2))
    assert assert_oracle(plain) == b'{"when":"1999-12-31T23:59:00","items":[1,2]}'


def test_compile_eager_and_lazy():
    @slotjson.model
    class Eager:
        a: int
        b: list[str]

    assert slotjson.compile(Eager) is Eager
    slotjson.compile(Eager)  # compiling twice is harmless
    assert assert_oracle(Eager(1, ["x"])) == b'{"a":1,"b":["x"]}'

    # Lazy: nothing is resolved at decoration time, so a name may appear later.
    @slotjson.model
    class Lazy:
        ref: "_LateBound"

    with pytest.raises(slotjson.SpecError):
        slotjson.compile(Lazy)
    globals()["_LateBound"] = DefinedLater
    try:
        # A failed compile must not be cached: once the name exists, it works.
        slotjson.compile(Lazy)
        assert assert_oracle(Lazy(DefinedLater(5))) == b'{"ref":{"v":5}}'
    finally:
        del globals()["_LateBound"]


# --------------------------------------------------------------------------- describe()

def _slot_offset(cls, name):
    """Byte offset of a slot, read from the member descriptor's PyMemberDef.

    Layout (CPython 3.10-3.13, default build): PyDescr_COMMON is the object head
    (16 bytes) plus d_type, d_name, d_qualname, so d_member sits at +40; in
    PyMemberDef the offset follows `const char *name` and `int type`, at +16.
    """
    for klass in cls.__mro__:
        descr = klass.__dict__.get(name)
        if isinstance(descr, types.MemberDescriptorType):
            member = ctypes.c_void_p.from_address(id(descr) + 40).value
            offset = ctypes.c_ssize_t.from_address(member + 16).value
            assert 16 <= offset < klass.__basicsize__ and offset % 8 == 0, (name, offset)
            return offset
    return None


@pytest.mark.parametrize(
    "cls,skipped",
    [(Label, ()), (PullRequest, ()), (Everything, ()), (GrandChild, ()), (Node, ()), (Omissions, ("e",))],
    ids=lambda c: getattr(c, "__name__", ""),
)
def test_describe_mentions_keys_and_offsets(cls, skipped):
    text = slotjson.describe(cls)
    assert isinstance(text, str)
    assert cls.__name__ in text
    keys = json.loads(slotjson.dumps(_sample(cls))).keys() if cls in _SAMPLES else None

    def has_token(line, token):
        return re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", line) is not None

    for f in dataclasses.fields(cls):
        if f.name in skipped:  # skip=True fields are not part of the plan
            continue
        offset = _slot_offset(cls, f.name)
        assert offset is not None
        # A readable plan shows each field on a line with its slot offset.
        lines = [ln for ln in text.splitlines() if has_token(ln, f.name)]
        assert lines, f"field {f.name} missing from describe():\n{text}"
        assert any(has_token(ln, str(offset)) or has_token(ln, hex(offset)) for ln in lines), (
            f"offset {offset} of {f.name} not on its line:\n{text}")
    if keys is not None:
        for key in keys:
            assert key in text, f"JSON key {key!r} missing from describe():\n{text}"


_SAMPLES = {
    Label: lambda: Label("n", "c"),
    PullRequest: lambda: readme_prs()[1],
    Node: lambda: Node(1),
    GrandChild: lambda: GrandChild(1),
}


def _sample(cls):
    return _SAMPLES[cls]()


def test_describe_shows_json_keys():
    text = slotjson.describe(PullRequest)
    for key in ("repoName", "number", "createdAt", "mergedAt", "labels"):
        assert key in text
    assert "Always" in slotjson.describe(Sparse) and "first-name" in slotjson.describe(Sparse)


def test_slot_offsets_are_alphabetical_not_field_order():
    # Guards the helper above (and documents why the raw path needs a plan):
    # CPython sorts __slots__ names, so offsets do not follow field order.
    offsets = {f.name: _slot_offset(PlainFrozenSlotted, f.name) for f in dataclasses.fields(PlainFrozenSlotted)}
    assert offsets["a"] < offsets["z"]



@slotjson.model
class Parcel:
    name: str
    inside: Any = None


@pytest.mark.parametrize("threads", [1, 2])
def test_lists_of_models_holding_other_models_in_any_fields(threads):
    # The walker keeps the plan of the class met last; values inside an item
    # that meet another class (or the same class, recursively) replace it
    # mid-item, and the next item must still be written with its own plan.
    cat, dog = Cat("Tom", 3), Dog("Rex", True)
    items = []
    for i in range(400):
        inner = [None, cat, Parcel(f"b{i}", dog), Parcel("deep", Parcel("deeper", [cat, dog, i])), {"k": Parcel("d")}][i % 5]
        items.append(Parcel(f"box {i} \u00e9", inner))
        if i % 7 == 0:
            items.append(dog if i % 2 else cat)
    expected = assert_oracle(items)
    assert slotjson.dumps(items, threads=threads) == expected
    assert slotjson.dumps(tuple(items), threads=threads) == expected
    assert bytes(slotjson.dumps_indexed(items, threads=threads)) == expected
