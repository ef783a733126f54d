"""The model classes the benchmark workloads are made of.

All are ``@slotjson.model`` (slotted dataclasses), so every competitor sees the
very same instances: orjson and msgspec encode dataclasses natively, pydantic
through a ``TypeAdapter``, the stdlib and ujson through ``dataclasses.asdict``.

No ``rename=`` or ``omit_none=`` here on purpose: none of the competitors can
apply slotjson's renames to a plain dataclass, and the harness compares
outputs key for key. Annotations are real objects (no ``from __future__
import annotations``) so pydantic resolves them without module lookups.
"""

import datetime

import slotjson

__all__ = ["ApiCheck", "ApiCommit", "ApiPullRequest", "ApiUser", "Article", "FlatRow", "Label", "Measurement",
           "PullRequest", "User"]


# -- nested: a code-review "pull request" with small nested models ---------------------


@slotjson.model
class User:
    id: int
    login: str
    display_name: str | None
    site_admin: bool
    reputation: float


@slotjson.model
class Label:
    name: str
    color: str
    description: str | None


@slotjson.model
class PullRequest:
    id: int
    number: int
    title: str
    body: str
    state: str
    draft: bool
    author: User
    assignees: list[User]
    reviewers: list[User]
    labels: list[Label]
    created_at: datetime.datetime  # aware, UTC
    updated_at: datetime.datetime  # naive
    merged_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    milestone: str | None
    additions: int
    deletions: int
    changed_files: int
    review_score: float
    coverage: dict[str, float]


# -- flat: rows of scalars, the shape of a database result -----------------------------


@slotjson.model
class FlatRow:
    id: int
    name: str
    active: bool
    score: float
    quantity: int
    price: float
    created_at: datetime.datetime
    category: str | None


# -- table: the rows of a DataFrame (the ``table`` operation builds the frames) -------


@slotjson.model
class TableRow:
    id: int
    score: float | None  # NaN in the pandas frame, null in the JSON
    name: str
    created_at: datetime.datetime  # UTC
    active: bool
    count: int | None  # pandas' nullable Int64
    category: str
    price: float


# -- text: long strings of every CPython storage width (1, 2 and 4 bytes per char) -----


@slotjson.model
class Article:
    id: int
    ascii_text: str
    latin1_text: str
    bmp_text: str
    astral_text: str
    escaped_text: str
    tags: list[str]


# -- numeric: floats across the whole exponent range, ints beyond 64 bits --------------


@slotjson.model
class Measurement:
    id: int
    counter: int  # within 64 bits
    big: int  # beyond 64 bits in some rows (orjson gets a variant without them)
    ratio: float
    tiny: float  # 1e-300 and below, subnormals included
    huge: float  # up to the largest finite double
    readings: list[float]
    counts: list[int]


# -- api: a code-analytics API response (27 fields, the shape real services send) ------


@slotjson.model
class ApiUser:
    id: int
    login: str
    name: str | None
    bot: bool


@slotjson.model
class ApiCommit:
    sha: str
    message: str
    authored_at: datetime.datetime  # aware, with microseconds
    additions: int
    deletions: int


@slotjson.model
class ApiCheck:
    name: str
    conclusion: str | None
    duration_s: float


@slotjson.model
class ApiPullRequest:
    id: int
    number: int
    repository: str
    title: str  # mixed scripts, quotes, backslashes, tabs, newlines, emoji
    body: str | None
    state: str
    draft: bool
    author: ApiUser
    reviewers: list[ApiUser]
    commits: list[ApiCommit]
    checks: list[ApiCheck]
    labels: list[str] | None
    created_at: datetime.datetime | None  # the nine optional aware datetimes
    updated_at: datetime.datetime | None
    first_commit_at: datetime.datetime | None
    first_review_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    merged_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    deployed_at: datetime.datetime | None
    reverted_at: datetime.datetime | None
    additions: int
    deletions: int
    cycle_time_h: float | None
    risk_score: float
    file_churn: dict[str, float]
    linked_issues: list[int] | None
