"""The deployment examples in ``deploy/`` are checked by the tools that will read them
(issue 20, problem 6: there were none, and nothing said the proxy's 1 MB upload limit refuses
cohort files).

- the nginx site passes ``nginx -t`` with a throwaway certificate, and lets through the largest
  cohort upload the app accepts;
- the systemd units pass ``systemd-analyze verify`` (which parses them and checks that their
  commands exist) without a single warning;
- the container build file copies exactly the packages the distribution installs (it cannot be
  built offline here).

``make test`` installs Debian's nginx when it is missing (``make deploy-tools``); a missing tool
fails these tests with that instruction, never skips them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from issuers.cohorts.cohort_file import MAX_UPLOAD_BYTES
from issuers.console.cohorts import MULTIPART_ALLOWANCE

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = ("passport.service", "passport-worker.service")
INSTALLED_COMMAND = "/opt/learner-passport/bin/passport"
NGINX_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024}


def tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        pytest.fail(f"{name} is not installed: run `make deploy-tools` (Debian packages)")
    return path


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "passport.example.ca")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_the_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    site = (DEPLOY / "nginx-passport.conf").read_text()
    site = site.replace("/etc/ssl/learner-passport/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/learner-passport/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [tool("nginx"), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_nginx_site_lets_the_largest_cohort_upload_through() -> None:
    site = (DEPLOY / "nginx-passport.conf").read_text()
    [(number, unit)] = re.findall(r"client_max_body_size\s+(\d+)([kmg]?);", site)
    assert int(number) * NGINX_SIZE_UNITS[unit] >= MAX_UPLOAD_BYTES + MULTIPART_ALLOWANCE
    for directive in ("client_header_timeout", "client_body_timeout", "X-Forwarded-For"):
        assert directive in site


def test_the_systemd_units_verify_without_warnings(tmp_path: Path) -> None:
    # The units name the command where the operator installs it; here, the installed one.
    installed = str(Path(sys.executable).with_name("passport"))
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        assert INSTALLED_COMMAND in text
        (tmp_path / unit).write_text(text.replace(INSTALLED_COMMAND, installed))
    result = subprocess.run(
        [tool("systemd-analyze"), "verify", "--man=no", *(str(tmp_path / u) for u in UNITS)],
        capture_output=True,
        text=True,
        check=False,
    )
    # Parse errors are only warnings for systemd ("ignoring"): any output is a failure.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_the_container_file_copies_exactly_the_installed_packages() -> None:
    lines = (DEPLOY / "Containerfile").read_text().splitlines()
    copied = {line.split()[1] for line in lines if line.startswith("COPY ")}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        name.rstrip("*") for name in project["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    assert copied == packages | {"pyproject.toml"}
    assert all((ROOT / source).exists() for source in copied)
    assert any(line.startswith('ENTRYPOINT ["passport"]') for line in lines)
