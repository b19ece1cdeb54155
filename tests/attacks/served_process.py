"""The real ``passport serve`` command in a subprocess on 127.0.0.1 and a free port.

Unlike ``tests.passport.live_server`` (uvicorn in a thread, logging left to pytest), this runs
the command an operator runs: uvicorn's own logging set-up, its access log, its stdout and
stderr, which the test reads afterwards (``ServedProcess.output``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

STARTUP_SECONDS = 60.0
PASSPORT = Path(sys.executable).parent / "passport"


@dataclass(frozen=True)
class ServedProcess:
    base_url: str
    stdout: Path
    stderr: Path

    def output(self) -> str:
        """Everything the process wrote so far, stdout then stderr."""
        return self.stdout.read_text("utf-8", "replace") + self.stderr.read_text("utf-8", "replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def environment(settings: dict[str, str]) -> dict[str, str]:
    """The process environment: ``settings`` as ``PASSPORT_*``, no developer PASSPORT_* leaks."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_")}
    return inherited | {f"PASSPORT_{name.upper()}": value for name, value in settings.items()}


@contextmanager
def passport_serve(directory: Path, settings: dict[str, str]) -> Iterator[ServedProcess]:
    """Run ``passport serve`` with ``settings`` until the block ends (then SIGTERM, waited for)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    served = ServedProcess(
        base_url, directory / f"serve-{port}.out", directory / f"serve-{port}.err"
    )
    with served.stdout.open("wb") as out, served.stderr.open("wb") as err:
        process = subprocess.Popen(
            [str(PASSPORT), "serve", "--host", "127.0.0.1", "--port", str(port)],
            # A DNS name: the institutions' did:web identifiers are made from it.
            env=environment({"base_url": f"http://localhost:{port}"} | settings),
            stdout=out,
            stderr=err,
        )
        try:
            _wait_until_healthy(process, served)
            yield served
        finally:
            process.terminate()
            process.wait(30)


def _wait_until_healthy(process: subprocess.Popen[bytes], served: ServedProcess) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"passport serve exited: {served.output()[-2000:]}")
        try:
            if httpx.get(f"{served.base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"passport serve did not start: {served.output()[-2000:]}")
