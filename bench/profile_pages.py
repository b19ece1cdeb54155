"""Where a view of the share page and of the passport pages spends its time (issue #19).

The app runs in this process on a fresh SQLite database (``PROFILE_DATABASE_URL`` names a
PostgreSQL schema instead) with the load mix's data (``stress.seed``): our own institution's
credentials, a learner holding two of them, a share link to both. Each page is requested
``VIEWS`` times through ``httpx.ASGITransport`` under cProfile (timed by this process's CPU
time), and the profile's time is summed by area: verification (proofs, canonicalization,
JSON-LD), status lists, DID and key resolution, database, templates. Prints one line per page
and area, then the top functions by their own time. ``python -m bench.profile_pages``.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import os
import pstats
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import fastapi.concurrency
import fastapi.dependencies.utils
import fastapi.routing
import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from bench.passport_pages import BENCH_MASTER_KEY
from passport.app import create_app
from passport.database import prepare_database
from passport.settings import Settings
from passport.wallet.web import SESSION_COOKIE
from stress.seed import StressPlan, seed_issuer, seed_learner

T = TypeVar("T")
POOL = "run_in_threadpool"
VIEWS = int(os.environ.get("PROFILE_VIEWS", "50"))
# Areas by the file a function lives in (by its name for built-ins, such as the database
# driver's ``execute``); a function counts toward the first area that matches, its own time
# only (so nothing is counted twice).
AREAS = (
    ("status lists", ("status_check", "status_list", "verified_lists", "own_documents")),
    ("canonicalization / JSON-LD", ("canonical", "rdfc", "pyld", "jsonld", "contexts", "signed_")),
    ("signatures", ("cryptography", "ed25519", "proofs/")),
    ("keys / DIDs", ("did", "multikey", "keys/", "resolver")),
    ("schemas", ("jsonschema", "schema", "referencing")),
    ("database", ("sqlalchemy", "psycopg", "sqlite3", "sqlmodel")),
    ("templates", ("jinja2", "markupsafe", "templates", "babel")),
    ("JSON parsing", ("json",)),
    ("verifier (other)", ("verifier/",)),
    ("web framework", ("starlette", "fastapi", "anyio", "httpx", "h11", "pydantic")),
)


def seeded_app(directory: Path) -> tuple[FastAPI, StressPlan]:
    database = os.environ.get("PROFILE_DATABASE_URL") or f"sqlite:///{directory / 'p.db'}"
    settings = Settings(
        database_url=database,
        master_key=SecretStr(BENCH_MASTER_KEY),
        base_url="http://127.0.0.1:8000",
    )
    prepare_database(settings)
    app = create_app(settings)
    plan = StressPlan()
    master = app.state.master_key_source.get()
    seed_issuer(app.state.engine, master, settings.base_url, plan)
    live = app.state.wallet.live
    seed_learner(app.state.engine, master, plan, lambda item: live.verify(item, datetime.now(UTC)))
    return app, plan


async def _views(app: FastAPI, paths: list[str], token: str) -> None:
    transport = httpx.ASGITransport(app=app)
    headers = {"Cookie": f"{SESSION_COOKIE}={token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://profile") as client:
        for _ in range(VIEWS):
            for path in paths:
                response = await client.get(path, headers=headers)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")


async def _inline(call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    return call(*args, **kwargs)


@contextmanager
def in_this_thread() -> Iterator[None]:
    """Run sync routes and dependencies on the event loop's thread: cProfile sees one thread
    only, and FastAPI would otherwise run them in a pool."""
    modules = (fastapi.routing, fastapi.dependencies.utils, fastapi.concurrency)
    saved = [vars(module)[POOL] for module in modules]
    for module in modules:
        vars(module)[POOL] = _inline
    try:
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            vars(module)[POOL] = original


def area_of(filename: str) -> str:
    for area, needles in AREAS:
        if any(needle in filename for needle in needles):
            return area
    return "other"


def profile(app: FastAPI, name: str, paths: list[str], token: str) -> None:
    asyncio.run(_views(app, paths, token))  # warm: templates compiled, caches filled
    # CPU time, not elapsed: other jobs on a shared machine disturb it far less.
    profiler = cProfile.Profile(time.process_time)
    with in_this_thread():
        profiler.enable()
        asyncio.run(_views(app, paths, token))
        profiler.disable()
    stats = pstats.Stats(profiler)
    totals: dict[str, float] = {}
    for (filename, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        area = area_of(f"{filename}:{function}")
        totals[area] = totals.get(area, 0.0) + row[2]
    whole = sum(totals.values())
    print(f"== {name}: {whole / VIEWS * 1000:.1f} ms of profiled CPU per view ({VIEWS} views)")
    for area, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"   {area:28} {seconds / VIEWS * 1000:7.2f} ms  {seconds / whole:6.1%}")
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(30)
    print(text.getvalue())


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        app, plan = seeded_app(Path(directory))
        token = plan.session_token
        profile(app, "share page /s/{token}", [f"/s/{plan.share_tokens[0]}"], token)
        passport = ["/passport", f"/passport/credentials/{plan.stored_credential_ids[0]}"]
        profile(app, "passport pages", passport, token)


if __name__ == "__main__":
    main()
