"""slotjson: schema-compiled JSON for Python dataclasses (and pydantic v2
models, attrs classes and msgspec Structs, encoded as they are).

``@model`` makes a slotted dataclass; ``dumps`` writes it (and lists, dicts
and scalars around it) as compact UTF-8 JSON by reading slots at their byte
offsets; ``to_builtins`` is the pure-Python reference of the same conversion.
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from ._describe import describe
from ._errors import EncodeError, FormatError, SpecError
from ._model import field, model
from ._reference import to_builtins
from ._spec import compile

try:
    __version__ = _version("slotjson")
except _PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

# Last, so that a missing or broken extension module fails here, after the
# pure-Python parts have imported cleanly.
from . import _native  # noqa: E402

# The native function itself: a Python wrapper would cost a call per dumps().
dumps = _native.dumps
dumps_indexed = _native.dumps_indexed
Document = _native.Document
set_threads = _native.set_threads

__all__ = [
    "Document",
    "EncodeError",
    "FormatError",
    "SpecError",
    "__version__",
    "compile",
    "describe",
    "dumps",
    "dumps_indexed",
    "field",
    "model",
    "set_threads",
    "to_builtins",
]
