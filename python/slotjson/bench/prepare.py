"""Per-workload setup: slotjson's reference output and each competitor's verification.

The expected data is what slotjson writes, parsed. slotjson itself is held
to its own oracle first (``dumps(x)`` must equal the stdlib encoding of
``to_builtins(x)``, byte for byte) on a prefix of the list; if it fails
that, or cannot encode the workload at all, it is not timed and the oracle
becomes the reference, so the competitors are still checked and timed.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from typing import Any

import slotjson

from . import verify
from .competitors import Competitor, Encoders
from .features import is_fatal
from .workloads import Workload

__all__ = ["ORACLE_PREFIX", "Prepared", "Verdict", "oracle_bytes", "prepare"]

ORACLE_PREFIX = 100  # items checked byte for byte against to_builtins


@dataclasses.dataclass(frozen=True)
class Verdict:
    ok: bool
    detail: str
    raised: bool = False  # refused because it raised, not because it was wrong


@dataclasses.dataclass
class Prepared:
    expected: Any  # the workload's JSON, parsed
    encoders: dict[str, tuple[Competitor, Encoders]]  # verified competitors only
    verdicts: dict[str, Verdict]  # every library, slotjson included
    outputs: dict[str, bytes]  # each verified library's whole-list output, slotjson's included
    call_ns: dict[str, int]  # how long producing it took (it warmed the encoder up)
    # What each verified competitor is given: the workload's items, or for a
    # builtins_only one on a model workload the same data as dicts and lists.
    inputs: dict[str, list] = dataclasses.field(default_factory=dict)

    @property
    def sizes(self) -> dict[str, int]:
        return {name: len(output) for name, output in self.outputs.items()}

    @property
    def slotjson_ok(self) -> bool:
        """Whether slotjson encoded the workload and passed its oracle check."""
        return "slotjson" in self.outputs

    def refused_by_raising(self, competitors: Sequence[Competitor]) -> list[Competitor]:
        return [c for c in competitors if c.name in self.verdicts and self.verdicts[c.name].raised]


def oracle_bytes(items: Any) -> bytes:
    """The documented equivalent of ``slotjson.dumps(items)``, in pure Python."""
    return json.dumps(
        slotjson.to_builtins(items), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode()


def _describe_failure(exc: BaseException) -> str:
    return f"raised {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")


def _check_slotjson(items: list) -> tuple[bytes | None, int, Verdict]:
    prefix = items[:ORACLE_PREFIX]
    try:
        started = time.perf_counter_ns()
        output = slotjson.dumps(items)
        took = time.perf_counter_ns() - started
        got = slotjson.dumps(prefix)
    except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
        if is_fatal(exc):
            raise
        return None, 0, Verdict(False, _describe_failure(exc), raised=True)
    want = oracle_bytes(prefix)
    if got != want:
        at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        around = slice(max(0, at - 30), at + 30)
        detail = (
            f"differs from its oracle at byte {at} of the first {len(prefix)} items: "
            f"dumps wrote {got[around]!r}, to_builtins + json.dumps wrote {want[around]!r}"
        )
        return None, 0, Verdict(False, detail)
    return output, took, Verdict(True, "matches to_builtins() + json.dumps on the first items")


def _check_competitor(
    competitor: Competitor, model: type, items: list, expected: Any
) -> tuple[Encoders | None, bytes, int, Verdict]:
    try:
        encoders = competitor.build(model)
        started = time.perf_counter_ns()
        whole = encoders.many(items)
        took = time.perf_counter_ns() - started
        one = encoders.one(items[0])
    except BaseException as exc:  # noqa: BLE001
        if is_fatal(exc):
            raise
        return None, b"", 0, Verdict(False, _describe_failure(exc), raised=True)
    problem = verify.check(expected, whole)
    if problem is None:
        problem = verify.check(expected[0], one)
        if problem is not None:
            problem = "encoding one item: " + problem
    if problem is not None:
        return None, b"", 0, Verdict(False, f"output differs from the reference: {problem}")
    return encoders, whole, took, Verdict(True, "same data as the reference")


def prepare(workload: Workload, competitors: Sequence[Competitor]) -> Prepared:
    items = workload.items
    output, took, slot_verdict = _check_slotjson(items)
    verdicts = {"slotjson": slot_verdict}
    if output is not None:
        expected = json.loads(output)
    else:
        try:
            expected = json.loads(oracle_bytes(items))
        except BaseException as exc:  # noqa: BLE001
            if is_fatal(exc):
                raise
            # Without any reference nothing can be verified, so nothing is timed.
            for competitor in competitors:
                reason = f"no reference output: to_builtins {_describe_failure(exc)}"
                verdicts[competitor.name] = Verdict(False, reason)
            return Prepared(None, {}, verdicts, {}, {})
    models = workload.model not in (dict, list)  # a workload of model instances, not of plain data
    encoders: dict[str, tuple[Competitor, Encoders]] = {}
    outputs = {"slotjson": output} if output is not None else {}
    call_ns = {"slotjson": took} if output is not None else {}
    inputs: dict[str, list] = {}
    for competitor in competitors:
        given = expected if competitor.builtins_only and models else items
        built, whole, took, verdict = _check_competitor(competitor, workload.model, given, expected)
        verdicts[competitor.name] = verdict
        if built is not None:
            encoders[competitor.name] = (competitor, built)
            outputs[competitor.name] = whole
            call_ns[competitor.name] = took
            inputs[competitor.name] = given
    return Prepared(expected, encoders, verdicts, outputs, call_ns, inputs)
