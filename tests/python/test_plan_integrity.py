"""Plans read object memory at byte offsets, so nothing Python code can
change may decide an offset: the native side takes an offset only from a
member descriptor of the class itself (or a base in its MRO), of the
`__slots__` kind, that lies inside the instance (spec/TYPES.md §6, §11).
Plans are found and stored in the class's own namespace, whatever its
metaclass does, and a plan is used only on the class it was built for.

Every attack runs in a child process (child_process.run_attack): on a
build without these checks several of them crash the interpreter.
"""

import dataclasses
from typing import Any

import pytest
import slotjson
from child_process import run_attack
from conftest import assert_oracle

pytestmark = pytest.mark.usefixtures("path_mode")

MODES = """
MODES = [{}, {"release_gil": True}, {"threads": 2}]
def every_mode(x, **o):
    '''One line per encode path; all must agree.'''
    seen = {outcome(slotjson.dumps, x, **o, **m) for m in MODES}
    indexed = outcome(lambda: bytes(slotjson.dumps_indexed([x], **o))[1:-1])
    # An error from the one-item list names the item: [0].x for D.x.
    assert indexed.startswith(("ok ", "EncodeError: [0]")), indexed
    if indexed.startswith("ok "):
        seen.add(indexed)
    return " | ".join(sorted(seen))
"""


# -- descriptors of another class ------------------------------------------


def test_member_descriptor_of_another_class_on_a_float_subclass():
    # D's instances hold a float at the offset where Other keeps slot `a`:
    # reading it as a pointer crashed.
    out = run_attack(
        MODES,
        """
        class Other:
            __slots__ = ("a",)
        @dataclasses.dataclass
        class D(float):
            x: float = 0.0
        d = D(1.5)
        D.x = Other.a
        print(every_mode(d))
        print(outcome(slotjson.to_builtins, d))
        """
    )
    native, reference = out.splitlines()
    # Both read the attribute through the planted descriptor, which refuses a D.
    assert native.startswith("EncodeError: D.x: TypeError: descriptor 'a' for 'Other' objects"), native
    assert reference == native


def test_member_descriptor_of_another_class_on_a_plain_dataclass():
    # Offset 16 of a plain dataclass instance is not Other's slot: it gave
    # whatever object pointer happened to be there.
    out = run_attack(
        MODES,
        """
        import weakref
        class Other:
            __slots__ = ("a",)
        @dataclasses.dataclass
        class P:
            x: int
            y: int
        p = P(1, 2)
        alive = weakref.ref(p)  # P's __weakref__ pointer sits where Other keeps `a`
        P.y = Other.a
        print(every_mode(p))
        """
    )
    assert out.strip().startswith("EncodeError: P.y: TypeError: descriptor 'a' for 'Other' objects"), out


def test_member_descriptor_of_a_subclass_is_not_used_on_its_base():
    # Sub's slot `extra` lies past the end of a Base instance.
    out = run_attack(
        MODES,
        """
        @dataclasses.dataclass(slots=True)
        class Base:
            x: int
        @dataclasses.dataclass(slots=True)
        class Sub(Base):
            extra: str
        spec = _spec.spec_for(Base)
        forged = dataclasses.replace(spec, fields=tuple(
            dataclasses.replace(f, slot=Sub.__dict__["extra"]) for f in spec.fields))
        plan, = _native.build_plans([forged])
        print(plan.fields()[0]["offset"])
        type.__setattr__(Base, "__slotjson_plan__", plan)
        print(every_mode(Base(7)))
        """
    )
    offset, native = out.splitlines()
    assert offset == "None"
    # Read by attribute lookup instead: the right value.
    assert native == 'ok {"x":7}'


@pytest.mark.parametrize(
    "descriptor",
    [
        "Other.__dict__['a']",  # another class's slot
        "dt.timedelta.__dict__['days']",  # a member descriptor of another kind (T_INT) and class
        "type.__dict__['__basicsize__']",  # a member of the metatype
        "types.SimpleNamespace()",  # not a descriptor at all
    ],
)
def test_forged_spec_slots_get_no_offset(descriptor):
    # build_plans checks every slot natively, whatever a spec says.
    out = run_attack(
        MODES,
        f"""
        class Other:
            __slots__ = ("a",)
        @dataclasses.dataclass
        class F(float):
            x: int = 0
        f = F(2.5)
        f.x = 11
        spec = _spec.spec_for(F)
        forged = dataclasses.replace(spec, slotted=True, fields=tuple(
            dataclasses.replace(fs, slot={descriptor}) for fs in spec.fields))
        plan, = _native.build_plans([forged])
        print(plan.fields()[0]["offset"])
        """
    )
    assert out.strip() == "None"


def test_own_and_inherited_slots_keep_their_offsets():
    # The checks keep every legitimate slot: inherited ones included.
    @slotjson.model
    class Base:
        a: int
        b: str

    @slotjson.model
    class Sub(Base):
        c: list[int]

    offsets = [f["offset"] for f in slotjson._native.build_plans([slotjson._spec.spec_for(Sub)])[0].fields()]
    assert all(isinstance(o, int) and o >= 16 for o in offsets), offsets
    assert len(set(offsets)) == 3
    assert_oracle([Sub(1, "x", [2]), Base(3, "y")])


# -- forged specs and plans --------------------------------------------------


