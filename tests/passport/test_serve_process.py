"""``passport serve`` as an operator runs it: the installed command, in its own process, outside
the source tree (issue 20, problems 5 and 6).

- ``--workers 2`` serves from the installed package (the documented command imported ``stress``,
  which is not installed);
- the logs are JSON lines with a timestamp, level, request id, route template and status;
- ``--graceful-timeout`` bounds shutdown even while a slow client holds a request open.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.storage import sqlite_url

PASSPORT = Path(sys.executable).with_name("passport")
START_TIMEOUT_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def passport_serve(tmp_path: Path, *options: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``passport serve`` run from ``tmp_path`` (not the source tree) until /healthz answers."""
    port = free_port()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PASSPORT_") and name != "PYTHONPATH"
    }
    environment["PASSPORT_DATABASE_URL"] = sqlite_url(tmp_path)
    command = [str(PASSPORT), "serve", "--port", str(port), *options]
    server = subprocess.Popen(
        command, cwd=tmp_path, env=environment, stderr=subprocess.PIPE, text=True
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _answers(base_url):
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline, "passport serve did not start"
            time.sleep(0.2)
        yield base_url, server
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()


def _answers(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def stop(server: subprocess.Popen[str]) -> tuple[int, str, float]:
    """SIGTERM, as systemd sends it; the exit code, stderr and seconds taken to exit."""
    started = time.monotonic()
    server.send_signal(signal.SIGTERM)
    _, stderr = server.communicate(timeout=30)
    return server.returncode, stderr, time.monotonic() - started


def json_lines(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.strip()]


def test_two_worker_processes_serve_from_the_installed_package_with_json_logs(
    tmp_path: Path,
) -> None:
    with passport_serve(tmp_path, "--workers", "2", "--log-format", "json") as (base_url, server):
        answer = httpx.get(f"{base_url}/s/not-a-token", headers={"X-Request-ID": "req-12345678"})
        assert answer.headers["x-request-id"] == "req-12345678"
        code, stderr, _ = stop(server)
    assert code == 0, stderr
    records = json_lines(stderr)  # every line is JSON, or this fails
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    started = [r for r in records if r["message"].startswith("Started server process")]
    assert len({r["message"] for r in started}) == 2, "two worker processes"
    [access] = [r for r in records if r.get("request_id") == "req-12345678"]
    assert access["logger"] == "passport.access"
    assert (access["route"], access["status"], access["method"]) == ("/s/{token}", 404, "GET")
    assert "not-a-token" not in stderr, "the raw path (a share token) never reaches the log"


def test_shutdown_ends_within_the_graceful_timeout_despite_a_slow_client(
    tmp_path: Path,
) -> None:
    with passport_serve(tmp_path, "--graceful-timeout", "1") as (base_url, server):
        port = int(base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as slow:
            # A request whose body never finishes: the app waits for it.
            slow.sendall(
                b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n{"
            )
            time.sleep(0.5)
            code, stderr, seconds = stop(server)
    # uvicorn ends by re-raising the SIGTERM it handled, which systemd counts as a clean stop.
    assert code == -signal.SIGTERM, stderr
    assert "timeout graceful shutdown exceeded" in stderr
    assert seconds < 5, f"shutdown took {seconds:.1f} s"
