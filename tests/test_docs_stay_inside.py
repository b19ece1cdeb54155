"""Docs never point outside the repository: a clone has no ``../shared/`` folder beside it.

Where a file came from elsewhere, the docs name its upstream repository and commit instead
(``tests/vectors/README.md``).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parents[1]
OUTSIDE = ("../shared/", "/work/shared")
SKIPPED = {".venv", ".git", "node_modules", ".mypy_cache", ".ruff_cache"}


def documents() -> list[Path]:
    """Every Markdown file, and the code whose docstrings and comments are docs too."""
    found = [*ROOT.glob("*.md"), *ROOT.glob("docs/**/*.md"), *ROOT.glob("tests/**/README.md")]
    for init in ROOT.glob("*/__init__.py"):
        if init.parent.name not in SKIPPED | {"tests"}:
            found += init.parent.rglob("*.py")
    return sorted(path for path in found if not SKIPPED & set(path.parts))


def test_no_document_points_outside_the_repository() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in documents()
        if any(marker in path.read_text(encoding="utf-8") for marker in OUTSIDE)
    ]
    assert not offenders, offenders


def test_the_documents_include_the_architecture_and_the_vectors() -> None:
    names = {str(path.relative_to(ROOT)) for path in documents()}
    assert {"docs/architecture.md", "tests/vectors/README.md", "verifier/checks.py"} <= names
