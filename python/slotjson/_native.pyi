# The part of the Rust extension module that the Python side relies on.
from typing import Any, Callable, Literal, Sequence, TypedDict

from ._spec import ModelSpec

class PlanField(TypedDict):
    name: str
    key: str
    offset: int | None  # byte offset of the slot; None: read with getattr
    writer: str
    omit: str | None

class Plan:
    def fields(self) -> list[PlanField]: ...

def build_plans(specs: Sequence[ModelSpec], /) -> list[Plan]: ...
def dumps(
    obj: object,
    /,
    *,
    utc_z: bool = False,
    omit_microseconds: bool = False,
    nan: Literal["error", "null"] = "error",
    ascii: bool = False,
    default: Callable[[Any], Any] | None = None,
    max_depth: int = 256,
    timedelta: Literal["iso", "seconds"] = "iso",
) -> bytes: ...
