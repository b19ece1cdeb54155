"""``make stress`` / ``python -m stress.run``: the load mix against two uvicorn workers.

Loopback only and bounded: the app listens on 127.0.0.1, the run lasts ``STRESS_SECONDS``
(default 300, at most 1800) with ``STRESS_USERS`` clients (default 32) that each send their next
request as soon as the last is answered. The database is a fresh schema on the PostgreSQL server
of ``STRESS_DATABASE_URL`` (default ``PASSPORT_TEST_DATABASE_URL``, else
``postgresql+psycopg://postgres@127.0.0.1:5432/test``), dropped afterwards.

Steps: migrate and seed (``stress.seed``), start ``uvicorn --workers 2``, seed a learner through
the running app's verifier, probe each task type once (one answering 404 is left out of the mix
and named), start a slow origin for the abuse mix (it answers each request after
``SLOW_ORIGIN_SECONDS``), run locust, and print throughput, p50 / p99 per request type, the error
rate, and the same for the healthy requests alone (everything but the abuse mix).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from credentials.multibase import encode_base64url
from infra.database import create_database_engine
from keys.crypto_envelope import load_master_key
from passport.database import upgrade_database
from passport.settings import Settings
from stress.pg_cluster import free_port
from stress.seed import StressPlan, seed_issuer, seed_learner
from tests.storage import isolated_postgres_schema
from verifier.inputs import VerifiableInput
from verifier.pipeline import VerificationReport, verify_input
from verifier.service import VerifierService

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MAX_SECONDS = 1800
WORKERS = 2
STARTUP_SECONDS = 60
SLOW_ORIGIN_SECONDS = 2.0
ABUSE = "(abuse)"


class _SlowOrigin(BaseHTTPRequestHandler):
    """A key host of the abuse mix: answers 404 after ``SLOW_ORIGIN_SECONDS``."""

    def do_GET(self) -> None:
        time.sleep(SLOW_ORIGIN_SECONDS)
        try:
            self.send_error(404)
        except OSError:
            return  # the verifier's deadline hung up first

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def slow_origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowOrigin)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def setting(name: str, default: int, maximum: int, *, minimum: int = 1) -> int:
    """An integer setting from the environment, refused outside ``minimum..maximum``."""
    value = int(os.environ.get(name, str(default)))
    if not minimum <= value <= maximum:
        raise SystemExit(f"{name} must be between {minimum} and {maximum}")
    return value


def app_environment(database_url: str, base_url: str, master_key: str) -> dict[str, str]:
    """The PASSPORT_* settings of the served app: it fetches its own status lists over loopback."""
    return {
        "PASSPORT_DATABASE_URL": database_url,
        "PASSPORT_MODE": "development",
        "PASSPORT_MASTER_KEY": master_key,
        "PASSPORT_BASE_URL": base_url,
        "PASSPORT_FETCH_ALLOW_HTTP_HOSTS": "127.0.0.1",
        "PASSPORT_FETCH_ALLOW_PRIVATE_ADDRESSES": "true",
    }


@contextmanager
def uvicorn_workers(environment: dict[str, str], port: int) -> Iterator[str]:
    command = [
        sys.executable, "-m", "uvicorn", "passport.asgi:create", "--factory",
        "--workers", str(WORKERS), "--host", "127.0.0.1", "--port", str(port),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        command, cwd=ROOT, env={**os.environ, **environment}, start_new_session=True
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(base_url, server)
        yield base_url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _wait_for_health(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the app stopped during start-up (see its output above)")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the app did not answer /healthz within {STARTUP_SECONDS} s")


def probe(base_url: str, plan: StressPlan) -> list[str]:
    """Send each task type's request once; leave out (and name) those not there yet."""
    enabled = []
    cookies = {"passport_session": plan.session_token}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        requests: dict[str, Callable[[], httpx.Response]] = {
            "verify": lambda: client.post(
                "/api/v1/verify",
                content=plan.credentials[0],
                headers={"Content-Type": "application/json"},
            ),
            "share": lambda: client.get(f"/s/{plan.share_tokens[0]}"),
            "passport": lambda: client.get("/passport", cookies=cookies),
            "awards": lambda: client.post(
                f"/api/v1/institutions/{plan.institution}/programs/{plan.program}/awards",
                json={"name": "Probe Learner", "email": "probe@example.ca"},
                headers={"Authorization": f"Bearer {plan.api_key}"},
            ),
        }
        for kind, send in requests.items():
            if kind in plan.unavailable:
                print(f"skipped {kind}: {plan.unavailable[kind]}")
                continue
            status = send().status_code
            if status == 404:
                print(f"skipped {kind}: its endpoint answered 404 (not there yet)")
                continue
            if status >= 400:
                print(f"warning: {kind} answered {status} at start-up; kept (errors will show)")
            enabled.append(kind)
    return enabled


