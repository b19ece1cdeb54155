"""A real uvicorn server for one app, on 127.0.0.1 and a free port, in a background thread.

The HTTP tests talk to it with a plain ``httpx.Client`` (the same sockets, HTTP parser and
middleware stack as production), and the browser tests point chromium at it. Nothing listens
beyond the loopback interface.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

STARTUP_TIMEOUT_SECONDS = 10.0
SHUTDOWN_TIMEOUT_SECONDS = 10.0


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL, e.g. ``http://127.0.0.1:41234``."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    # log_config=None leaves logging to pytest; ws="none" loads no websocket library.
    config = uvicorn.Config(app, log_config=None, ws="none", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        if not _wait_until(lambda: server.started or not thread.is_alive()):
            raise RuntimeError("uvicorn did not start within the timeout")
        if not server.started:
            raise RuntimeError("uvicorn stopped during start-up (see the captured log)")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT_SECONDS)
        listener.close()
    if thread.is_alive():
        raise RuntimeError("uvicorn did not shut down within the timeout")


def _wait_until(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False
