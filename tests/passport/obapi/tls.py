"""The app served over TLS on loopback, with a certificate from a local test CA (trustme).

The OB 3.0 API and its authorization server run only over HTTPS (OB 3.0 section 6.1), in tests
as in production: the app's ``base_url`` is the ``https://localhost:<port>`` it is served at,
and clients trust the test CA through ``TlsServer.client()``.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import trustme
import uvicorn
from fastapi import FastAPI

from passport.app import create_app
from passport.database import upgrade_database
from passport.settings import Settings

HOST_NAME = "127.0.0.1"
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class TlsServer:
    app: FastAPI
    base_url: str
    ca: trustme.CA

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            verify=self.ssl_context(),
            timeout=60,
            **kwargs,  # type: ignore[arg-type]
        )


@contextmanager
def serving_tls(
    directory: Path, ca: trustme.CA, settings_for: Callable[[str], Settings]
) -> Iterator[TlsServer]:
    """Serve ``create_app(settings_for(base_url))`` over TLS until the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    base_url = f"https://{HOST_NAME}:{listener.getsockname()[1]}"
    settings = settings_for(base_url)
    upgrade_database(settings)
    app = create_app(settings)
    pem = directory / "server.pem"
    ca.issue_cert(HOST_NAME).private_key_and_cert_chain_pem.write_to_path(str(pem))
    config = uvicorn.Config(
        app,
        log_config=None,
        ws="none",
        lifespan="on",
        access_log=False,
        ssl_certfile=str(pem),
        ssl_keyfile=str(pem),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not server.started:
            raise RuntimeError("uvicorn did not start over TLS")
        yield TlsServer(app, base_url, ca)
    finally:
        server.should_exit = True
        thread.join(TIMEOUT_SECONDS)
        listener.close()
