"""Requests per second of examples/service.py against FastAPI's default way.

Two servers are measured one after the other, each a single uvicorn worker
on 127.0.0.1 with the same flags, under the same load (``--concurrency``
connections asking for random pages of ``--limit`` items for ``--duration``
seconds after a short warm-up):

- ``slotjson``: examples/service.py, each page read from Redis as bytes;
- ``fastapi-default``: the same 100,000 models held in memory, each page
  returned as ``models[offset:offset + limit]`` and written by FastAPI's
  default response (``jsonable_encoder``, then ``json.dumps``).

Both send byte-identical bodies (checked before measuring). Unless
``--redis-url`` is given, a private ``redis-server`` is started on a free
loopback port. Everything listens on 127.0.0.1 and stops when done.

    python examples/load.py --duration 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

EXAMPLES = Path(__file__).resolve().parent
START_TIMEOUT = 180.0


def create_baseline_app():
    """The comparison service: FastAPI's default response over the models."""
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


def _wait_until(url: str, process: subprocess.Popen[bytes]) -> None:
    async def ready() -> bool:
        try:
            async with aiohttp.ClientSession() as session, session.get(url) as r:
                return r.status == 200
        except aiohttp.ClientError:
            return False

    deadline = time.monotonic() + START_TIMEOUT
    while not asyncio.run(ready()):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server for {url} did not start")
        time.sleep(0.2)


@contextmanager
def redis_server(url: str | None) -> Iterator[str]:
    if url:
        yield url
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
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


@contextmanager
def uvicorn_server(app: str, redis_url: str, factory: bool = False) -> Iterator[tuple[str, int]]:
    port = _free_port()
    args = [sys.executable, "-m", "uvicorn", "--app-dir", str(EXAMPLES), app]
    args += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", "warning", "--no-access-log"]
    if factory:
        args.append("--factory")
    process = subprocess.Popen(args, env={**os.environ, "REDIS_URL": redis_url})
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
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    body_bytes: int
    server_cpu: float

    def row(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        p50, p99 = lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.99)] * 1e3
        rps = self.requests / self.seconds
        mbps = self.body_bytes / self.seconds / 1e6
        return (
            f"| {self.name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {mbps:,.1f} | "
            f"{self.server_cpu / self.seconds:.0%} | {self.errors} |"
        )


async def _load(base: str, pid: int, name: str, args: argparse.Namespace) -> Result:
    rng = random.Random(args.seed)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        latencies: list[float] = []
        counts = {"ok": 0, "errors": 0, "bytes": 0}
        measuring = False

        async def worker(stop_at: float) -> None:
            while time.monotonic() < stop_at:
                url = f"{base}/pull_requests?offset={rng.randrange(100_000 - args.limit)}&limit={args.limit}"
                started = time.perf_counter()
                async with session.get(url) as r:
                    body = await r.read()
                elapsed = time.perf_counter() - started
                if not measuring:
                    continue
                if r.status == 200:
                    counts["ok"] += 1
                    counts["bytes"] += len(body)
                    latencies.append(elapsed)
                else:
                    counts["errors"] += 1

        warm_until = time.monotonic() + args.warmup
        await asyncio.gather(*(worker(warm_until) for _ in range(args.concurrency)))
        measuring = True
        cpu0, t0 = _cpu_seconds(pid), time.monotonic()
        await asyncio.gather(*(worker(t0 + args.duration) for _ in range(args.concurrency)))
        seconds = time.monotonic() - t0
        cpu = _cpu_seconds(pid) - cpu0
    return Result(name, counts["ok"], counts["errors"], seconds, latencies, counts["bytes"], cpu)


async def _same_bodies(a: str, b: str, limit: int) -> None:
    async with aiohttp.ClientSession() as session:
        for offset in (0, 1234, 99_999 - limit):
            bodies = []
            for base in (a, b):
                async with session.get(f"{base}/pull_requests?offset={offset}&limit={limit}") as r:
                    bodies.append(await r.read())
            if bodies[0] != bodies[1]:
                raise SystemExit(f"the two services disagree on offset={offset}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per server (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--limit", type=int, default=100, help="items per page (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the page offsets")
    parser.add_argument("--redis-url", help="use this Redis instead of starting one")
    args = parser.parse_args()
    if not 0 < args.duration <= 120 or not 0 <= args.warmup <= 30:
        parser.error("--duration must be in (0, 120] and --warmup in [0, 30]: this is a bounded local load")

    results = []
    with redis_server(args.redis_url) as redis_url:
        with uvicorn_server("service:app", redis_url) as (fast, fast_pid):
            with uvicorn_server("load:create_baseline_app", redis_url, factory=True) as (base, _):
                asyncio.run(_same_bodies(fast, base, args.limit))
            results.append(asyncio.run(_load(fast, fast_pid, "slotjson (Redis pages)", args)))
        with uvicorn_server("load:create_baseline_app", redis_url, factory=True) as (base, base_pid):
            results.append(asyncio.run(_load(base, base_pid, "FastAPI default (re-encode)", args)))

    print(
        f"\nGET /pull_requests?offset=<random>&limit={args.limit}: {args.concurrency} connections, "
        f"{args.duration:g} s each, one uvicorn worker, Python {sys.version.split()[0]}\n"
    )
    print("| endpoint | requests/s | p50 ms | p99 ms | body MB/s | server CPU | errors |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    ratio = (results[0].requests / results[0].seconds) / max(1e-9, results[1].requests / results[1].seconds)
    print(f"\nslotjson serves {ratio:.1f}x the requests/s of the default response.")


if __name__ == "__main__":
    main()
