"""The dependency rule of docs/architecture.md, checked by walking every import statement.

credentials  <-  infra  <-  keys  <-  issuers
                                 <-  verifier  <-  passport
(portal imports credentials, infra, keys, issuers and verifier; passport mounts portal's router)

``infra`` is the neutral layer: it imports ``credentials`` (for the one exception root) and no
product package, so every component can take its plumbing from it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
OUR_PACKAGES = {"credentials", "infra", "keys", "issuers", "verifier", "portal", "passport"}
# Packages that would bring I/O, a web framework or a database into the pure core.
IO_PACKAGES = {
    "fastapi",
    "starlette",
    "sqlmodel",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "httpx",
    "uvicorn",
    "jinja2",
    "typer",
    "rich",
    "requests",
    "urllib",
    "socket",
    "http",
    "sqlite3",
    "subprocess",
    "asyncio",
    "procrastinate",
}
ALLOWED_OURS = {
    "credentials": set(),
    "infra": {"credentials"},
    "keys": {"credentials", "infra"},
    "issuers": {"credentials", "infra", "keys"},
    "verifier": {"credentials", "infra", "keys"},
    "portal": {"credentials", "infra", "keys", "issuers", "verifier"},
    "passport": OUR_PACKAGES - {"passport"},
}


def imported_top_level(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED_OURS))
def test_package_imports_only_what_the_rule_allows(package: str) -> None:
    offenders = []
    for module in modules_of(package):
        ours = imported_top_level(module) & OUR_PACKAGES - {package}
        if not ours <= ALLOWED_OURS[package]:
            offenders.append(f"{module.relative_to(ROOT)} imports {sorted(ours)}")
    assert not offenders, offenders


def test_credentials_core_imports_no_io_framework_or_database() -> None:
    offenders = [
        f"{module.relative_to(ROOT)} imports {sorted(imported_top_level(module) & IO_PACKAGES)}"
        for module in modules_of("credentials")
        if imported_top_level(module) & IO_PACKAGES
    ]
    assert not offenders, offenders


def test_the_walker_sees_imports() -> None:
    assert "credentials" in imported_top_level(ROOT / "verifier" / "pipeline.py")
    assert modules_of("credentials")
