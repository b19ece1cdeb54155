"""Server-side render time and database queries of the passport page and a public share page,
for a learner with ``CREDENTIALS`` credentials, beside the home page (trivial) in the same run.

The app runs in this process and is called through ``httpx.ASGITransport``: no sockets, so the
time is the server's (routing, queries, verification, templates). Credentials are the Ontario
sample signed with ``eddsa-rdfc-2022`` by ``ISSUERS`` did:key issuers in turn, each credential
with a revocation entry in its issuer's Bitstring Status List (signed ``eddsa-rdfc-2022`` like
ours, ``issuers/awards/status_lists.py``). The lists are answered from memory by a mock
transport under the app's guarded fetcher, as a CDN would serve them: no network. Two figures
per page:

- ``cold``: the wallet's verification cache is emptied before each request, so every credential
  is verified again (what the first view after a change, or after the cache's lifetime, costs);
- ``warm``: the cache holds every result (the common case within the TTL).

Queries are counted with a SQLAlchemy ``before_cursor_execute`` listener and must not depend on
the number of credentials (tests/passport/wallet/test_queries.py holds it to 10 vs 200).

Prints ``BENCH <name> <requests_per_s> <ratio_to_trivial_page>`` then
``# <name> p50=<ms> cpu=<ms> queries=<n>``: ``cpu`` is the median CPU time of this process per
request, which other jobs on a shared machine disturb far less than the elapsed time.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Engine, event
from sqlmodel import Session

from bench.sample import sample_credential
from credentials.keys import Ed25519Signer
from credentials.multikey import did_key_for, did_key_verification_method
from credentials.proofs.registry import secure
from credentials.status_list import Bitstring, encode_list, new_status_list_credential
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from passport.app import create_app
from passport.database import prepare_database
from passport.settings import Settings
from passport.wallet import accounts, holdings
from passport.wallet.live import LiveVerifier
from passport.wallet.sharing import create_share
from passport.wallet.web import SESSION_COOKIE
from verifier.service import VerifierService

CREDENTIALS = 200
ISSUERS = 4
STATUS_HOST = "https://status.bench.example"
WARM_REQUESTS = 20
COLD_REQUESTS = 5
# A random key made for benchmarks only (base64url of 32 random bytes).
BENCH_MASTER_KEY = "DO-0LLGVqQ6bNAHyW06Cxp-JWWK06pAv23APFAo0VFY"


@dataclass(frozen=True)
class Seeded:
    app: FastAPI
    session_token: str
    share_token: str


class BenchIssuer:
    """A did:key issuer with its revocation list at ``STATUS_HOST/lists/<number>``."""

    def __init__(self, number: int) -> None:
        key = Ed25519PrivateKey.generate()
        self.did = did_key_for(key.public_key())
        self.signer = Ed25519Signer(key, did_key_verification_method(self.did))
        self.list_url = f"{STATUS_HOST}/lists/{number}"

    def status_list(self, now: datetime) -> bytes:
        unsigned = new_status_list_credential(
            self.list_url, self.did, "revocation", encode_list(Bitstring()), valid_from=now
        )
        return json.dumps(secure(unsigned, self.signer, "eddsa-rdfc-2022", now=now)).encode()

    def credential(self, index: int) -> dict[str, Any]:
        document = sample_credential(self.did)
        document["id"] = f"urn:uuid:{uuid.uuid4()}"
        document["credentialStatus"] = {
            "id": f"{self.list_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": self.list_url,
        }
        return document


def serve_status_lists(app: FastAPI, lists: dict[str, bytes]) -> None:
    """Give the wallet a verifier whose fetcher answers ``lists`` from memory (URL -> body); our
    own documents are read from the database, as in the app."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = lists.get(str(request.url))
        if body is None:
            return httpx.Response(404)
        return httpx.Response(200, content=body, headers={"Content-Type": "application/vc+ld+json"})

    # The mock transport opens no socket; the fetcher still vets the (pretend) address first.
    fetcher = GuardedFetcher(
        FetchPolicy(allow_private_addresses=True),
        transport=httpx.MockTransport(answer),
        resolver=lambda _host, _port: ["127.0.0.1"],
    )
    verifier = VerifierService(
        fetcher, app.state.verifier.registry, own_documents=app.state.own_documents
    )
    app.state.wallet.live = LiveVerifier(verifier)


