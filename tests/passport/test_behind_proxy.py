"""A production deployment behind a TLS proxy verifies its own credentials with the default fetch
rules (issue 20, problem 3).

The operator's path, step by step as ``docs/operations.md`` gives it: the settings file made
from ``deploy/passport.env.example`` (production mode, an https base URL, a master key file),
``passport check-config``, ``passport db upgrade``, ``passport institutions add``, then
``passport serve`` behind real nginx running ``deploy/nginx-passport.conf`` with TLS. The public
name is ``localhost``: it resolves to loopback, which the guarded fetcher refuses by default, so
the deployment's DID document and status lists cannot be fetched over its public URL. Its own
credentials must still verify, every check passed, because the verifier reads the deployment's
own documents from its database (``passport.own_documents``); and a revocation shows at once.
On PostgreSQL too: ``database_url`` runs it on each backend.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import trustme

from tests.passport.test_serve_process import free_port
from tests.test_deploy import DEPLOY, tool

PASSPORT = Path(sys.executable).with_name("passport")
START_TIMEOUT_SECONDS = 120.0
SITE_NAME = "passport.example.ca"


@dataclass
class Operator:
    """Runs ``passport`` commands with the settings file's variables, as the docs' step 5 does."""

    directory: Path
    environment: dict[str, str]

    def run(self, *arguments: str) -> str:
        result = subprocess.run(
            [str(PASSPORT), *arguments],
            cwd=self.directory,
            env=self.environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout


def settings_file(directory: Path, public_url: str, database_url: str) -> dict[str, str]:
    """``deploy/passport.env.example`` with this machine's values, read as ``set -a; .`` does."""
    master_key_file = directory / "master.key"
    master_key_file.write_text(
        subprocess.check_output(
            [sys.executable, "-c", "import secrets; print(secrets.token_urlsafe(32))"], text=True
        )
    )
    master_key_file.chmod(0o400)
    values = {
        "PASSPORT_BASE_URL": public_url,
        "PASSPORT_DATABASE_URL": database_url,
        "PASSPORT_MASTER_KEY_FILE": str(master_key_file),
    }
    settings: dict[str, str] = {}
    for line in (DEPLOY / "passport.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            settings[name] = values.get(name, value)
    assert settings["PASSPORT_MODE"] == "production"
    assert set(values) <= set(settings)
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PASSPORT_") and name != "PYTHONPATH"
    }
    return inherited | settings


def nginx_site(directory: Path, ca: trustme.CA, tls_port: int, app_port: int) -> Path:
    """``deploy/nginx-passport.conf`` with a certificate for ``localhost`` and loopback ports;
    every other directive (timeouts, upload size, forwarded headers) as shipped."""
    certificate = ca.issue_cert("localhost")
    certificate.private_key_pem.write_to_path(str(directory / "privkey.pem"))
    certificate.cert_chain_pems[0].write_to_path(str(directory / "fullchain.pem"))
    site = (DEPLOY / "nginx-passport.conf").read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "listen 80;": f"listen 127.0.0.1:{free_port()};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{tls_port} ssl;",
        "listen [::]:443 ssl http2;": "",
        f"server_name {SITE_NAME};": "server_name localhost;",
        "/etc/ssl/learner-passport/": f"{directory}/",
    }
    for shipped, here in replacements.items():
        assert shipped in site, f"deploy/nginx-passport.conf no longer has {shipped!r}"
        site = site.replace(shipped, here)
    (directory / "site.conf").write_text(site)
    configuration = directory / "nginx.conf"
    configuration.write_text(
        f"pid {directory}/nginx.pid;\nerror_log {directory}/error.log;\n"
        f"events {{}}\nhttp {{\n    access_log off;\n    include {directory}/site.conf;\n}}\n"
    )
    return configuration


