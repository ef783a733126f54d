"""Seeded, embedded workloads: lists of model instances built from ``random.Random``.

``build(name, items, seed)`` returns equal objects for equal arguments, so
two runs, or two machines with the same Python version, encode identical
data (``random`` keeps its seeded sequences stable within a version). Each
workload draws from its own stream, seeded with the workload name as well,
so ``--workload flat`` yields the same rows as the flat part of
``--workload all``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable

from . import corpus
from .corpus import ASCII, ASTRAL, BMP, ESCAPES, LATIN1
from .models import (
    ApiCheck, ApiCommit, ApiPullRequest, ApiUser, Article, FlatRow, Label, Measurement, PullRequest, TableRow,
    User,
)

__all__ = ["DEFAULT_ITEMS", "DEFAULT_SEED", "NAMES", "Workload", "build"]

DEFAULT_SEED = 20240611

# Sized so that each workload's default run stays within seconds on a 2-core
# machine; nested is the headline figure at 10,000 items.
DEFAULT_ITEMS = {"nested": 10_000, "flat": 10_000, "text": 500, "numeric": 5_000, "pydantic": 10_000,
                 "builtins": 10_000, "api": 10_000, "table": 100_000}
NAMES = tuple(DEFAULT_ITEMS)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1)


@dataclasses.dataclass(frozen=True)
class Workload:
    """A named list of model instances.

    ``fallback`` is an alternative data set for encoders that reject the
    primary one by raising (orjson and ints beyond 64 bits): they are timed on
    it, next to slotjson on the same data, instead of being dropped.
    """

    name: str
    description: str
    model: type
    items: list
    fallback: Workload | None = None


def build(name: str, items: int | None = None, seed: int = DEFAULT_SEED) -> Workload:
    if name not in _BUILDERS:
        raise ValueError(f"unknown workload {name!r}; choose from {', '.join(NAMES)}")
    count = DEFAULT_ITEMS[name] if items is None else items
    if count < 1:
        raise ValueError(f"a workload needs at least one item, got {count}")
    return _BUILDERS[name](random.Random(f"{seed}:{name}"), count)


# -- shared value generators ------------------------------------------------------------


def _timestamp(rng: random.Random, first_year: int, last_year: int) -> dt.datetime:
    """A naive datetime; microseconds are zero a third of the time, since
    encoders print them only when non-zero."""
    start = (dt.datetime(first_year, 1, 1) - EPOCH).total_seconds()
    end = (dt.datetime(last_year, 12, 31) - EPOCH).total_seconds()
    micro = 0 if rng.random() < 1 / 3 else rng.randrange(1_000_000)
    return EPOCH + dt.timedelta(seconds=rng.randrange(int(start), int(end)), microseconds=micro)


def _maybe(rng: random.Random, probability_none: float, make: Callable[[], object]) -> object:
    return None if rng.random() < probability_none else make()


# -- nested -------------------------------------------------------------------------------


def _user(rng: random.Random, uid: int) -> User:
    login = rng.choice(ASCII) + "-" + rng.choice(ASCII) + str(uid)
    display = _maybe(rng, 0.3, lambda: corpus.sentence(rng, (ASCII, LATIN1, BMP, ASTRAL), 2).title())
    return User(uid, login, display, rng.random() < 0.05, round(rng.uniform(0, 5000), rng.randint(0, 3)))


def _label(rng: random.Random) -> Label:
    name = corpus.sentence(rng, (ASCII, ASCII, LATIN1, BMP), rng.randint(1, 2))
    color = "%06x" % rng.randrange(1 << 24)
    return Label(name, color, _maybe(rng, 0.5, lambda: corpus.sentence(rng, (ASCII, ESCAPES), 5)))


def _nested(rng: random.Random, count: int) -> Workload:
    # Shared pools: as in a real API response, the same users and labels
    # appear in many pull requests (the same Python objects, too).
    users = [_user(rng, 1000 + i) for i in range(200)]
    labels = [_label(rng) for _ in range(30)]
    files = [f"src/{rng.choice(ASCII)}/{rng.choice(ASCII)}.rs" for _ in range(40)]
    items = []
    for i in range(count):
        created = _timestamp(rng, 2015, 2025)
        updated = created + dt.timedelta(seconds=rng.randrange(1, 90 * 86400))
        state = rng.choice(("open", "open", "closed", "merged"))
        merged = updated if state == "merged" else None
        closed = updated if state in ("closed", "merged") else None
        items.append(
            PullRequest(
                id=10_000_000 + i * 7,
                number=i + 1,
                title=corpus.sentence(rng, (ASCII, ASCII, LATIN1, BMP, ASTRAL, ESCAPES), rng.randint(4, 10)),
                body=corpus.text(rng, (ASCII, ASCII, ASCII, LATIN1, BMP, ASTRAL, ESCAPES), rng.randint(40, 160)),
                state=state,
                draft=rng.random() < 0.1,
                author=rng.choice(users),
                assignees=rng.sample(users, rng.randint(0, 2)),
                reviewers=rng.sample(users, rng.randint(0, 2)),
                labels=rng.sample(labels, rng.randint(0, 4)),
                created_at=created.replace(tzinfo=UTC),
                updated_at=updated,
                merged_at=None if merged is None else merged.replace(tzinfo=UTC),
                closed_at=None if closed is None else closed.replace(tzinfo=UTC),
                milestone=_maybe(rng, 0.6, lambda: "v%d.%d" % (rng.randint(0, 3), rng.randint(0, 20))),
                additions=rng.randint(0, 5000),
                deletions=rng.randint(0, 3000),
                changed_files=rng.randint(1, 80),
                review_score=rng.uniform(-1, 1),
                coverage={path: rng.uniform(0, 100) for path in rng.sample(files, rng.randint(1, 4))},
            )
        )
    return Workload("nested", "pull requests with users, labels, datetimes, dict[str, float]", PullRequest, items)


def _pydantic(rng: random.Random, count: int) -> Workload:
    # The nested data (same seed stream) as pydantic v2 models: what a FastAPI
    # application returns. Needs pydantic (the bench extra installs it).
    from . import systems

    nested = _nested(rng, count)
    items = systems.convert(nested.items, "pydantic")
    return Workload("pydantic", "pull requests shaped as in nested, as pydantic v2 models", type(items[0]), items)


# -- flat ---------------------------------------------------------------------------------


def _flat(rng: random.Random, count: int) -> Workload:
    categories = ("books", "tools", "garden", "café", "电子产品", "toys")
    items = [
        FlatRow(
            id=i,
            name=corpus.sentence(rng, (ASCII, ASCII, LATIN1), rng.randint(1, 3)),
            active=rng.random() < 0.7,
            score=rng.random(),
            quantity=rng.randint(-100, 100_000),
            price=rng.randint(1, 1_000_000) / 100,
            # 1950 onwards: dates before the epoch are a classic encoder bug.
            created_at=_timestamp(rng, 1950, 2030).replace(tzinfo=UTC),
            category=_maybe(rng, 0.2, lambda: rng.choice(categories)),
        )
        for i in range(count)
    ]
    return Workload("flat", "rows of 8 scalars", FlatRow, items)


# -- text ---------------------------------------------------------------------------------


def _text(rng: random.Random, count: int) -> Workload:
    def body(*pools: tuple[str, ...]) -> str:
        return corpus.text(rng, pools, rng.randint(400, 1600))

    items = [
        Article(
            id=i,
            ascii_text=body(ASCII),
            latin1_text=body(ASCII, LATIN1),
            bmp_text=body(ASCII, LATIN1, BMP),
            astral_text=body(ASCII, BMP, ASTRAL),
            escaped_text=body(ASCII, ESCAPES),
            tags=[corpus.sentence(rng, (ASCII, LATIN1, BMP, ASTRAL), 1) for _ in range(rng.randint(0, 6))],
        )
        for i in range(count)
    ]
    return Workload("text", "long strings of all widths (1/2/4-byte) and escapes", Article, items)


# -- numeric ------------------------------------------------------------------------------


def _reading(rng: random.Random) -> float:
    kind = rng.randrange(8)
    if kind == 0:
        return rng.choice((0.0, -0.0, 0.1, 1e16, 9999999999999998.0, 1e-4, 9.9e-5, 1e-5, 5e-324))
    if kind == 1:
        return float(rng.randint(-10**6, 10**6))  # integral: written with ".0"
    if kind == 2:
        return rng.gauss(0, 1) * 10.0 ** rng.randint(-30, 30)
    if kind == 3:
        return round(rng.uniform(-1000, 1000), rng.randint(0, 6))
    return rng.uniform(-1, 1)


def _big(rng: random.Random) -> int:
    if rng.random() < 0.25:
        return rng.choice((-1, 1)) * rng.randrange(2**64, 2**128)
    return rng.randrange(-(2**31), 2**31)


def _numeric(rng: random.Random, count: int) -> Workload:
    items = [
        Measurement(
            id=i,
            counter=rng.randrange(INT64_MIN, INT64_MAX + 1),
            big=_big(rng),
            ratio=rng.random(),
            tiny=rng.choice((5e-324, 2.2250738585072014e-308, rng.random() * 10.0 ** -rng.randint(200, 320))),
            huge=rng.choice((1.7976931348623157e308, rng.random() * 10.0 ** rng.randint(100, 307))),
            readings=[_reading(rng) for _ in range(rng.randint(4, 16))],
            counts=[rng.randint(-(10 ** k), 10**k) for k in rng.sample(range(19), 8)],
        )
        for i in range(count)
    ]
    # Same rows with `big` folded into 64 bits: what orjson can encode.
    int64_items = [
        m if INT64_MIN <= m.big <= INT64_MAX else dataclasses.replace(m, big=m.big % INT64_MAX) for m in items
    ]
    fallback = Workload(
        "numeric-int64", "numeric with every int inside 64 bits (for encoders that refuse bigger ones)",
        Measurement, int64_items,
    )
    return Workload("numeric", "floats of every exponent, ints beyond 64 bits", Measurement, items, fallback)


# -- api ------------------------------------------------------------------------------------

# Titles as people write them: mixed scripts, quotes, paths with backslashes,
# tabs and newlines pasted from terminals, emoji.
_TITLE_POOLS = (ASCII, ASCII, ASCII, LATIN1, BMP, ASTRAL, ESCAPES)


def _aware(rng: random.Random, first_year: int = 2019, last_year: int = 2026) -> dt.datetime:
    """An aware datetime in one of a few offsets, microseconds nearly always non-zero."""
    offset = dt.timezone(dt.timedelta(minutes=rng.choice((0, 0, 0, 60, 330, -300, -420, 540))))
    naive = _timestamp(rng, first_year, last_year)
    return naive.replace(microsecond=rng.randrange(1, 1_000_000) if rng.random() < 0.95 else 0, tzinfo=offset)


def _api_user(rng: random.Random, uid: int) -> ApiUser:
    name = _maybe(rng, 0.25, lambda: corpus.sentence(rng, (ASCII, LATIN1, BMP, ASTRAL), 2).title())
    return ApiUser(uid, rng.choice(ASCII) + "_" + rng.choice(ASCII) + str(uid), name, rng.random() < 0.05)


def _api(rng: random.Random, count: int) -> Workload:
    users = [_api_user(rng, 500 + i) for i in range(300)]
    repositories = [f"{rng.choice(ASCII)}-org/{rng.choice(ASCII)}-{rng.choice(ASCII)}" for _ in range(25)]
    paths = [f"src/{rng.choice(ASCII)}/{rng.choice(ASCII)}_{k}.py" for k in range(60)]
    check_names = ("lint", "unit tests", "integration (py3.11)", "build · wheels", "typecheck", "docs")
    items = []
    for i in range(count):
        created = _aware(rng)
        times = [_maybe(rng, 0.3, lambda: created + dt.timedelta(seconds=rng.uniform(1, 30 * 86400)))
                 for _ in range(8)]
        commits = [
            ApiCommit(
                "%040x" % rng.getrandbits(160),
                corpus.sentence(rng, _TITLE_POOLS, rng.randint(3, 12)),
                _aware(rng),
                rng.randint(0, 800),
                rng.randint(0, 400),
            )
            for _ in range(rng.randint(0, 2))
        ]
        items.append(
            ApiPullRequest(
                id=70_000_000 + i * 13,
                number=i + 1,
                repository=rng.choice(repositories),
                title=corpus.sentence(rng, _TITLE_POOLS, rng.randint(4, 12)),
                body=_maybe(rng, 0.2, lambda: corpus.text(rng, _TITLE_POOLS, rng.randint(10, 200))),
                state=rng.choice(("open", "open", "closed", "merged", "merged")),
                draft=rng.random() < 0.1,
                author=rng.choice(users),
                reviewers=rng.sample(users, rng.randint(0, 3)),
                commits=commits,
                checks=[ApiCheck(name, _maybe(rng, 0.1, lambda: rng.choice(("success", "failure", "skipped"))),
                                 round(rng.uniform(0.5, 900), 3)) for name in rng.sample(check_names, rng.randint(0, 4))],
                labels=_maybe(rng, 0.3, lambda: [corpus.sentence(rng, (ASCII, LATIN1, BMP), 1)
                                                 for _ in range(rng.randint(0, 4))]),
                created_at=created if rng.random() < 0.98 else None,
                updated_at=times[0],
                first_commit_at=times[1],
                first_review_at=times[2],
                approved_at=times[3],
                merged_at=times[4],
                closed_at=times[5],
                deployed_at=times[6],
                reverted_at=times[7],
                additions=rng.randint(0, 20_000),
                deletions=rng.randint(0, 10_000),
                cycle_time_h=_maybe(rng, 0.2, lambda: rng.uniform(0, 2000)),
                risk_score=rng.random(),
                file_churn={path: rng.uniform(0, 1) for path in rng.sample(paths, rng.randint(0, 6))},
                linked_issues=_maybe(rng, 0.4, lambda: [rng.randint(1, 99_999) for _ in range(rng.randint(0, 3))]),
            )
        )
    return Workload("api", "code-analytics API rows: 27 fields, 9 optional aware datetimes, mixed-script text",
                    ApiPullRequest, items)


# -- builtins ---------------------------------------------------------------------------


def _builtins(rng: random.Random, count: int) -> Workload:
    """The api workload's JSON loaded back: what database rows and ``model_dump()`` hand an encoder."""
    import json

    import slotjson

    source = _api(random.Random(rng.random()), count)
    items = json.loads(json.dumps(slotjson.to_builtins(source.items), ensure_ascii=False))
    return Workload("builtins", "the api rows as plain dicts, lists, str, int, float, bool and None", dict, items)


def _table(rng: random.Random, count: int) -> Workload:
    categories = ("books", "tools", "garden", "café", "电子产品", "toys")
    items = [
        TableRow(
            id=i,
            score=_maybe(rng, 0.1, rng.random),
            name=corpus.sentence(rng, (ASCII, ASCII, LATIN1), rng.randint(1, 2)),
            created_at=_timestamp(rng, 2000, 2030).replace(tzinfo=UTC),
            active=rng.random() < 0.7,
            count=_maybe(rng, 0.2, lambda: rng.randint(0, 100_000)),
            category=rng.choice(categories),
            price=rng.randint(1, 1_000_000) / 100,
        )
        for i in range(count)
    ]
    return Workload("table", "rows of a DataFrame: int, float with NaN, text, UTC timestamps, bool, nullable "
                    "Int64, category, price (the table operation encodes them as pandas, Arrow and polars frames)",
                    TableRow, items)


_BUILDERS: dict[str, Callable[[random.Random, int], Workload]] = {
    "nested": _nested,
    "flat": _flat,
    "text": _text,
    "numeric": _numeric,
    "pydantic": _pydantic,
    "builtins": _builtins,
    "api": _api,
    "table": _table,
}
