"""The public surface: exported names, option validation, packaging."""

import dataclasses
import importlib.resources
import math

import pytest
import slotjson

CORE_NAMES = {"model", "field", "compile", "dumps", "to_builtins", "describe", "EncodeError", "SpecError"}


def test_all_names_exist():
    assert isinstance(slotjson.__all__, (list, tuple))
    assert len(set(slotjson.__all__)) == len(slotjson.__all__), "duplicates in __all__"
    for name in slotjson.__all__:
        assert hasattr(slotjson, name), f"__all__ lists {name!r} but the module has no such attribute"
    missing = CORE_NAMES - set(slotjson.__all__)
    assert not missing, f"missing from __all__: {sorted(missing)}"


def test_exception_hierarchy():
    assert issubclass(slotjson.EncodeError, TypeError)
    assert issubclass(slotjson.EncodeError, ValueError)
    assert issubclass(slotjson.SpecError, TypeError)
    assert not issubclass(slotjson.SpecError, slotjson.EncodeError)


@pytest.mark.parametrize("fn", [slotjson.dumps, slotjson.to_builtins], ids=["dumps", "to_builtins"])
@pytest.mark.parametrize(
    "kwargs,exc",
    [
        ({"nan": "bogus"}, ValueError),
        ({"nan": "NULL"}, ValueError),  # spelled exactly
        ({"max_depth": -1}, ValueError),
        ({"timedelta": "x"}, ValueError),
        ({"timedelta": "ISO"}, ValueError),
        ({"max_depth": True}, ValueError),  # a bool is not a depth
        ({"default": 3}, TypeError),  # not callable
        ({"indent": 2}, TypeError),  # unknown keyword
        ({"ensure_ascii": True}, TypeError),  # the stdlib spelling is not an alias
    ],
    ids=repr,
)
def test_option_validation(fn, kwargs, exc):
    # Validated up front, even when the value itself would need none of them.
    with pytest.raises(exc):
        fn([1, "a"], **kwargs)


@pytest.mark.parametrize("fn", [slotjson.dumps, slotjson.to_builtins], ids=["dumps", "to_builtins"])
def test_options_are_keyword_only(fn):
    with pytest.raises(TypeError):
        fn([1.0], True)


def test_explicit_defaults_match_implicit():
    value = [1, 1.5, "é", {"k": None}]
    explicit = dict(utc_z=False, omit_microseconds=False, nan="error", ascii=False, default=None, max_depth=256,
                    timedelta="iso")
    assert slotjson.dumps(value, **explicit) == slotjson.dumps(value) == '[1,1.5,"é",{"k":null}]'.encode()
    assert slotjson.to_builtins(value, **explicit) == slotjson.to_builtins(value)


def test_valid_option_values_accepted():
    assert slotjson.dumps([math.nan], nan="null") == b"[null]"
    assert slotjson.dumps([[1]], max_depth=2) == b"[[1]]"
    assert slotjson.dumps(1, max_depth=0) == b"1"  # a scalar has no depth


def test_dumps_returns_bytes_and_to_builtins_plain_data():
    @slotjson.model
    class P:
        x: int
        ys: tuple[int, ...]

    assert type(slotjson.dumps(P(1, (2,)))) is bytes
    assert slotjson.to_builtins(P(1, (2, 3))) == {"x": 1, "ys": [2, 3]}
    assert slotjson.to_builtins([P(1, ())]) == [{"x": 1, "ys": []}]


def test_model_options_validated():
    with pytest.raises((ValueError, TypeError)):

        @slotjson.model(rename="snake_bogus")
        class A:
            x: int

    with pytest.raises((ValueError, TypeError)):
        slotjson.field(omit_if="sometimes")


def test_field_is_a_dataclass_field():
    @slotjson.model
    class F:
        a: int = slotjson.field(default=3, name="A", repr=False)
        b: list[int] = slotjson.field(default_factory=list, omit_if="empty")

    fields = {f.name: f for f in dataclasses.fields(F)}
    assert fields["a"].default == 3 and fields["a"].repr is False
    assert F().b == [] and F().b is not F().b
    assert slotjson.dumps(F()) == b'{"A":3}'


def test_model_bare_and_called_forms():
    @slotjson.model
    class Bare:
        x: int

    @slotjson.model()
    class Called:
        x: int

    for cls in (Bare, Called):
        assert dataclasses.is_dataclass(cls) and "__slots__" in cls.__dict__
        assert slotjson.dumps(cls(1)) == b'{"x":1}'


def test_describe_returns_text():
    @slotjson.model(rename="kebab")
    class D:
        some_field: int

    text = slotjson.describe(D)
    assert isinstance(text, str) and "some_field" in text and "some-field" in text


def test_native_test_hooks_exist():
    assert callable(slotjson._native.raw_path_enabled)
    assert callable(slotjson._native._set_raw_path)
    assert isinstance(slotjson._native.raw_path_enabled(), bool)


def test_py_typed_is_installed():
    marker = importlib.resources.files("slotjson").joinpath("py.typed")
    assert marker.is_file(), "py.typed missing: type checkers would ignore the package's annotations"
