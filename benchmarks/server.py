"""Shared by the load and durability benchmarks: a throw-away database, `brukarrost serve`
as a subprocess on a free port, and its memory.

Not a benchmark itself. PostgreSQL databases are created on `BRUKARROST_TEST_PG`
(default postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BRUKARROST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_SOCKET_DIR = os.environ.get("PG_SOCKET_DIR", "/var/run/postgresql")
SECRET_KEY = "bench-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int, reaped_children: bool = False) -> float:
    """User + system CPU time a process has used, by /proc (0 when it is gone); with
    `reaped_children`, plus that of its children that have exited."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time used so far by every process named postgres on this machine, and by the
    connection processes that have ended (the connection pool closes the connections it
    does not keep: their time is counted in the postmaster's reaped children)."""
    total = 0.0
    for child in Path("/proc").iterdir():
        if child.name.isdigit():
            try:
                if (child / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(child.name), reaped_children=True)
            except OSError:
                continue
    return total


def process_tree(pid: int) -> list[int]:
    """The server and its worker processes (children), by /proc."""
    pids = [pid]
    for child in Path("/proc").iterdir():
        if not child.name.isdigit():
            continue
        try:
            stat = (child / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            pids.append(int(child.name))
    return pids


def _is_helper(pid: int) -> bool:
    """multiprocessing's resource tracker: a child of the server that serves nothing."""
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True


async def _pg(query: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(query)
    finally:
        await conn.close()


@asynccontextmanager
async def database(kind: str) -> AsyncIterator[str]:
    """A fresh database URL: `sqlite`, `postgresql` (a throw-away database on the server of
    BRUKARROST_TEST_PG, over TCP), `postgresql-socket` (the same, reached through the
    server's Unix socket in PG_SOCKET_DIR, as a service on the database's own host would
    connect), or a URL used as it is."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        return
    if kind not in ("postgresql", "postgresql-socket"):
        yield kind
        return
    name = f"brukarrost_bench_{secrets.token_hex(4)}"
    await _pg(f'CREATE DATABASE "{name}"')
    if kind == "postgresql-socket":
        from sqlalchemy.engine import URL, make_url

        admin = make_url(PG_ADMIN_URL)
        url = URL.create("postgresql+asyncpg", admin.username, admin.password, database=name,
                         query={"host": PG_SOCKET_DIR}).render_as_string(hide_password=False)
    else:
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        url = f"{base}/{name}"
    try:
        yield url
    finally:
        await _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Server:
    """`brukarrost serve` in a subprocess; `start()` waits until /health answers."""

    def __init__(self, database_url: str, workers: int = 1, port: int | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {**os.environ, "DATABASE_URL": database_url, "BRUKARROST_SECRET_KEY": SECRET_KEY,
                    "LOG_LEVEL": "WARNING", **(env or {})}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> float:
        command = [str(ROOT / ".venv/bin/brukarrost"), "serve", "--port", str(self.port)]
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        started = time.perf_counter()
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with {self.process.returncode}")
            if self._healthy_workers() >= self.workers:
                return time.perf_counter() - started
            time.sleep(0.2)
        raise SystemExit("the server did not answer /health in time")

    def _healthy_workers(self) -> int:
        """How many serving processes answered /health (each says its process id)."""
        seen = set()
        for _ in range(1 if self.workers == 1 else 8 * self.workers):
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=1) as response:
                    if response.status == 200:
                        seen.add(json.loads(response.read()).get("process"))
            except OSError:
                return 0
        return len(seen)

    def pids(self) -> list[int]:
        return process_tree(self.process.pid) if self.process else []

    def rss(self) -> list[float]:
        """RSS in MB of each serving process (the workers, or the one server)."""
        pids = self.pids()
        serving = [p for p in pids[1:] if not _is_helper(p)] if self.workers > 1 else pids[:1]
        return [rss_mb(pid) for pid in serving]

    def cpu(self) -> float:
        """CPU seconds used so far by the server and its workers."""
        return sum(cpu_seconds(pid) for pid in self.pids())

    def kill(self) -> None:
        """SIGKILL, as a power cut would: every process of the server at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


async def wait_for(predicate, timeout: float = 60) -> None:
    started = time.perf_counter()
    while not predicate():
        if time.perf_counter() - started > timeout:
            raise TimeoutError
        await asyncio.sleep(0.1)
