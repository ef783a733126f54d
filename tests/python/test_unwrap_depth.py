"""Unwrapping steps count toward max_depth (spec/TYPES.md §9): an Enum's
value and a default= hook's result are written in place of the value, so
a value that unwraps to itself (or to another such value, endlessly) must
end with `maximum depth N exceeded` in every mode and in to_builtins, never
recurse until the C stack overflows.

Attacks run in child processes (child_process.run_attack): on a build that
does not count these steps they crash the interpreter.
"""

import enum

import pytest
from child_process import run_attack
from conftest import assert_oracle, assert_same_error

pytestmark = pytest.mark.usefixtures("path_mode")

MODES = """
MODES = [{}, {"release_gil": True}, {"threads": 2}]
def every_mode(x, **o):
    '''Every encode path and to_builtins, one line each, deduplicated.'''
    seen = {outcome(slotjson.dumps, x, **o, **m) for m in MODES}
    if isinstance(x, list):
        seen.add(outcome(lambda: bytes(slotjson.dumps_indexed(x, **o))))
    seen.add(outcome(slotjson.to_builtins, x, **o).replace("ok ", "ok-ref "))
    return " | ".join(sorted(seen))
"""


def test_enum_whose_value_is_itself():
    out = run_attack(
        MODES,
        """
        class S(enum.Enum):
            A = 1
        S.A._value_ = S.A
        print(every_mode(S.A))
        print(every_mode([1, S.A]))
        print(every_mode([S.A] * 50))
        print(every_mode({"k": S.A}, max_depth=5))
        """,
    )
    assert out.splitlines() == [
        "EncodeError: maximum depth 256 exceeded",
        "EncodeError: [1]: maximum depth 256 exceeded",
        "EncodeError: [0]: maximum depth 256 exceeded",
        "EncodeError: ['k']: maximum depth 5 exceeded",
    ]


def test_enums_whose_values_are_each_other():
    out = run_attack(
        MODES,
        """
        class S(enum.Enum):
            A = 1
        class T(enum.IntEnum):
            B = 2
        S.A._value_ = T.B
        T.B._value_ = S.A
        print(every_mode(S.A))
        print(every_mode([T.B], max_depth=3))
        """,
    )
    assert out.splitlines() == [
        "EncodeError: maximum depth 256 exceeded",
        "EncodeError: [0]: maximum depth 3 exceeded",
    ]


def test_enum_field_whose_value_is_itself():
    # A field annotated with the Enum (its values are compiled into the plan)
    # and one annotated Any.
    out = run_attack(
        MODES,
        """
        class S(enum.Enum):
            A = 1
        S.A._value_ = S.A
        @dataclasses.dataclass(slots=True)
        class M:
            typed: Optional[S]
            loose: Any
        print(every_mode(M(S.A, 1)))
        print(every_mode(M(None, S.A)))
        """,
    )
    assert out.splitlines() == [
        "EncodeError: M.typed: maximum depth 256 exceeded",
        "EncodeError: M.loose: maximum depth 256 exceeded",
    ]


def test_hook_chain_deeper_than_the_thread_stack():
    # Each hook result is another unsupported value: with a huge max_depth
    # the chain is stopped by the stack check, on a small thread stack too.
    out = run_attack(
        """
        class A:
            def __init__(self, n): self.n = n
        class B(A):
            pass
        def hook(o):
            return "end" if o.n == 0 else (B if type(o) is A else A)(o.n - 1)
        result = []
        def run():
            result.append(outcome(slotjson.dumps, [A(300_000)], default=hook, max_depth=10**9))
            result.append(outcome(slotjson.dumps, [A(10)], default=hook, max_depth=10**9))
        threading.stack_size(512 * 1024)
        t = threading.Thread(target=run)
        t.start()
        t.join()
        print("\\n".join(result))
        """
    )
    deep, shallow = out.splitlines()
    assert deep.startswith("EncodeError: [0]: nesting deeper than") and "stack" in deep, deep
    assert shallow == 'ok ["end"]'


def test_enum_chain_longer_than_max_depth_is_refused():
    # 300 distinct Enum members, each the value of the previous one.
    out = run_attack(
        MODES,
        """
        members = [enum.Enum(f"E{i}", "X").X for i in range(300)]
        for a, b in zip(members, members[1:]):
            a._value_ = b
        members[-1]._value_ = "bottom"
        print(every_mode(members[0]))
        print(every_mode(members[0], max_depth=400))
        print(every_mode(members[200]))
        """,
    )
    assert out.splitlines() == [
        "EncodeError: maximum depth 256 exceeded",
        'ok "bottom" | ok-ref "bottom"',
        'ok "bottom" | ok-ref "bottom"',
    ]


class Plain(enum.Enum):
    A = "a"
    B = 2


class Nested(enum.Enum):
    X = Plain.A


def test_enum_unwrapping_within_max_depth():
    # Each unwrapping step counts, containers do not add to it: an Enum whose
    # value is an Enum needs two steps.
    assert assert_oracle([Plain.A, Plain.B, {"k": Nested.X}]) == b'["a",2,{"k":"a"}]'
    assert assert_oracle(Nested.X, max_depth=2) == b'"a"'
    e = assert_same_error([Nested.X], max_depth=1)
    assert str(e) == "[0]: maximum depth 1 exceeded"
    assert assert_oracle([[Plain.A]], max_depth=2) == b'[["a"]]'


def test_hook_results_and_enum_values_share_the_count():
    class Foo:
        pass

    def hook(o):
        return Nested.X  # one hook call, then two Enum steps

    assert assert_oracle(Foo(), default=hook, max_depth=3) == b'"a"'
    e = assert_same_error(Foo(), default=hook, max_depth=2)
    assert str(e) == "maximum depth 2 exceeded"
