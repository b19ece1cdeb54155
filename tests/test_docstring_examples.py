"""Every runnable example (``>>>``) in the code's docstrings stays true: one test per module.

The modules are found by reading the sources, so a new example runs without being listed here
(``make test`` runs this file with the rest of the suite).
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# Every top-level package of the repository but the tests themselves.
CODE_PACKAGES = sorted(
    init.parent.name for init in ROOT.glob("*/__init__.py") if init.parent.name != "tests"
)
EXAMPLE_MARK = ">>> "


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def modules_with_examples() -> list[str]:
    return sorted(
        module_name(path)
        for package in CODE_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if EXAMPLE_MARK in path.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("name", modules_with_examples())
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0, f"{name} has '>>> ' outside its docstrings"
    assert result.failed == 0


def test_examples_are_found() -> None:
    """The collector sees the examples in the core, the verifier and the shell."""
    names = modules_with_examples()
    assert {"credentials.baking", "verifier.inputs", "credentials.models.builders"} <= set(names)
    assert len(names) > 60
