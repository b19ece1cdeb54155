"""What one request of each type in the load mix costs in CPU, the app's and the database's.

In a closed-loop load run on a saturated machine, throughput is the machine's CPU divided by
what a request costs, and latency follows from throughput (Little's law). So this measures the
cost directly, in CPU time that other processes on a shared machine disturb far less than the
wall clock: the app in this process on the load mix's data (``stress.seed``, as
``bench.profile_pages``), on a fresh SQLite database or, with ``PROFILE_DATABASE_URL``, a
migrated PostgreSQL database on this machine, whose server processes' CPU is read from
``/proc`` for the connections of this process. Each request goes straight into the ASGI app
(no HTTP parsing or client: those cost the same for every route) with sync routes run inline,
``REQUESTS`` times per type after a warm-up. The load mix sends the same few credentials
again and again, which the verifier's outcome cache answers; ``verify_first_time`` empties
that cache before each request, for the cost of a credential nobody sent before.

Prints ``BENCH request_cost_<type> <requests per app-CPU-second> <ratio to /healthz>``, then
the app's and the database server's CPU per request. ``python -m bench.request_costs``.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine, text

from bench.profile_pages import in_this_thread, seeded_app
from passport.wallet.web import SESSION_COOKIE

REQUESTS = int(os.environ.get("REQUEST_COST_REQUESTS", "300"))
WARM_UP = 20
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Request:
    """``first_time``: the verifier's outcome cache is emptied before each request, so the
    credential is verified afresh, as the first time anyone sends it."""

    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()
    first_time: bool = False


async def call(app: FastAPI, request: Request) -> int:
    """One request through the ASGI app; its status."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), *request.headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    messages = [{"type": "http.request", "body": request.body, "more_body": False}]
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


def server_cpu_seconds(engine: Engine) -> float:
    """CPU seconds used so far by the PostgreSQL server processes of ``engine``'s database (all
    of them run on this machine); 0 for SQLite."""
    if engine.dialect.name != "postgresql":
        return 0.0
    with engine.connect() as connection:
        query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        pids = connection.execute(text(query)).scalars().all()
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        total += int(fields[11]) + int(fields[12])  # utime, stime (proc(5), fields 14 and 15)
    return total / TICKS


async def _repeat(app: FastAPI, request: Request, times: int) -> None:
    for _ in range(times):
        if request.first_time:
            app.state.verifier.outcomes.clear()
        status = await call(app, request)
        if status != 200:
            raise SystemExit(f"{request.method} {request.path} answered {status}")


def cost(app: FastAPI, request: Request) -> tuple[float, float]:
    """App CPU and database-server CPU per request, in seconds."""
    asyncio.run(_repeat(app, request, WARM_UP))
    engine = app.state.engine
    server_before, app_before = server_cpu_seconds(engine), time.process_time()
    asyncio.run(_repeat(app, request, REQUESTS))
    app_used = time.process_time() - app_before
    return app_used / REQUESTS, (server_cpu_seconds(engine) - server_before) / REQUESTS


@contextmanager
def mix_requests() -> Iterator[tuple[FastAPI, dict[str, Request]]]:
    with tempfile.TemporaryDirectory() as directory:
        app, plan = seeded_app(Path(directory))
        cookie = ((b"cookie", f"{SESSION_COOKIE}={plan.session_token}".encode()),)
        json_body = ((b"content-type", b"application/json"),)
        credential = plan.credentials[0].encode()
        yield (
            app,
            {
                "healthz": Request("GET", "/healthz"),
                "verify": Request("POST", "/api/v1/verify", credential, json_body),
                "verify_first_time": Request(
                    "POST", "/api/v1/verify", credential, json_body, first_time=True
                ),
                "share_page": Request("GET", f"/s/{plan.share_tokens[0]}"),
                "passport_page": Request("GET", "/passport", headers=cookie),
                "passport_credential": Request(
                    "GET", f"/passport/credentials/{plan.stored_credential_ids[0]}", headers=cookie
                ),
            },
        )


def main() -> None:
    with mix_requests() as (app, requests), in_this_thread():
        figures = {name: cost(app, request) for name, request in requests.items()}
    ceiling = figures["healthz"][0]
    for name, (app_cpu, server_cpu) in figures.items():
        print(f"BENCH request_cost_{name} {1 / app_cpu:.1f} {ceiling / app_cpu:.3f}")
        print(f"# {name} app={app_cpu * 1000:.2f}ms database={server_cpu * 1000:.2f}ms CPU/request")


if __name__ == "__main__":
    main()
