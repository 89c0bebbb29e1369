"""Server start-up: time until /health answers, the first bot reply, and memory after start.

    .venv/bin/python benchmarks/startup.py

Starts `brukarrost serve` on a throw-away SQLite database and a free port, as `make run` does.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def post(url: str, body: dict) -> tuple[int, object]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def main() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.sqlite3",
               "BRUKARROST_SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"}
        started = time.perf_counter()
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/brukarrost"), "serve", "--port", str(port)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"the server exited with {server.returncode}")
                try:
                    with urllib.request.urlopen(f"{base}/health", timeout=1) as response:
                        if response.status == 200:
                            break
                except OSError:
                    time.sleep(0.1)
            healthy = time.perf_counter() - started
            t0 = time.perf_counter()
            status, replies = post(f"{base}/webhooks/rest/webhook",
                                   {"sender": "bench", "message": "hej"})
            first_reply_ms = (time.perf_counter() - t0) * 1000
            assert status == 200 and replies, replies
            memory = rss_mb(server.pid)
            print(f"start to /health ok: {healthy:.1f} s")
            print(f"first bot reply: {healthy + first_reply_ms / 1000:.1f} s after start "
                  f"({first_reply_ms:.0f} ms for the request)")
            print(f"server memory after start-up (RSS): {memory:.0f} MB")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
