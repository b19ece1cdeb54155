"""The application factory for multi-process serving: every uvicorn worker process builds its
own app from the ``PASSPORT_*`` settings (``uvicorn passport.asgi:create --factory --workers N``
uses it too).

``passport serve --workers N`` runs this module (``python -m passport.asgi``) in place of itself
after its start-up checks: uvicorn starts its worker processes with multiprocessing's "spawn",
which re-runs the parent's main program in every worker, and that must be an importable module,
not the ``passport`` console script. Part of the installed package, so it works anywhere.
"""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn
from fastapi import FastAPI

from passport.app import create_app
from passport.log_setup import LOG_FORMATS, logging_config
from passport.settings import Settings

FACTORY = "passport.asgi:create"
# A busy machine may take more than uvicorn's default 5 s to import and build each app.
WORKER_START_SECONDS = 60


def create() -> FastAPI:
    """The app of this worker process, from the ``PASSPORT_*`` environment."""
    return create_app(Settings())


def exec_workers(
    *, host: str, port: int, workers: int, graceful_timeout: int, log_format: str, access: bool
) -> None:
    """Replace this process with ``python -m passport.asgi`` serving ``workers`` processes."""
    arguments = [
        sys.executable,
        "-m",
        "passport.asgi",
        f"--host={host}",
        f"--port={port}",
        f"--workers={workers}",
        f"--graceful-timeout={graceful_timeout}",
        f"--log-format={log_format}",
        f"--access-log={'on' if access else 'off'}",
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, arguments)  # noqa: S606  (our own interpreter and module)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m passport.asgi")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--graceful-timeout", type=int, required=True)
    parser.add_argument("--log-format", choices=LOG_FORMATS, required=True)
    parser.add_argument("--access-log", choices=("on", "off"), required=True)
    options = parser.parse_args()
    uvicorn.run(
        FACTORY,
        factory=True,
        host=options.host,
        port=options.port,
        workers=options.workers,
        timeout_graceful_shutdown=options.graceful_timeout,
        timeout_worker_healthcheck=WORKER_START_SECONDS,
        log_config=logging_config(options.log_format, access_log=options.access_log == "on"),
        access_log=False,
    )


if __name__ == "__main__":
    main()