def test_metaclass_forging_the_cached_spec_through_dict():
    # A metaclass whose __dict__ shows a spec with another class's slot: the
    # cached spec is read from the real namespace, and the offset is refused
    # natively anyway.
    out = run_attack(
        MODES,
        """
        class Other:
            __slots__ = ("a",)
        class Forging(type):
            forge = {}
            @property
            def __dict__(cls):
                real = dict(type.__dict__["__dict__"].__get__(cls))
                real.update(Forging.forge)
                return real
        @dataclasses.dataclass
        class D(float, metaclass=Forging):
            x: int = 0
        d = D(1.5)
        d.x = 5
        honest = _spec.ModelSpec(D, "D", True, tuple(
            dataclasses.replace(f, slot=Other.__dict__["a"]) for f in _spec._build_spec(D).fields))
        Forging.forge = {"__slotjson_spec__": honest}
        print(every_mode(d))
        print(outcome(slotjson.to_builtins, d))
        """
    )
    assert out.splitlines() == ['ok {"x":5}', 'ok {"x":5}']


def test_metaclass_refusing_the_plan_attribute():
    # Plan lookup and storage use the class's own namespace, not getattr.
    out = run_attack(
        MODES,
        """
        class Refusing(type):
            def __getattribute__(cls, name):
                if name.startswith("__slotjson"):
                    raise AttributeError(name)
                return super().__getattribute__(name)
        @dataclasses.dataclass(slots=True)
        class R(metaclass=Refusing):
            x: int
            tags: list
        r = R(3, ["a"])
        print(every_mode(r))
        print(every_mode([r, R(4, [])]))
        print(outcome(slotjson.to_builtins, r))
        print(outcome(slotjson.describe, R)[:3])
        """
    )
    assert out.splitlines() == [
        'ok {"x":3,"tags":["a"]}',
        'ok [{"x":3,"tags":["a"]},{"x":4,"tags":[]}]',
        'ok {"x":3,"tags":["a"]}',
        "ok ",
    ]


def test_metaclass_hiding_and_forging_attributes_through_getattribute():
    # A metaclass whose attribute lookup answers the plan of another class.
    out = run_attack(
        MODES,
        """
        @dataclasses.dataclass(slots=True)
        class Other:
            s: str
        slotjson.compile(Other)
        other_plan = type.__dict__["__dict__"].__get__(Other)["__slotjson_plan__"]
        class Lying(type):
            def __getattribute__(cls, name):
                if name == "__slotjson_plan__":
                    return other_plan
                return super().__getattribute__(name)
        @dataclasses.dataclass(slots=True)
        class L(metaclass=Lying):
            n: int
        print(every_mode(L(9)))
        """
    )
    assert out.strip() == 'ok {"n":9}'


def test_plan_copied_onto_another_class_is_not_used():
    # Same shape, other layout: a copied plan is ignored and L gets its own.
    out = run_attack(
        MODES,
        """
        @dataclasses.dataclass(slots=True)
        class A:
            s: str
            t: str
        @dataclasses.dataclass(slots=True)
        class B:
            n: float
        slotjson.compile(A)
        type.__setattr__(B, "__slotjson_plan__", type.__dict__["__dict__"].__get__(A)["__slotjson_plan__"])
        print(every_mode(B(1.5)))
        print(outcome(slotjson.to_builtins, B(1.5)))
        """
    )
    assert out.splitlines() == ['ok {"n":1.5}', 'ok {"n":1.5}']


def test_spec_copied_onto_another_class_is_not_used():
    out = run_attack(
        MODES,
        """
        @dataclasses.dataclass(slots=True)
        class A:
            s: str
        @dataclasses.dataclass(slots=True)
        class B:
            n: float
        type.__setattr__(B, "__slotjson_spec__", _spec.spec_for(A))
        print(every_mode(B(1.5)))
        print(outcome(slotjson.to_builtins, B(1.5)))
        """
    )
    assert out.splitlines() == ['ok {"n":1.5}', 'ok {"n":1.5}']


def test_subclass_does_not_use_the_plan_of_its_base():
    @slotjson.model
    class Base:
        a: int

    @dataclasses.dataclass(slots=True)
    class Sub(Base):
        b: str

    slotjson.compile(Base)
    assert assert_oracle([Base(1), Sub(2, "x")]) == b'[{"a":1},{"a":2,"b":"x"}]'


def test_class_reassignment_uses_the_new_class_plan():
    # __class__ assignment needs the same layout; the plan of the object's
    # class at the time of the call is the one used.
    @slotjson.model
    class First:
        a: int
        b: str

    @dataclasses.dataclass(slots=True)
    class Second:
        a: int
        b: Any

    x = First(1, "one")
    assert slotjson.dumps(x) == b'{"a":1,"b":"one"}'
    x.__class__ = Second
    assert assert_oracle([x, x]) == b'[{"a":1,"b":"one"},{"a":1,"b":"one"}]'


def test_slot_shadowed_after_compiling_stays_memory_safe(path_mode):
    # The layout cannot change, so the verified offset stays valid: the raw
    # path keeps reading the slot, as the reference does through the spec's
    # descriptor. (The C-API fallback reads by attribute lookup and so sees
    # the property: shadowing a field after compiling is not supported.)
    @slotjson.model
    class Shadowed:
        a: int
        b: int

    s, t = Shadowed(1, 2), Shadowed(3, 4)
    assert slotjson.dumps(s) == b'{"a":1,"b":2}'
    Shadowed.b = property(lambda self: 99)
    slot_text = b'[{"a":1,"b":2},{"a":3,"b":4}]'
    if path_mode == "raw":
        assert assert_oracle([s, t]) == slot_text
    else:
        assert slotjson.dumps([s, t]) == b'[{"a":1,"b":99},{"a":3,"b":99}]'
