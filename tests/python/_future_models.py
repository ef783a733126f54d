"""Models declared under `from __future__ import annotations`.

Every annotation here is a string until slotjson resolves it against this
module's globals, including the `X | None` spelling and a self-referential type.
Imported by test_oracle_models.py (the leading underscore keeps pytest from
collecting it).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import ClassVar, Optional

import slotjson


@slotjson.model
class FutureLabel:
    name: str
    weight: float = 1.0


@slotjson.model(rename="camel", omit_none=True)
class FutureIssue:
    issue_id: int
    title: str
    opened_at: datetime
    closed_at: Optional[datetime]
    assignee: str | None
    labels: list[FutureLabel]
    counters: dict[str, int]
    parent: FutureIssue | None = None
    registry: ClassVar[dict[str, int]] = {}


@slotjson.model
class FutureTree:
    value: int
    children: list[FutureTree] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class FuturePlain:
    """Not decorated and not slotted: serialized from its dataclass fields."""

    when: datetime
    items: tuple[int, ...]
