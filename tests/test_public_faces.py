"""Every component has a public face: the names its ``__init__.py`` lists in ``__all__``.

The rule (docs/architecture.md, "Public faces"): a product package imports another one only
through a package's face, ``from verifier import VerifierService``, never from a submodule
(``from verifier.service import ...``). A sub-package is a face of its own when its parent lists it
and it has an ``__all__`` (``from credentials.models import Achievement``). Inside a package,
modules import their siblings' submodules, never a name from their own package's root: the root
imports them, so it is only partly built while they load. Tests, ``bench/`` and ``stress/`` may
reach inside. The faces are read from the sources, wherever a package's ``__init__.py`` is.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
MAY_REACH_INSIDE = {"tests", "bench", "stress"}
PRODUCT_PACKAGES = sorted(
    init.parent.name
    for init in ROOT.glob("*/__init__.py")
    if init.parent.name not in MAY_REACH_INSIDE
)


def package_dir(dotted: str) -> Path | None:
    """The directory of package ``dotted``, None when it is a plain module or does not exist."""
    path = ROOT.joinpath(*dotted.split("."))
    return path if (path / "__init__.py").is_file() else None


def face(dotted: str) -> set[str] | None:
    """The names in package ``dotted``'s ``__all__``; None when it is no package or lists none."""
    directory = package_dir(dotted)
    if directory is None:
        return None
    tree = ast.parse((directory / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and value:
            return {
                item.value
                for item in ast.walk(value)
                if isinstance(item, ast.Constant) and isinstance(item.value, str)
            }
    return None


def is_public(dotted: str) -> bool:
    """Is package ``dotted`` a face: a product package, or listed by its parent's face?"""
    parent, _, name = dotted.rpartition(".")
    if not parent:
        return dotted in PRODUCT_PACKAGES
    return is_public(parent) and name in (face(parent) or set()) and face(dotted) is not None


def offences(source: str, package: str) -> list[str]:
    """The imports in ``source`` (a module of ``package``) that break the rule, as messages."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in PRODUCT_PACKAGES and top != package and alias.name != top:
                    found.append(f"import {alias.name}: use 'from {top} import ...'")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = node.module.split(".")[0]
            if top not in PRODUCT_PACKAGES:
                continue
            names = [alias.name for alias in node.names]
            if top == package:
                if node.module == top:
                    found += [
                        f"from {top} import {name}: a sibling's name, through the root"
                        for name in names
                        if not (ROOT / top / f"{name}.py").is_file()
                        and not package_dir(f"{top}.{name}")
                    ]
                continue
            listed = face(node.module) if is_public(node.module) else None
            if listed is None:
                found.append(f"from {node.module}: not a public face; import from '{top}'")
                continue
            found += [
                f"from {node.module} import {name}: not in {node.module}.__all__"
                for name in names
                if name not in listed
            ]
    return found


@pytest.mark.parametrize("package", PRODUCT_PACKAGES)
def test_every_product_package_lists_its_face(package: str) -> None:
    assert face(package) is not None, f"{package}/__init__.py has no __all__"


@pytest.mark.parametrize("package", PRODUCT_PACKAGES)
def test_other_packages_are_used_only_through_their_faces(package: str) -> None:
    found = [
        f"{module.relative_to(ROOT)}: {offence}"
        for module in sorted((ROOT / package).rglob("*.py"))
        for offence in offences(module.read_text(encoding="utf-8"), package)
    ]
    assert not found, "\n".join(found)


def test_the_rule_refuses_a_reach_inside_and_an_unlisted_name() -> None:
    assert offences("from verifier.service import VerifierService\n", "passport") == [
        "from verifier.service: not a public face; import from 'verifier'"
    ]
    assert offences("from verifier import summarize_everything\n", "passport") == [
        "from verifier import summarize_everything: not in verifier.__all__"
    ]
    assert offences("import issuers.tables\n", "passport") == [
        "import issuers.tables: use 'from issuers import ...'"
    ]
    assert offences("from verifier import VerifierService\n", "verifier") == [
        "from verifier import VerifierService: a sibling's name, through the root"
    ]


def test_the_rule_lets_faces_and_siblings_through() -> None:
    allowed = (
        "from verifier import VerifierService, read_input\n"
        "from credentials.models import Achievement\n"
        "from credentials import InvalidInput\n"
    )
    assert offences(allowed, "passport") == []
    assert (
        offences("from verifier import wording\nfrom verifier.pipeline import x\n", "verifier")
        == []
    )
