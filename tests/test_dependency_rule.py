"""The dependency rule of docs/architecture.md, checked by walking every import statement.

credentials  <-  infra  <-  keys  <-  issuers
                                 <-  verifier  <-  passport
(portal imports credentials, infra, keys, issuers and verifier; passport mounts portal's router)

``infra`` is the neutral layer: it imports ``credentials`` (for the one exception root) and no
product package, so every component can take its plumbing from it. That plumbing is defined
there once, and the wallet takes it from there rather than from the shell around it.
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


# Plumbing every component shares: each name is defined once, in infra/, and nowhere else.
INFRA_PLUMBING = {
    "SessionDep": "infra/database.py",
    "get_session": "infra/database.py",
    "create_database_engine": "infra/database.py",
    "NowDep": "infra/clock.py",
    "BaseUrlDep": "infra/app_state.py",
    "MailEnabledDep": "infra/app_state.py",
    "UTCDateTime": "infra/columns.py",
    "render_page": "infra/pages.py",
    "PageRenderer": None,  # components import render_page itself; nothing is handed in
    "negotiate_language": "infra/i18n.py",
    "GuardedFetcher": "infra/fetch/fetcher.py",
    "LoginLimits": "infra/login_limits.py",
}
# The wallet lives inside passport/ but is a component: of the shell around it, it may use only
# these modules (none is plumbing: the deployment's own documents and the statements that read
# them, and PDF rendering).
SHELL_MODULES_THE_WALLET_USES = {
    "passport.own_documents",
    "passport.own_statements",
    "passport.pdf",
}


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, by its full dotted name (``from a import b`` gives both
    ``a`` and ``a.b``: ``b`` may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imported_top_level(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def defined_names(path: Path) -> set[str]:
    """The names a module defines at its top level (functions, classes, assignments)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
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


def test_shared_plumbing_is_defined_once_in_infra() -> None:
    where: dict[str, list[str]] = {name: [] for name in INFRA_PLUMBING}
    for package in sorted(OUR_PACKAGES):
        for module in modules_of(package):
            for name in defined_names(module) & INFRA_PLUMBING.keys():
                where[name].append(module.relative_to(ROOT).as_posix())
    expected = {name: [] if home is None else [home] for name, home in INFRA_PLUMBING.items()}
    assert where == expected


def test_the_wallet_takes_its_plumbing_from_infra_not_from_the_shell() -> None:
    offenders = []
    for module in modules_of("passport/wallet"):
        # ``passport.pdf.PdfDocument`` counts as ``passport.pdf``.
        shell = {
            ".".join(name.split(".")[:2])
            for name in imported_modules(module)
            if name.startswith("passport.")
        } - {"passport.wallet"}
        if shell - SHELL_MODULES_THE_WALLET_USES:
            offenders.append(f"{module.relative_to(ROOT)} imports {sorted(shell)}")
    assert not offenders, offenders


def test_credentials_core_imports_no_io_framework_or_database() -> None:
    offenders = [
        f"{module.relative_to(ROOT)} imports {sorted(imported_top_level(module) & IO_PACKAGES)}"
        for module in modules_of("credentials")
        if imported_top_level(module) & IO_PACKAGES
    ]
    assert not offenders, offenders


def test_the_walker_sees_imports_and_definitions() -> None:
    assert "credentials" in imported_top_level(ROOT / "verifier" / "pipeline.py")
    assert "infra.SessionDep" in imported_modules(ROOT / "portal" / "routes.py")
    assert {"SessionDep", "get_session"} <= defined_names(ROOT / "infra" / "database.py")
    assert modules_of("credentials")
    assert modules_of("passport/wallet")
