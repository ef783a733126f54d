"""Requests per second and server CPU per request of slotjson's page
endpoints against the same framework's plain endpoint, in one run.

For Starlette and for FastAPI, two endpoints are measured under the same
load, one after the other in alternating rounds (so a noisy machine
disturbs both alike), each a single uvicorn worker on 127.0.0.1:

- ``plain``: the framework's floor for a page served from Redis: parse
  ``offset``/``limit`` as ints, one ``redis.asyncio`` GET of a key holding
  that page's bytes (pre-stored), ``Response(body)``;
- ``slotjson``: ``read_page`` of the 100,000-item document (one script
  call: header, index entries, blob slice, all checked) and ``PageResponse``
  (``X-Total-Count``, ``Link``, ``ETag``, 304s); for FastAPI this is
  examples/service.py itself (its ``page_params`` dependency and
  ``read_page_or_build``).

Both answer the same URLs with the same body bytes (checked before
measuring). The load is ``wrk`` (Debian's ``wrk`` package) when it is on
PATH, else a bounded Python generator (asyncio streams, HTTP/1.1
keep-alive; slower, so it measures less of the server). Nothing beyond
``pip install '.[redis,web]' uvicorn`` is needed. ``--default`` adds FastAPI's default response
re-encoding the models. A private ``redis-server`` is started on a free
loopback port unless ``--redis-url`` is given; everything stops when done.

    python examples/load.py --duration 5 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
START_TIMEOUT = 180.0
#: Pages of the plain endpoints: one key per offset 0..PLAIN_PAGES-1.
PLAIN_PAGES = 1000


def _plain_key(offset: int, limit: int) -> str:
    return f"plain:{limit}:{offset}"


def create_app():
    """The app named by ``$SLOTJSON_LOAD_APP`` (uvicorn ``--factory``)."""
    kind = os.environ["SLOTJSON_LOAD_APP"]
    redis_url = os.environ["REDIS_URL"]
    if kind == "fastapi-slotjson":
        import service

        return service.app
    if kind == "fastapi-default":
        return create_baseline_app()
    import redis.asyncio as redis
    import service
    from slotjson.cache import AsyncRedisDocumentStore
    from slotjson.web.starlette import PageResponse, exception_handlers, parse_page_params
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    client = redis.Redis.from_url(redis_url)
    key = f"pull_requests:v1:{service.COUNT}:{service.SEED}"

    if kind == "starlette-slotjson":
        store = AsyncRedisDocumentStore(client)

        async def pages(request):
            page = parse_page_params(request, max_limit=service.MAX_LIMIT)
            read = await store.read_page(key, page.offset, page.limit)
            return PageResponse(read, page.offset, page.limit)

        return Starlette(routes=[Route("/pull_requests", pages)], exception_handlers=exception_handlers)
    if kind == "starlette-plain":

        async def plain(request):
            query = request.query_params
            offset, limit = int(query.get("offset", 0)), int(query.get("limit", 50))
            return Response(await client.get(_plain_key(offset, limit)), media_type="application/json")

        return Starlette(routes=[Route("/pull_requests", plain)])
    if kind == "fastapi-plain":
        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/pull_requests")
        async def plain_fastapi(offset: int = 0, limit: int = 50) -> Response:
            return Response(await client.get(_plain_key(offset, limit)), media_type="application/json")

        return app
    raise SystemExit(f"unknown app {kind!r}")


def create_baseline_app():
    """FastAPI's default response over the models held in memory."""
    import service
    from fastapi import FastAPI, Query

    models = service.build_pull_requests(service.COUNT, service.SEED)
    app = FastAPI()

    @app.get("/pull_requests")
    def pull_requests(offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=service.MAX_LIMIT)):
        return models[offset : offset + limit]

    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: str) -> tuple[int, bytes]:
    """One keep-alive HTTP/1.1 GET on an open connection: status and body."""
    writer.write(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _get_once(base: str, target: str) -> tuple[int, bytes]:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        return await _get(reader, writer, target)
    finally:
        writer.close()


def _wait_until(url: str, process: subprocess.Popen[bytes]) -> None:
    base, _, rest = url.partition("/pull_requests")

    async def ready() -> bool:
        try:
            return (await _get_once(base, "/pull_requests" + rest))[0] == 200
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            return False

    deadline = time.monotonic() + START_TIMEOUT
    while not asyncio.run(ready()):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server for {url} did not start")
        time.sleep(0.2)


@contextmanager
def redis_server(url: str | None) -> Iterator[tuple[str, int | None]]:
    """The Redis URL and, when started here, the server's pid."""
    if url:
        yield url, None
        return
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed; pass --redis-url")
    port = _free_port()
    with tempfile.TemporaryDirectory() as workdir:
        args = [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        try:
            time.sleep(0.3)
            yield f"redis://127.0.0.1:{port}/0", process.pid
        finally:
            process.terminate()
            process.wait(timeout=10)


@contextmanager
def uvicorn_server(kind: str, redis_url: str) -> Iterator[tuple[str, int]]:
    """The app ``kind`` (see ``create_app``) under one uvicorn worker."""
    port = _free_port()
    args = [sys.executable, "-m", "uvicorn", "--app-dir", str(EXAMPLES), "load:create_app", "--factory"]
    args += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", "warning", "--no-access-log"]
    env = {**os.environ, "REDIS_URL": redis_url, "SLOTJSON_LOAD_APP": kind}
    process = subprocess.Popen(args, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until(f"{base}/pull_requests?limit=1", process)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Totals:
    """What one endpoint served over all its rounds."""

    name: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    redis_cpu: float = 0.0
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def row(self, framework: str) -> str:
        cpu_us = self.cpu / self.requests * 1e6 if self.requests else float("nan")
        redis_us = self.redis_cpu / self.requests * 1e6 if self.requests else float("nan")
        p50 = statistics.median(self.p50) if self.p50 else float("nan")
        p99 = statistics.median(self.p99) if self.p99 else float("nan")
        return (
            f"| {framework} | {self.name} | {self.rps:,.0f} | {cpu_us:,.0f} | {redis_us:,.0f} | "
            f"{p50:.2f} | {p99:.2f} | {self.errors} |"
        )


_WRK_SCRIPT = """
math.randomseed({seed})
request = function()
  local offset = math.random(0, {pages} - 1)
  return wrk.format("GET", "/pull_requests?offset=" .. offset .. "&limit={limit}")
end
"""
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _wrk(base: str, args: argparse.Namespace, seed: int) -> tuple[int, int, float, float, float]:
    """requests, errors, seconds, p50 ms, p99 ms of one wrk run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_WRK_SCRIPT.format(seed=seed, pages=PLAIN_PAGES, limit=args.limit))
        script.flush()
        command = ["wrk", "-t1", f"-c{args.concurrency}", f"-d{args.duration}s", "--latency", "-s", script.name, base]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    if done is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    seconds = float(done.group(2)) * (1e-3 if done.group(3) == "ms" else 1)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    lat = {q: float(v) * _UNITS[u] for q, v, u in re.findall(r"\s(50|99)%\s+([\d.]+)(us|ms|s)", out)}
    return int(done.group(1)), errors, seconds, lat.get("50", float("nan")), lat.get("99", float("nan"))


async def _python_load(base: str, args: argparse.Namespace, seed: int) -> tuple[int, int, float, float, float]:
    """The same load from asyncio (slower than wrk: it measures less)."""
    rng = random.Random(seed)
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0

    async def worker(stop_at: float) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.monotonic() < stop_at:
                target = f"/pull_requests?offset={rng.randrange(PLAIN_PAGES)}&limit={args.limit}"
                started = time.perf_counter()
                status, _ = await _get(reader, writer, target)
                if status == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1
        finally:
            writer.close()

    t0 = time.monotonic()
    await asyncio.gather(*(worker(t0 + args.duration) for _ in range(args.concurrency)))
    seconds = time.monotonic() - t0
    lat = sorted(latencies) or [float("nan")]
    return len(latencies), errors, seconds, lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.99)] * 1e3


def _measure(base: str, pid: int, totals: Totals, args: argparse.Namespace, seed: int) -> None:
    cpu0 = _cpu_seconds(pid)
    redis0 = _cpu_seconds(args.redis_pid) if args.redis_pid else 0.0
    if args.wrk:
        requests, errors, seconds, p50, p99 = _wrk(base, args, seed)
    else:
        requests, errors, seconds, p50, p99 = asyncio.run(_python_load(base, args, seed))
    totals.cpu += _cpu_seconds(pid) - cpu0
    totals.redis_cpu += _cpu_seconds(args.redis_pid) - redis0 if args.redis_pid else float("nan")
    totals.requests += requests
    totals.errors += errors
    totals.seconds += seconds
    totals.p50.append(p50)
    totals.p99.append(p99)


async def _same_bodies(urls: list[str], limit: int) -> None:
    for offset in (0, 123, PLAIN_PAGES - 1):
        bodies = {(await _get_once(base, f"/pull_requests?offset={offset}&limit={limit}"))[1] for base in urls}
        if len(bodies) != 1:
            raise SystemExit(f"the endpoints disagree on offset={offset}")


def _store_plain_pages(redis_url: str, limit: int) -> None:
    """The plain endpoints' keys: the bytes of each page they are asked for."""
    import redis
    import service
    from slotjson.cache import RedisDocumentStore

    client = redis.Redis.from_url(redis_url)
    store = RedisDocumentStore(client)
    key = f"pull_requests:v1:{service.COUNT}:{service.SEED}"
    with client.pipeline(transaction=False) as pipe:
        for offset in range(PLAIN_PAGES):
            pipe.set(_plain_key(offset, limit), store.page(key, offset, limit))
        pipe.execute()
    client.close()


def _pair(framework: str, kinds: list[str], redis_url: str, args: argparse.Namespace) -> list[Totals]:
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(uvicorn_server(kind, redis_url)) for kind in kinds]
        _store_plain_pages(redis_url, args.limit)
        asyncio.run(_same_bodies([base for base, _ in servers], args.limit))
        totals = [Totals(kind.split("-", 1)[1]) for kind in kinds]
        warm = argparse.Namespace(**{**vars(args), "duration": args.warmup})
        for base, pid in servers if args.warmup else ():  # warm-up, unmeasured
            _measure(base, pid, Totals("warm-up"), warm, 0)
        for round_ in range(args.rounds):
            order = list(range(len(kinds)))
            if round_ % 2:
                order.reverse()  # ABBA: drifts of the machine's load hit both alike
            for i in order:
                base, pid = servers[i]
                _measure(base, pid, totals[i], args, args.seed + round_)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds per endpoint per round (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per pair (default 3)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--limit", type=int, default=100, help="items per page (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the page offsets")
    parser.add_argument("--redis-url", help="use this Redis instead of starting one")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk is found")
    parser.add_argument("--default", action="store_true", help="also measure FastAPI's default response")
    parser.add_argument("--only", choices=["starlette", "fastapi"], help="measure one framework's pair")
    args = parser.parse_args()
    if not 0 < args.duration <= 60 or not 0 <= args.warmup <= 30 or not 1 <= args.rounds <= 10:
        parser.error("--duration in (0, 60], --warmup in [0, 30], --rounds in 1..10: this is a bounded local load")
    args.wrk = shutil.which("wrk") is not None and not args.python_load

    pairs = [
        ("Starlette", ["starlette-plain", "starlette-slotjson"]),
        ("FastAPI", ["fastapi-plain", "fastapi-slotjson"]),
    ]
    if args.only:
        pairs = [p for p in pairs if p[0].lower() == args.only]
    if args.default:
        pairs.append(("FastAPI", ["fastapi-slotjson", "fastapi-default"]))
    results = []
    with redis_server(args.redis_url) as (redis_url, args.redis_pid):
        # The example service stores the document on its first start.
        with uvicorn_server("fastapi-slotjson", redis_url):
            pass
        for framework, kinds in pairs:
            results.append((framework, _pair(framework, kinds, redis_url, args)))

    load = "wrk -t1" if args.wrk else "Python load generator"
    print(
        f"\nGET /pull_requests?offset=<random 0..{PLAIN_PAGES - 1}>&limit={args.limit}: {load}, "
        f"{args.concurrency} connections, {args.rounds} alternating rounds of {args.duration:g} s per endpoint, "
        f"one uvicorn worker each, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n"
    )
    print(
        "| framework | endpoint | requests/s | server CPU µs/request | Redis CPU µs/request | p50 ms | p99 ms | errors |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for framework, totals in results:
        for t in totals:
            print(t.row(framework))
    print()
    for framework, (first, second) in results:
        rps = second.rps / max(first.rps, 1e-9)
        cpu = (first.cpu / max(first.requests, 1)) / max(second.cpu / max(second.requests, 1), 1e-12)
        print(
            f"{framework}: {second.name} / {first.name} = {rps:.0%} of the requests/s, "
            f"{cpu:.0%} of the requests per server CPU second"
        )


if __name__ == "__main__":
    main()
