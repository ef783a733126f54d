"""Property tests: random model classes, random instances, random JSON-ish values.

Every generated value must satisfy the oracle in both path modes.  Model
classes are built at run time (plain classes and existing dataclasses fed to
slotjson.model with random options, plus undecorated dataclasses), with field
types drawn from the supported list, nested up to two levels.
"""

import dataclasses
import itertools
import math
import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum, Flag, IntEnum
from typing import Any, Literal, Optional, Union
from zoneinfo import ZoneInfo

import pytest
import slotjson
from conftest import assert_oracle, assert_same_error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Both path modes, with examples kept small enough for CI on 2 cores.
PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Color(Enum):
    RED = "red"
    GREEN = "green"
    BLUE = 3


class Prio(IntEnum):
    LOW = 1
    HIGH = 2


class Perm(Flag):
    R = 1
    W = 2
    X = 4


TIMEZONES = [
    None,
    timezone.utc,
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=-3, seconds=7)),
    timezone(-timedelta(hours=1, microseconds=5)),
    ZoneInfo("Europe/Paris"),
    ZoneInfo("America/New_York"),
]
# time.isoformat() asks tzinfo.utcoffset(None): zone-database zones have no fixed answer for a bare time.
FIXED_TIMEZONES = TIMEZONES[:5]

SPECIAL_FLOATS = [0.0, -0.0, 5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 1e16, 1e15,
                  9999999999999998.0, 1e-05, 0.0001, 0.1, 1 / 3, 2.0**53, 1e22]
SPECIAL_INTS = [0, 2**53 + 1, 2**63 - 1, -(2**63), 2**63, 2**64, -(2**64) - 1, 10**100, -(2**200)]

ints = st.one_of(st.integers(), st.integers(-(2**300), 2**300), st.sampled_from(SPECIAL_INTS))
finite_floats = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(SPECIAL_FLOATS))
# st.text() draws from every plane except surrogates: all four CPython string widths.
texts = st.one_of(st.text(), st.text(alphabet="a\"\\\n\x00\x1f/\x7fé\u2028日😀", max_size=80))
datetimes = st.datetimes(timezones=st.sampled_from(TIMEZONES))
times = st.times(timezones=st.sampled_from(FIXED_TIMEZONES))

plain_scalars = st.one_of(st.none(), st.booleans(), ints, finite_floats, texts)
rich_scalars = st.one_of(
    plain_scalars, datetimes, st.dates(), times, st.timedeltas(), st.uuids(),
    st.decimals(allow_nan=False, allow_infinity=False), st.sampled_from(Color), st.sampled_from(Prio),
)


def _containers(children):
    return st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(texts, children, max_size=5),
        st.dictionaries(ints, children, max_size=3),
    )


json_values = st.recursive(rich_scalars, _containers, max_leaves=25)

OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "utc_z": st.booleans(),
        "omit_microseconds": st.booleans(),
        "ascii": st.booleans(),
        "timedelta": st.sampled_from(["iso", "seconds"]),
        "nan": st.sampled_from(["error", "null"]),
    },
)


# --------------------------------------------------------------------------- random types

@dataclasses.dataclass(frozen=True)
class TypeSpec:
    """An annotation, a strategy for values that match it, and its kind (for omit rules)."""

    ann: Any
    values: Any
    kind: str


LEAVES = [
    TypeSpec(str, texts, "str"),
    TypeSpec(int, ints, "int"),
    TypeSpec(float, st.one_of(finite_floats, ints), "float"),  # an int is accepted where float is annotated
    TypeSpec(bool, st.booleans(), "bool"),
    TypeSpec(datetime, datetimes, "datetime"),
    TypeSpec(date, st.dates(), "date"),
    TypeSpec(time, times, "time"),
    TypeSpec(timedelta, st.timedeltas(), "timedelta"),
    TypeSpec(uuid.UUID, st.uuids(), "uuid"),
    TypeSpec(Decimal, st.decimals(allow_nan=False, allow_infinity=False), "decimal"),
    TypeSpec(Color, st.sampled_from(Color), "enum"),
    TypeSpec(Prio, st.sampled_from(Prio), "enum"),
    TypeSpec(Perm, st.integers(0, 7).map(Perm), "enum"),
    TypeSpec(Literal["a", "b", 3], st.sampled_from(["a", "b", 3]), "literal"),
    TypeSpec(Any, json_values, "any"),
]

