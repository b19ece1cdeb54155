"""Catalog search over loopback HTTP with 10,000 programs, on SQLite and on PostgreSQL.

``GET /api/v1/programs`` with a rotation of realistic queries (words in English and French, a
typo, filters, the whole catalog with its filter counts), beside ``GET /healthz`` of the same app
in the same run. PostgreSQL runs when ``PASSPORT_TEST_DATABASE_URL`` is set or ``--postgres URL``
is given (a schema of its own, dropped afterwards). Each figure is bounded by
``SECONDS_PER_FIGURE`` and ``MAX_REQUESTS``. Prints ``BENCH <name> <requests_per_s> <ratio to
healthz>`` (``THREADS`` clients) and ``BENCH <name>_p99_ms <ms> <ratio to healthz p99>`` (one
client), then ``# p50/p99`` lines.
Aim: p99 under 50 ms per search. Each client first sends every query once, so the filter counts
of these queries are then kept by the app (``portal.versioned_cache``): the figures are of kept
counts; docs/performance.md gives the cost of computing them (the first search after a change).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bench.verify_api import NO_DELAY, _served
from infra.database import create_database_engine
from issuers.tables import Institution, Program
from passport.app import create_app
from passport.database import prepare_database, upgrade_database
from passport.settings import Settings
from portal.demo import demo_catalog
from portal.search_index import rebuild_index

PROGRAMS = 10_000
INSTITUTIONS = 50
SECONDS_PER_FIGURE = 5.0
MAX_REQUESTS = 20_000
THREADS = 4
QUERIES: list[dict[str, Any]] = [
    {"q": "welding"},
    {"q": "soudage"},
    {"q": "nurse", "mode": "online"},
    {"q": "electricite"},
    {"q": "data python"},
    {"q": "nurce"},
    {"q": "cloud security", "osap": "yes"},
    {"q": "early childhood", "language": "fr"},
    {"q": "project management", "max_cost": "1500"},
    {"mode": "hybrid", "hours": "20-59"},
    {"occupation": "72106"},
    {},
]


def _catalog(seed: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """10,000 programs varied from the demonstration catalog's (the text is what is searched)."""
    rows = demo_catalog()["programs"]
    chance = random.Random(seed)
    for number in range(PROGRAMS):
        row = dict(rows[number % len(rows)])
        row["slug"] = f"{row['slug']}-{number}"
        row["hours"] = chance.randint(10, 300)
        row["weeks"] = chance.randint(1, 30)
        row["price_cents"] = chance.choice([0, 15_000, 49_500, 125_000, 290_000])
        row["delivery_mode"] = chance.choice(["online", "in_person", "hybrid", "work_integrated"])
        row["osap_eligible"] = chance.random() < 0.6
        yield number % INSTITUTIONS, row


def _seed(database_url: str) -> None:
    engine = create_database_engine(database_url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        institutions = [
            Institution(
                slug=f"institution-{number}",
                legal_name_en=f"Institution {number}",
                legal_name_fr=f"Établissement {number}",
                kind="college",
                website=f"https://institution-{number}.example.ca",
                contact_email=f"info@institution-{number}.example.ca",
                region=["Toronto", "Northern Ontario", "Eastern Ontario"][number % 3],
                did=f"did:web:bench.example.ca:issuers:institution-{number}",
                created_at=now,
            )
            for number in range(INSTITUTIONS)
        ]
        session.add_all(institutions)
        session.flush()
        ids = [institution.id or 0 for institution in institutions]
        session.add_all(
            Program(
                **{name: value for name, value in row.items() if name != "institution"},
                institution_id=ids[owner],
                created_at=now,
                updated_at=now,
            )
            for owner, row in _catalog(seed=6)
        )
        session.flush()
        rebuild_index(session)
        session.commit()
    # Statistics (and PostgreSQL's visibility map) as autovacuum would leave them in production.
    maintenance = "ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE"
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text(maintenance))
    engine.dispose()


def _load(base_url: str, requests: list[dict[str, Any]], threads: int) -> tuple[float, list[float]]:
    """Requests per second and each latency; each thread warms up on every request, then
    cycles through ``requests`` for ``SECONDS_PER_FIGURE`` (at most ``MAX_REQUESTS`` in all)."""
    budget = MAX_REQUESTS // threads

    def worker(offset: int) -> tuple[float, list[float]]:
        latencies: list[float] = []
        transport = httpx.HTTPTransport(socket_options=[NO_DELAY])
        with httpx.Client(base_url=base_url, timeout=30, transport=transport) as client:
            for request in requests:
                client.request(**request).raise_for_status()
            started = time.perf_counter()
            deadline = started + SECONDS_PER_FIGURE
            while len(latencies) < budget and time.perf_counter() < deadline:
                request = requests[(offset + len(latencies)) % len(requests)]
                sent = time.perf_counter()
                client.request(**request).raise_for_status()
                latencies.append(time.perf_counter() - sent)
            return time.perf_counter() - started, latencies

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(worker, range(threads)))
    elapsed = max(seconds for seconds, _ in results)
    return sum(len(found) for _, found in results) / elapsed, sorted(
        latency for _, found in results for latency in found
    )


Figure = tuple[float, list[float]]


def _figures(database_url: str) -> dict[str, tuple[Figure, Figure]]:
    """Per endpoint: (throughput with ``THREADS`` clients, latencies with one client). The
    server shares this process (and its GIL) with the clients, so one client gives the
    latency of a search itself, several the throughput."""
    settings = Settings(database_url=database_url)
    upgrade_database(settings)
    _seed(database_url)
    prepare_database(settings)
    endpoints: dict[str, list[dict[str, Any]]] = {
        "healthz": [{"method": "GET", "url": "/healthz"}],
        "search": [{"method": "GET", "url": "/api/v1/programs", "params": q} for q in QUERIES],
    }
    with _served(create_app(settings)) as base_url:
        return {
            name: (_load(base_url, requests, THREADS), _load(base_url, requests, 1))
            for name, requests in endpoints.items()
        }


@contextmanager
def _postgres_schema(server_url: str) -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex}"
    admin = create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _p99(latencies: list[float]) -> float:
    return latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000


def _report(figures: dict[str, tuple[Figure, Figure]], backend: str) -> None:
    (ceiling_rate, _), (_, ceiling_latencies) = figures["healthz"]
    for endpoint, ((rate, _), (_, latencies)) in figures.items():
        name = f"portal_{endpoint}_{backend}"
        p50, p99 = statistics.median(latencies) * 1000, _p99(latencies)
        print(f"BENCH {name} {rate:.1f} {rate / ceiling_rate:.3f}")
        print(f"BENCH {name}_p99_ms {p99:.2f} {p99 / _p99(ceiling_latencies):.3f}")
        print(f"# {name} p50={p50:.2f}ms p99={p99:.2f}ms (one client, {len(latencies)} requests)")


def main(arguments: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.portal_search")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (else the test variable)")
    options = parser.parse_args(arguments)
    with tempfile.TemporaryDirectory() as directory:
        sqlite = f"sqlite:///{Path(directory) / 'bench.db'}"
        _report(_figures(sqlite), "sqlite")
    server_url = options.postgres or os.environ.get("PASSPORT_TEST_DATABASE_URL")
    if server_url:
        with _postgres_schema(server_url) as url:
            _report(_figures(url), "postgresql")
    else:
        print("# portal_search on PostgreSQL skipped: set PASSPORT_TEST_DATABASE_URL or --postgres")


if __name__ == "__main__":
    main()
