"""Which parts of the slotjson API the installed build has.

The harness benchmarks whatever exists and says what it skipped, so it runs
against older and partial builds. Keyword arguments are probed by calling
``dumps`` on an empty list rather than by reading a signature, because a
native function's signature is only as good as its text_signature.
"""

from __future__ import annotations

import dataclasses

import slotjson

__all__ = ["Features", "detect", "is_fatal"]


def is_fatal(exc: BaseException) -> bool:
    """Whether an exception must propagate instead of being reported.

    Encoders are called under ``except BaseException`` because a Rust panic
    surfaces as ``pyo3_runtime.PanicException``, which derives from
    BaseException; interrupts and exits must still stop the run.
    """
    return isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


def _accepts(keyword: str, value: object) -> bool:
    try:
        slotjson.dumps([], **{keyword: value})
    except TypeError:
        return False
    except BaseException as exc:  # noqa: BLE001 - a panic in a half-built module means "not usable"
        if is_fatal(exc):
            raise
        return False
    return True


@dataclasses.dataclass(frozen=True)
class Features:
    indexed: bool  # slotjson.dumps_indexed(items) -> Document with .page()
    cache: bool  # Document.to_bytes() and Document.from_bytes()
    threads: bool  # dumps(..., threads=N)
    release_gil: bool  # dumps(..., release_gil=True)

    def describe(self) -> dict[str, bool]:
        return dataclasses.asdict(self)


def detect() -> Features:
    document = getattr(slotjson, "Document", None)
    indexed = hasattr(slotjson, "dumps_indexed")
    return Features(
        indexed=indexed,
        cache=indexed and document is not None and hasattr(document, "from_bytes") and hasattr(document, "to_bytes"),
        threads=_accepts("threads", 1),
        release_gil=_accepts("release_gil", True),
    )
