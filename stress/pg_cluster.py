"""A throwaway PostgreSQL cluster for the database-restart drill: made, restarted for real, dropped.

The drill stops and starts PostgreSQL, which must never happen to the server other people's
tests use (cluster ``main``, port 5432). So it makes a cluster of its own with Debian's
postgresql-common tools, under a name of its own (``lp_stress_<pid>``) on a free port:

- ``pg_createcluster VERSION NAME --port PORT -- --auth-local=trust --auth-host=trust``: the
  cluster listens on the loopback interface only (``listen_addresses`` stays ``localhost``) and
  lives for minutes, so trust authentication is enough;
- ``pg_ctlcluster VERSION NAME stop|start``: a real stop ("fast" mode: every connection is cut,
  open transactions are rolled back) and a real start;
- ``pg_dropcluster --stop VERSION NAME`` afterwards, whatever happened.

Needs root (or the postgres user) and the server package of ``STRESS_PG_VERSION`` (default: the
newest installed under ``/usr/lib/postgresql``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

TOOLS = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster")
SERVERS = Path("/usr/lib/postgresql")
POLL_SECONDS = 0.05


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _version() -> str:
    chosen = os.environ.get("STRESS_PG_VERSION")
    if chosen:
        return chosen
    installed = sorted(
        (path.parent.parent.name for path in SERVERS.glob("*/bin/postgres")), key=_major
    )
    if not installed:
        raise SystemExit(f"no PostgreSQL server under {SERVERS}; set STRESS_PG_VERSION")
    return installed[-1]


def _major(version: str) -> int:
    major = version.partition(".")[0]
    return int(major) if major.isdigit() else 0


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603  (fixed tools)


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database} connect_timeout=2"

    def stop(self) -> None:
        """Stop the server for real (returns once it is down)."""
        _run("pg_ctlcluster", self.version, self.name, "stop")

    def start(self) -> None:
        _run("pg_ctlcluster", self.version, self.name, "start")

    def wait_until_accepting(self, timeout: float) -> float:
        """Poll with new connections until one succeeds; returns when (``time.monotonic``)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.conninfo()) as connection:
                    connection.execute("SELECT 1")
                return time.monotonic()
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"the cluster did not accept connections in {timeout} s"
                    ) from None
                time.sleep(POLL_SECONDS)

    def create_database(self, database: str) -> None:
        with psycopg.connect(self.conninfo(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A new, started cluster of our own; stopped and dropped when the block ends."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)} (Debian's postgresql-common)")
    cluster = Cluster(_version(), f"lp_stress_{os.getpid()}", free_port())
    _run(
        "pg_createcluster", cluster.version, cluster.name, "--port", str(cluster.port),
        "--", "--auth-local=trust", "--auth-host=trust",
    )  # fmt: skip
    try:
        cluster.start()
        cluster.wait_until_accepting(timeout=30)
        yield cluster
    finally:
        subprocess.run(  # noqa: S603  (fixed tool)
            ["pg_dropcluster", "--stop", cluster.version, cluster.name],  # noqa: S607
            check=False,
            capture_output=True,
        )