def run_locust(base_url: str, plan_file: Path, enabled: list[str], seconds: int, slow: str) -> Path:
    users = setting("STRESS_USERS", 32, 500)
    stats_file = plan_file.parent / "stats.json"
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "stress" / "locustfile.py"),
        "--headless", "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{seconds}s", "--host", base_url,
        "--json-file", str(stats_file.with_suffix("")),  # locust adds ".json"
        "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING",
    ]  # fmt: skip
    environment = {
        **os.environ,
        "STRESS_PLAN": str(plan_file),
        "STRESS_TASKS": ",".join(enabled),
        "STRESS_SLOW_ORIGIN": slow,
    }
    print(f"running {', '.join(enabled)} for {seconds} s with {users} clients against {base_url}")
    # Locust exits 1 when any request failed; the report below says which and how many.
    subprocess.run(command, cwd=ROOT, env=environment, check=False)  # noqa: S603
    return stats_file


def _line(name: str, *numbers: str) -> str:
    return f"{name:<62}" + "".join(f" {number:>8}" for number in numbers)


def percentile(response_times: dict[str, int], share: float) -> float:
    """The response time (ms) below which ``share`` of the requests were answered."""
    total = sum(response_times.values())
    seen = 0
    for milliseconds, count in sorted((float(ms), count) for ms, count in response_times.items()):
        seen += count
        if seen >= share * total:
            return milliseconds
    return 0.0


def _total(name: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    merged: Counter[str] = Counter()
    for entry in entries:
        merged.update(entry["response_times"])
    return {
        "name": name,
        "num_requests": sum(entry["num_requests"] for entry in entries),
        "num_failures": sum(entry["num_failures"] for entry in entries),
        "response_times": dict(merged),
    }


def report(stats_file: Path, seconds: int) -> None:
    """Per request type and in all: count, throughput, p50, p99 and error rate."""
    entries = json.loads(stats_file.read_text(encoding="utf-8"))
    healthy = [entry for entry in entries if ABUSE not in str(entry["name"])]
    totals = [_total("all requests", entries), _total("healthy requests (no abuse)", healthy)]
    print("\n" + _line("request type", "count", "req/s", "p50 ms", "p99 ms", "errors"))
    for entry in [*sorted(entries, key=lambda item: str(item["name"])), *totals]:
        count, failures = entry["num_requests"], entry["num_failures"]
        times = entry["response_times"]
        print(
            _line(
                str(entry["name"]),
                str(count),
                f"{count / seconds:.1f}",
                f"{percentile(times, 0.50):.0f}",
                f"{percentile(times, 0.99):.0f}",
                f"{100 * failures / count:.2f}%" if count else "-",
            )
        )
    print(f"(run of {seconds} s, {WORKERS} uvicorn workers, loopback, PostgreSQL)")


def main() -> None:
    seconds = setting("STRESS_SECONDS", 300, MAX_SECONDS)
    server = os.environ.get("STRESS_DATABASE_URL") or os.environ.get(
        "PASSPORT_TEST_DATABASE_URL", DEFAULT_DATABASE
    )
    port = free_port()
    master_text = encode_base64url(secrets.token_bytes(32))
    master = load_master_key(master_text)
    with isolated_postgres_schema(server) as database_url, tempfile.TemporaryDirectory() as work:
        environment = app_environment(database_url, f"http://127.0.0.1:{port}", master_text)
        settings = Settings.model_validate({key.removeprefix("PASSPORT_").lower(): value
                                            for key, value in environment.items()})  # fmt: skip
        upgrade_database(settings)
        engine = create_database_engine(database_url)
        plan = StressPlan()
        seed_issuer(engine, master, settings.base_url, plan)
        with uvicorn_workers(environment, port) as base_url:
            service = VerifierService.from_settings(settings)

            def verify(item: VerifiableInput) -> VerificationReport:
                return verify_input(item, service.context(datetime.now(UTC)))

            seed_learner(engine, master, plan, verify)
            enabled = [*probe(base_url, plan), "abuse"]
            plan_file = Path(work) / "plan.json"
            plan_file.write_text(plan.to_json(), encoding="utf-8")
            with slow_origin() as slow:
                stats = run_locust(base_url, plan_file, enabled, seconds, slow)
        engine.dispose()
        report(stats, seconds)


if __name__ == "__main__":
    main()
