"""``POST /api/v1/verify`` throughput and latency over loopback HTTP, beside ``GET /healthz``.

One uvicorn server (the real app from ``create_app``) in this process, a load generator of a few
threads each with its own keep-alive ``httpx.Client``, ``SECONDS_PER_FIGURE`` seconds (and at most
``MAX_REQUESTS``) per figure. The trivial endpoint is the framework's ceiling in the same run, so
the ratio is what to compare across machines. Prints ``BENCH <name> <ops_per_s> <ratio>`` with
the ratio to ``/healthz``, then ``# <name> p50=<ms> p99=<ms>``, then the process's CPU time per
request and the ratio of ``/healthz``'s to it (the throughput ratio if the process had the cores
to itself; on a loaded machine the wall-clock ratio moves with the neighbours).

Every verification figure is of a credential verified afresh (the verifier's outcome cache
keeps nothing), but ``..._again``: the same credential sent again, which the cache answers
while nothing it depends on has changed (issue #19).
"""

from __future__ import annotations

import json
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from bench.sample import sample_credential
from credentials.keys import Ed25519Signer
from credentials.multikey import did_key_for, did_key_verification_method
from credentials.proofs.registry import secure
from passport.app import create_app
from passport.database import prepare_database
from passport.settings import Settings
from verifier import OutcomeCache
from verifier.outcome_cache import DEFAULT_MAX_ENTRIES

SECONDS_PER_FIGURE = 5.0
KEPT = "_again"  # the same credential again: answered from the outcome cache
MAX_REQUESTS = 50_000
THREADS = 4
NO_DELAY = (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@contextmanager
def _served(app: FastAPI) -> Iterator[str]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(*NO_DELAY)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()


def _load(base_url: str, request: dict[str, Any]) -> tuple[float, list[float], float]:
    """Requests per second, each latency, and the process's CPU seconds per request (server
    and load generator together), over the figure's time and count."""
    deadline = time.perf_counter() + SECONDS_PER_FIGURE
    budget = MAX_REQUESTS // THREADS

    def worker() -> list[float]:
        latencies: list[float] = []
        # Without TCP_NODELAY, a request sent in two writes waits out the peer's delayed ACK.
        transport = httpx.HTTPTransport(socket_options=[NO_DELAY])
        with httpx.Client(base_url=base_url, timeout=30, transport=transport) as client:
            client.request(**request).raise_for_status()  # warm the connection and caches
            while len(latencies) < budget and time.perf_counter() < deadline:
                started = time.perf_counter()
                client.request(**request).raise_for_status()
                latencies.append(time.perf_counter() - started)
        return latencies

    started, cpu_started = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda _: worker(), range(THREADS)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    latencies = sorted(latency for result in results for latency in result)
    return len(latencies) / elapsed, latencies, cpu / len(latencies)


def _requests() -> dict[str, dict[str, Any]]:
    key = Ed25519PrivateKey.generate()
    did = did_key_for(key.public_key())
    signer = Ed25519Signer(key, did_key_verification_method(did))
    credential = sample_credential(did)
    del credential["credentialStatus"]  # no network in a benchmark
    now = datetime.now(UTC)
    token = secure(credential, signer, "vc+jwt", now=now)
    assert isinstance(token, str)
    rdfc = json.dumps(secure(credential, signer, "eddsa-rdfc-2022", now=now))
    return {
        "verify_api_healthz": {"method": "GET", "url": "/healthz"},
        "verify_api_vc+jwt": {
            "method": "POST",
            "url": "/api/v1/verify",
            "content": token,
            "headers": {"Content-Type": "application/vc+jwt"},
        },
        "verify_api_eddsa-rdfc-2022": {
            "method": "POST",
            "url": "/api/v1/verify",
            "content": rdfc,
            "headers": {"Content-Type": "application/json"},
        },
        f"verify_api_eddsa-rdfc-2022{KEPT}": {
            "method": "POST",
            "url": "/api/v1/verify",
            "content": rdfc,
            "headers": {"Content-Type": "application/json"},
        },
    }


def _keeping(outcomes: OutcomeCache, name: str) -> None:
    """Only the ``KEPT`` figure may answer from the outcome cache: the others verify each
    request afresh, as the first time a credential is sent (a cache of no entries keeps
    nothing)."""
    outcomes.clear()
    outcomes.max_entries = DEFAULT_MAX_ENTRIES if name.endswith(KEPT) else 0


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(database_url=f"sqlite:///{Path(directory) / 'bench.db'}")
        prepare_database(settings)
        app = create_app(settings)
        figures = {}
        with _served(app) as base_url:
            for name, request in _requests().items():
                _keeping(app.state.verifier.outcomes, name)
                figures[name] = _load(base_url, request)
    ceiling, ceiling_cpu = figures["verify_api_healthz"][0], figures["verify_api_healthz"][2]
    for name, (rate, latencies, cpu) in figures.items():
        print(f"BENCH {name} {rate:.1f} {rate / ceiling:.3f}")
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(f"# {name} p50={p50:.2f}ms p99={p99:.2f}ms requests={len(latencies)}")
        # The same ratio in CPU time, which other processes on a shared machine do not move.
        print(f"# {name} cpu={cpu * 1000:.2f}ms/request cpu_ratio={ceiling_cpu / cpu:.3f}")


if __name__ == "__main__":
    main()
