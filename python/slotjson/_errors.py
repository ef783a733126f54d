"""Exception types and the one path renderer shared by the Rust and Python encoders.

Both encoders describe *where* a value failed as a tuple of tagged segments:

* ``("field", "name")`` - a dataclass field, by attribute name (not JSON key),
* ``("index", 3)``      - a list or tuple position,
* ``("key", k)``        - a dict entry, by its original key object.

The tags keep a dict key ``"name"`` apart from a field ``name`` while the path
is rendered; ``EncodeError.path`` then exposes the untagged values. Keeping a
single renderer here guarantees that ``dumps`` and ``to_builtins`` produce the
same message for the same failure.
"""

from __future__ import annotations

__all__ = [
    "EncodeError",
    "FormatError",
    "SpecError",
    "encode_error",
    "render_path",
]

FIELD = "field"
INDEX = "index"
KEY = "key"


class SpecError(TypeError):
    """A model annotation cannot be compiled (unsupported or unresolvable).

    The message names the class, the field and the offending annotation, e.g.
    ``PullRequest.callback: unsupported annotation typing.Callable[[], int]``.
    """


class EncodeError(TypeError, ValueError):
    """A value cannot be written as JSON.

    Subclasses both ``TypeError`` (wrong type for an annotation, unsupported
    type) and ``ValueError`` (NaN, lone surrogate, cycles, depth), so callers
    that catch what ``json.dumps`` raises keep working.

    ``path`` locates the value: field attribute names (``str``), list indices
    (``int``) and dict keys (as they appear in the dict), outermost first.
    """

    path: tuple[object, ...]

    def __init__(self, message: str, path: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


class FormatError(ValueError):
    """A serialized document or its index is malformed or used inconsistently."""


def render_path(root: str, segments: tuple[tuple[str, object], ...]) -> str:
    """``root`` followed by ``.name``, ``[3]`` and ``[repr(key)]`` parts.

    ``root`` is the class ``__name__`` when the top-level argument is a
    dataclass instance and ``""`` otherwise, so ``[5].labels[2].name`` reads
    as "inside a top-level list".
    """
    parts = [root]
    for tag, value in segments:
        if tag == FIELD:
            parts.append(f".{value}")
        elif tag == INDEX:
            parts.append(f"[{value}]")
        elif tag == KEY:
            parts.append(f"[{value!r}]")
        else:
            raise ValueError(f"unknown path segment tag {tag!r}")
    return "".join(parts)


def encode_error(
    root: str,
    segments: tuple[tuple[str, object], ...],
    detail: str,
    cause: BaseException | None = None,
) -> EncodeError:
    """Build (not raise) the ``EncodeError`` for a failure at ``segments``.

    The message is ``f"{rendered}: {detail}"``, or just ``detail`` when the
    rendered path is empty (a bare top-level scalar such as ``float("nan")``).
    ``cause`` becomes ``__cause__`` so tracebacks show e.g. the exception a
    ``default=`` hook raised.
    """
    segments = tuple(segments)
    rendered = render_path(root, segments)
    message = f"{rendered}: {detail}" if rendered else detail
    error = EncodeError(message, tuple(value for _, value in segments))
    if cause is not None:
        error.__cause__ = cause
    return error
