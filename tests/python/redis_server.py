"""A throwaway ``redis-server`` for the tests, on a free loopback port, and
skipping tests whose optional dependencies are missing.

Tests that need Redis skip when ``redis-server`` (or the ``redis`` package)
is missing, unless ``SLOTJSON_REQUIRE_REDIS=1`` (set by CI), in which case
they fail: a CI machine without Redis must not pass by skipping. Web
framework tests do the same with ``SLOTJSON_REQUIRE_EXTRAS=1``. Set
``SLOTJSON_REDIS_SERVER`` to use a binary that is not on ``PATH``.

The server keeps nothing on disk (no RDB, no AOF) and listens on 127.0.0.1
only.
"""

from __future__ import annotations

import importlib
import os
import platform
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

import pytest

START_TIMEOUT = 10.0


def require_or_skip(reason: str, env: str = "SLOTJSON_REQUIRE_REDIS") -> None:
    """Skip with ``reason``, or fail when ``env`` says it is required.
    Works inside a test, a fixture or at module level."""
    if os.environ.get(env) == "1":
        pytest.fail(f"{reason} ({env}=1)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def unavailable_extras() -> set[str]:
    """Distributions that scripts/test.sh found no wheel or buildable sdist
    for on this interpreter (``SLOTJSON_UNAVAILABLE_EXTRAS``, names as pip
    normalises them, separated by whitespace)."""
    return set(os.environ.get("SLOTJSON_UNAVAILABLE_EXTRAS", "").split())


def _normalise(dist: str) -> str:
    return dist.lower().replace("_", "-").replace(".", "-")


def import_or_skip(name: str, env: str = "SLOTJSON_REQUIRE_EXTRAS", dist: str | None = None):
    """Import an optional package (a web framework, an HTTP client) or skip
    the module, unless ``env`` (set by CI) says it must be there. ``dist``
    is its distribution name when that differs from the module's top-level
    name: a distribution that cannot be installed on this interpreter at all
    (see :func:`unavailable_extras`) skips even when ``env`` is set."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        dist = _normalise(dist or name.partition(".")[0])
        if dist in unavailable_extras():
            pytest.skip(
                f"{dist} has no wheel or buildable sdist for CPython {platform.python_version()} ({e})",
                allow_module_level=True,
            )
        require_or_skip(f"{name} is not installed ({e})", env)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class RedisServer:
    """A running server; ``stop()`` ends it and removes its directory."""

    process: subprocess.Popen[bytes]
    port: int
    workdir: str

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def find_binary() -> str | None:
    """``$SLOTJSON_REDIS_SERVER`` when it names an executable, else
    ``redis-server`` on ``PATH``."""
    chosen = os.environ.get("SLOTJSON_REDIS_SERVER")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    return shutil.which("redis-server")


def start(binary: str, attempts: int = 3, extra: tuple[str, ...] = (), port: int | None = None) -> RedisServer:
    """Start ``binary`` on a free port (or ``port``), with ``extra``
    arguments. Another process may take the port between the probe and the
    bind, so a failed start is retried on a new one."""
    last_error = ""
    for _ in range(attempts):
        chosen = port or _free_port()
        workdir = tempfile.mkdtemp(prefix="slotjson-redis-")
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(chosen),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        server = RedisServer(process, chosen, workdir)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if _ping(chosen):
                return server
            time.sleep(0.02)
        if process.poll() is not None and process.stdout is not None:
            last_error = process.stdout.read().decode(errors="replace")[-500:]
        server.stop()
    raise RuntimeError(f"redis-server did not start: {last_error}")


# Fixtures: test modules import them (`from redis_server import ...`), so
# conftest.py stays free of Redis.


@pytest.fixture(scope="session")
def redis_server():
    """A private server for the session, or a skip (see the module doc)."""
    try:
        import redis  # noqa: F401
    except ImportError:
        require_or_skip("the redis package is not installed (pip install 'slotjson[redis]')")
    binary = find_binary()
    if binary is None:
        require_or_skip("redis-server is not installed (apt-get install redis-server, or set SLOTJSON_REDIS_SERVER)")
    server = start(binary)
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server):
    """A blocking client on an emptied database."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=redis_server.port)
    client.flushall()
    yield client
    client.close()


def _binary_or_skip() -> str:
    try:
        import redis  # noqa: F401
    except ImportError:
        require_or_skip("the redis package is not installed (pip install 'slotjson[redis]')")
    binary = find_binary()
    if binary is None:
        require_or_skip("redis-server is not installed (apt-get install redis-server, or set SLOTJSON_REDIS_SERVER)")
    return binary


#: The smallest string limit Redis accepts: documents past it are segmented.
SMALL_BULK_LIMIT = 1 << 20


@pytest.fixture(scope="session")
def small_limit_server():
    """A private server whose strings hold at most 1 MiB
    (``--proto-max-bulk-len 1mb``), so documents of a few MB need segments."""
    server = start(_binary_or_skip(), extra=("--proto-max-bulk-len", str(SMALL_BULK_LIMIT)))
    yield server
    server.stop()


@dataclass
class RedisCluster:
    """Three masters on loopback, no replicas; ``stop()`` ends them all."""

    nodes: list[RedisServer]

    @property
    def port(self) -> int:
        return self.nodes[0].port

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def _cluster_ok(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"CLUSTER INFO\r\n")
            return b"cluster_state:ok" in s.recv(4096)
    except OSError:
        return False


def start_cluster(binary: str, cli: str) -> RedisCluster:
    """Three ``--cluster-enabled`` servers joined with ``redis-cli --cluster
    create`` (all 16384 slots split among them)."""
    nodes: list[RedisServer] = []
    try:
        for _ in range(3):
            nodes.append(start(binary, extra=("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")))
        addresses = [f"127.0.0.1:{n.port}" for n in nodes]
        subprocess.run(
            [cli, "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        deadline = time.monotonic() + 30
        while not all(_cluster_ok(n.port) for n in nodes):
            if time.monotonic() > deadline:
                raise RuntimeError("the cluster did not reach cluster_state:ok")
            time.sleep(0.1)
    except BaseException:
        for node in nodes:
            node.stop()
        raise
    return RedisCluster(nodes)


@pytest.fixture(scope="session")
def redis_cluster():
    """A private 3-master Redis Cluster for the session, or a skip (see the
    module doc; ``redis-cli`` comes with Debian's ``redis-tools``)."""
    binary = _binary_or_skip()
    cli = shutil.which("redis-cli")
    if cli is None:
        require_or_skip("redis-cli is not installed (apt-get install redis-tools)")
    cluster = start_cluster(binary, cli)
    yield cluster
    cluster.stop()