@contextmanager
def running(command: list[str], directory: Path, environment: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(
        command, cwd=directory, env=environment, stderr=subprocess.PIPE, text=True
    )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def ca_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def wait_until_ready(client: httpx.Client) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            answer = client.get("/readyz")
            if answer.status_code == 200:
                assert answer.json()["status"] == "ready"
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the deployment behind nginx did not become ready"
        time.sleep(0.3)


@contextmanager
def deployment_behind_nginx(
    directory: Path, database_url: str
) -> Iterator[tuple[Operator, httpx.Client]]:
    """Steps 3 to 9 of "From an empty PostgreSQL to a running deployment"."""
    ca = trustme.CA()
    tls_port, app_port = free_port(), free_port()
    public_url = f"https://localhost:{tls_port}"
    operator = Operator(directory, settings_file(directory, public_url, database_url))
    assert "configuration is usable" in operator.run("check-config")
    operator.run("db", "upgrade")
    nginx = [
        tool("nginx"),
        "-p",
        str(directory),
        "-c",
        str(nginx_site(directory, ca, tls_port, app_port)),
    ]
    serve = [str(PASSPORT), "serve", "--host", "127.0.0.1", "--port", str(app_port)]
    with (
        running([*nginx, "-g", "daemon off;"], directory, operator.environment),
        running(serve, directory, operator.environment),
        httpx.Client(base_url=public_url, verify=ca_context(ca), timeout=30) as client,
    ):
        wait_until_ready(client)
        yield operator, client


def verify(client: httpx.Client, credential: str, media_type: str) -> dict[str, object]:
    answer = client.post(
        "/api/v1/verify", content=credential.encode(), headers={"Content-Type": media_type}
    )
    assert answer.status_code == 200, answer.text
    report: dict[str, object] = answer.json()
    return report


def check_outcomes(report: dict[str, object]) -> dict[str, str]:
    checks = report["checks"]
    assert isinstance(checks, list)
    return {check["id"]: check["outcome"] for check in checks}


def test_own_credentials_verify_behind_a_tls_proxy_in_production(
    tmp_path: Path, database_url: str
) -> None:
    with deployment_behind_nginx(tmp_path, database_url) as (operator, client):
        assert "created college-x: did:web:localhost" in operator.run(
            "institutions", "add", "college-x", "--name-en", "College X",
            "--name-fr", "Collège X", "--kind", "college", "--website", "https://college.example.ca",
            "--email", "registrar@college.example.ca",
        )  # fmt: skip
        api_key = operator.run(
            "institutions", "add-api-key", "college-x", "--label", "registrar",
            "--action", "manage_programs", "--action", "issue", "--action", "revoke",
        ).strip()  # fmt: skip
        headers = {"Authorization": f"Bearer {api_key}"}
        api = "/api/v1/institutions/college-x"
        program = {"slug": "welding", "name_en": "Welding Basics", "hours": 40}
        created = client.post(
            f"{api}/programs", json=program | {"delivery_mode": "in_person"}, headers=headers
        )
        assert created.status_code == 201, created.text
        issued = client.post(
            f"{api}/programs/welding/awards",
            json={"name": "Amélie Côté", "email": "amelie@example.ca"},
            headers=headers,
        )
        assert issued.status_code == 201, issued.text
        award = issued.json()["id"]
        forms = {
            form: client.get(f"{api}/awards/{award}/credential.{form}", headers=headers).text
            for form in ("json", "jwt")
        }
        media_types = {"json": "application/json", "jwt": "application/vc+jwt"}

        for form, credential in forms.items():
            report = verify(client, credential, media_types[form])
            assert report["verdict"] == "verified", (form, report)
            assert set(check_outcomes(report).values()) == {"passed"}, (form, report)

        revoked = client.post(
            f"{api}/awards/{award}/status", json={"action": "revoke", "reason": "issued in error"},
            headers=headers,
        )  # fmt: skip
        assert revoked.status_code == 200, revoked.text
        for form, credential in forms.items():
            report = verify(client, credential, media_types[form])
            assert report["verdict"] == "not_verified", (form, report)
            assert check_outcomes(report)["status"] == "failed", (form, report)