# Members whose runtime types do not overlap, so a union dispatches unambiguously
# (bool is deliberately next to int and float: it must not be taken for either).
UNION_MEMBERS = [LEAVES[i] for i in (0, 1, 2, 3, 4, 8, 10)]

# snake_case names so that every rename has something to do; no digits or
# leading underscores, whose camel/pascal spelling the contract leaves open.
FIELD_NAMES = ["id", "name", "repo_name", "created_at", "x", "value", "a_b_c", "is_ok", "items", "http_url",
               "z", "merged_at", "owner_login_name"]
RENAMES = [None, "camel", "pascal", "kebab", str.upper]

_class_ids = itertools.count()


@st.composite
def type_specs(draw, depth):
    kinds = ["leaf", "leaf", "leaf"]
    if depth > 0:
        kinds += ["optional", "list", "tuple_var", "tuple_fixed", "sequence", "dict_str", "dict_int", "dict_enum",
                  "union", "model", "model", "model_union"]
    kind = draw(st.sampled_from(kinds))
    if kind == "leaf":
        return draw(st.sampled_from(LEAVES))
    if kind in ("model", "model_union"):
        a = draw(model_specs(depth - 1))
        if kind == "model":
            return TypeSpec(a.ann, a.values, "model")
        b = draw(model_specs(depth - 1))
        return TypeSpec(Union[a.ann, b.ann], st.one_of(a.values, b.values), "model")
    if kind == "union":
        members = draw(st.lists(st.sampled_from(UNION_MEMBERS), min_size=2, max_size=3, unique_by=id))
        return TypeSpec(Union[tuple(m.ann for m in members)], st.one_of([m.values for m in members]), "union")
    inner = draw(type_specs(depth - 1))
    if kind == "optional":
        return TypeSpec(Optional[inner.ann], st.one_of(st.none(), inner.values), "optional")
    if kind == "list":
        return TypeSpec(list[inner.ann], st.lists(inner.values, max_size=4), "container")
    if kind == "tuple_var":
        return TypeSpec(tuple[inner.ann, ...], st.lists(inner.values, max_size=4).map(tuple), "container")
    if kind == "sequence":
        return TypeSpec(Sequence[inner.ann], st.lists(inner.values, max_size=4), "container")
    if kind == "tuple_fixed":
        other = draw(type_specs(depth - 1))
        return TypeSpec(tuple[inner.ann, other.ann], st.tuples(inner.values, other.values), "tuple")
    key_ann, keys = {"dict_str": (str, texts), "dict_int": (int, ints), "dict_enum": (Color, st.sampled_from(Color))}[kind]
    return TypeSpec(dict[key_ann, inner.ann], st.dictionaries(keys, inner.values, max_size=3), "container")


@st.composite
def model_specs(draw, depth):
    """A freshly built class with random fields; `values` draws instances of it."""
    names = draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=6, unique=True))
    specs = [draw(type_specs(depth)) for _ in names]
    cls_name = f"Gen{next(_class_ids)}"
    shape = draw(st.sampled_from(["model-from-plain-class", "model-from-dataclass", "plain-slotted", "plain"]))

    if shape in ("plain-slotted", "plain"):
        cls = dataclasses.make_dataclass(cls_name, [(n, s.ann) for n, s in zip(names, specs)],
                                          slots=shape == "plain-slotted")
    else:
        fields = []
        for n, s in zip(names, specs):
            opts = draw(st.one_of(
                st.fixed_dictionaries({}, optional={
                    # Unique per field, and unlike any renamed spelling: duplicate keys are a SpecError.
                    "name": st.sampled_from(["key-" + n, n.upper() + "_"]),
                    "omit_if": st.sampled_from(["none", "empty"] if s.kind == "container" else ["none"]),
                }),
                st.just({"skip": True}),  # skip excludes name=/omit_if=
            ))
            fields.append((n, s.ann, slotjson.field(**opts)) if opts else (n, s.ann))
        model_opts = draw(st.fixed_dictionaries({}, optional={
            "rename": st.sampled_from(RENAMES),
            "omit_none": st.booleans(),
        }))
        frozen = draw(st.booleans())
        if shape == "model-from-dataclass":
            # Dataclass options belong to the original decorator here: slotjson
            # may refuse to change them on an existing dataclass.
            base = dataclasses.make_dataclass(cls_name, fields, slots=draw(st.booleans()), frozen=frozen)
        else:
            if frozen:
                model_opts["frozen"] = True
            namespace = {"__annotations__": {f[0]: f[1] for f in fields}, "__module__": __name__}
            namespace.update({f[0]: f[2] for f in fields if len(f) == 3})
            base = type(cls_name, (), namespace)
        cls = slotjson.model(**model_opts)(base) if model_opts else slotjson.model(base)
    if shape.startswith("model") and draw(st.booleans()):
        slotjson.compile(cls)  # eager half the time, lazy (first dumps) otherwise
    return TypeSpec(cls, st.builds(cls, **{n: s.values for n, s in zip(names, specs)}), "model")


