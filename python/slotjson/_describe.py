"""``describe``: the compiled plan of a model class as readable text."""

from __future__ import annotations

import json

from ._spec import display_name, plan_for, spec_for
from ._readers import is_model_class

__all__ = ["describe"]

_COLUMNS = ("field", "key", "offset", "omit", "writer")


def describe(cls: type) -> str:
    """One header line, then one line per written field, e.g.::

        PullRequest: slotted, 2 fields
          field      key         offset  omit  writer
          repo_name  "repoName"  16      -     str
          merged_at  "mergedAt"  24      none  datetime | None

    ``offset`` is the slot's byte offset in the instance, or ``getattr`` when
    the value is read through attribute lookup (no slot, or shadowed by a
    property). Compiles the class (and the native plan) if needed.
    """
    if not is_model_class(cls):
        raise TypeError(f"describe expects a model class (dataclass, attrs, msgspec.Struct, pydantic), got {cls!r}")
    spec = spec_for(cls)
    assert spec is not None
    rows = [
        (
            str(entry["name"]),
            json.dumps(entry["key"], ensure_ascii=False),
            ("__dict__" if entry.get("in_dict") else "getattr") if entry.get("offset") is None else str(entry["offset"]),
            entry.get("omit") or "-",
            str(entry["writer"]),
        )
        for entry in plan_for(cls).fields()
    ]
    layout = "slotted" if spec.slotted else "not slotted (getattr)"
    count = f"{len(rows)} field" + ("" if len(rows) == 1 else "s")
    lines = [f"{display_name(cls)}: {layout}, {count}"]
    if rows:
        widths = [max(len(row[i]) for row in (_COLUMNS, *rows)) for i in range(len(_COLUMNS))]
        for row in (_COLUMNS, *rows):
            cells = [cell.ljust(width) for cell, width in zip(row, widths)]
            lines.append(("  " + "  ".join(cells)).rstrip())
    return "\n".join(lines)