def build(directory: Path, count: int, mechanism: str = "eddsa-rdfc-2022") -> Seeded:
    """An app on a fresh SQLite database with one learner holding ``count`` credentials from
    ``ISSUERS`` issuers (each on its issuer's status list), all shared on one link."""
    settings = Settings(
        database_url=f"sqlite:///{directory / 'bench.db'}",
        master_key=SecretStr(BENCH_MASTER_KEY),
        base_url="http://127.0.0.1:8000",
    )
    prepare_database(settings)
    app = create_app(settings)
    now = datetime.now(UTC)
    issuers = [BenchIssuer(number) for number in range(ISSUERS)]
    serve_status_lists(app, {issuer.list_url: issuer.status_list(now) for issuer in issuers})
    live = app.state.wallet.live
    with Session(app.state.engine) as session:
        signed_up = accounts.sign_up(
            session,
            app.state.master_key_source.get(),
            email="bench@example.ca",
            password="benchmark password",
            now=now,
        )
        ids = []
        for number in range(count):
            issuer = issuers[number % ISSUERS]
            document = issuer.credential(index=number)
            data = json.dumps(secure(document, issuer.signer, mechanism, now=now)).encode()
            stored, report = holdings.add_credential(
                session,
                signed_up.learner,
                data,
                lambda item: live.verify(item, now),
                source="import",
                now=now,
            )
            if "status.active" not in {check.message_key for check in report.checks}:
                raise SystemExit("benchmark credentials must be checked against their status list")
            ids.append(stored.id)
        share = create_share(
            session, signed_up.learner.id, credential_ids=ids, expires_at=None, now=now
        )
        session.commit()
    return Seeded(app, signed_up.token, share.token)


@contextmanager
def counted_queries(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement run on ``engine`` inside the block."""
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@dataclass(frozen=True)
class Rendered:
    status: int
    seconds: float
    cpu_seconds: float
    queries: int
    body: str


def render(seeded: Seeded, path: str, *, cold: bool = False) -> Rendered:
    """One GET of ``path`` as the learner, timed and with its queries counted."""
    if cold:
        seeded.app.state.wallet.live.clear()

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=seeded.app)
        headers = {"Cookie": f"{SESSION_COOKIE}={seeded.session_token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            return await client.get(path, headers=headers)

    # A thread of its own: the caller may already run an event loop (a browser test's).
    with (
        ThreadPoolExecutor(max_workers=1) as runner,
        counted_queries(seeded.app.state.engine) as statements,
    ):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = runner.submit(asyncio.run, get()).result()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return Rendered(response.status_code, seconds, cpu_seconds, len(statements), response.text)


@dataclass(frozen=True)
class Figure:
    seconds: float
    cpu_seconds: float
    queries: int


def figure(seeded: Seeded, path: str, requests: int, *, cold: bool) -> Figure:
    """Median elapsed and CPU seconds, and the query count (the same for every request)."""
    render(seeded, path)  # warm the templates and the cache
    runs = [render(seeded, path, cold=cold) for _ in range(requests)]
    if any(run.status != 200 for run in runs):
        raise SystemExit(f"benchmark page {path} did not answer 200")
    return Figure(
        statistics.median(run.seconds for run in runs),
        statistics.median(run.cpu_seconds for run in runs),
        runs[-1].queries,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        seeded = build(Path(directory), CREDENTIALS)
        share = f"/s/{seeded.share_token}"
        trivial = figure(seeded, "/", WARM_REQUESTS, cold=False)
        results = [("home_page_trivial", trivial)]
        for name, path in (("passport_page", "/passport"), ("share_page", share)):
            for cold, requests in ((False, WARM_REQUESTS), (True, COLD_REQUESTS)):
                label = f"{name}_{CREDENTIALS}_{'cold' if cold else 'warm'}"
                results.append((label, figure(seeded, path, requests, cold=cold)))
        seeded.app.state.engine.dispose()
    for name, result in results:
        seconds = result.seconds
        print(f"BENCH {name} {1 / seconds:.1f} {trivial.seconds / seconds:.4f}")
        print(
            f"# {name} p50={seconds * 1000:.1f}ms cpu={result.cpu_seconds * 1000:.1f}ms "
            f"queries={result.queries}"
        )


if __name__ == "__main__":
    main()