# --------------------------------------------------------------------------- properties

@settings(PROPERTY, max_examples=200)
@given(data=st.data())
def test_random_models(path_mode, data):
    spec = data.draw(model_specs(2), label="model")
    opts = data.draw(OPTIONS, label="options")
    obj = data.draw(spec.values, label="instance")
    assert_oracle(obj, **opts)
    # In a list next to a second instance, and inside a plain container.
    other = data.draw(spec.values, label="second instance")
    assert_oracle([obj, other], **opts)
    assert_oracle({"wrapped": (obj,)}, **opts)


@PROPERTY
@given(value=json_values, opts=OPTIONS)
def test_random_builtin_values(path_mode, value, opts):
    assert_oracle(value, **opts)


@PROPERTY
@given(values=st.lists(st.one_of(st.floats(), st.sampled_from([math.nan, math.inf, -math.inf]), ints), max_size=8))
def test_non_finite_floats_with_nan_null(path_mode, values):
    assert_oracle(values, nan="null")
    if any(isinstance(v, float) and not math.isfinite(v) for v in values):
        assert_same_error(values)
    else:
        assert_oracle(values)


surrogates = st.integers(0xD800, 0xDFFF).map(chr)
texts_with_surrogates = st.tuples(st.text(max_size=10), surrogates, st.text(alphabet=st.one_of(st.characters(),
                                  surrogates), max_size=10)).map("".join)


@slotjson.model
class StringHolder:
    s: str
    xs: list[str]
    d: dict[str, str]
    anything: Any


@PROPERTY
@given(bad=texts_with_surrogates, where=st.sampled_from(["top", "list", "key", "field", "list-field", "key-field",
                                                           "any-field"]))
def test_lone_surrogates(path_mode, bad, where):
    value = {
        "top": bad,
        "list": ["ok", bad],
        "key": {bad: 1},
        "field": StringHolder(bad, [], {}, None),
        "list-field": StringHolder("", ["x", bad], {}, None),
        "key-field": StringHolder("", [], {bad: ""}, None),
        "any-field": StringHolder("", [], {}, {"k": [bad]}),
    }[where]
    # With ascii=False the stdlib would write the surrogate and then fail to
    # encode it: both sides must refuse with the same EncodeError instead.
    e = assert_same_error(value)
    assert "lone surrogate" in str(e)
    # With ascii=True it is escaped exactly like json.dumps(ensure_ascii=True) does.
    assert_oracle(value, ascii=True)


@PROPERTY
@given(value=json_values)
def test_to_builtins_is_plain_json_data(value):
    # The reference conversion yields only what json.dumps accepts natively
    # (this makes the oracle meaningful, and to_builtins usable on its own).
    def check(v):
        if isinstance(v, dict):
            for k, x in v.items():
                assert type(k) in (str, int), type(k)
                check(x)
        elif isinstance(v, list):
            for x in v:
                check(x)
        else:
            assert v is None or type(v) in (bool, int, float, str), type(v)

    check(slotjson.to_builtins(value))


@pytest.mark.parametrize("what", ["model", "builtins"])
def test_generators_produce_what_they_claim(what):
    # Guard against a strategy that silently degenerates (e.g. only empty models).
    seen_fields = set()

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def collect(data):
        if what == "model":
            spec = data.draw(model_specs(2))
            seen_fields.update(f.name for f in dataclasses.fields(spec.ann))
        else:
            seen_fields.add(type(data.draw(json_values)).__name__)

    collect()
    assert len(seen_fields) >= 3, seen_fields
