"""The W3C RDFC-1.0 test suite (tests/vectors/rdf-canon, w3c/rdf-canon): one case per manifest row.

Eval tests compare our canonical N-Quads byte for byte with ``-rdfc10.nq``; map tests also
compare the issued identifiers map with ``-rdfc10map.json``; the negative "poison" test must stop
with a work-limit error (pyld on its own would run for hours: see ``N_DEGREE_CALL_LIMIT_EXPONENT``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from credentials.canonical import canonicalize_nquads_with_map
from credentials.errors import InputTooLarge
from tests.conftest import VECTORS

SUITE = VECTORS / "rdf-canon"
ROWS = list(csv.DictReader((SUITE / "manifest.csv").read_text(encoding="utf-8").splitlines()))
APPROVED = [row for row in ROWS if row["approval"] == "Approved"]


def _hash_algorithm(row: dict[str, str]) -> str:
    return {"": "sha256", "SHA384": "sha384"}[row["hashAlgorithm"]]


def _file(test: str, suffix: str) -> Path:
    return SUITE / "rdfc10" / f"{test}-{suffix}"


def test_the_manifest_is_complete() -> None:
    assert len(APPROVED) == len(ROWS) == 65
    assert [row["test"] for row in APPROVED if row["rdfc10"] != "TRUE"] == ["test074"]


@pytest.mark.parametrize("row", APPROVED, ids=[row["test"] for row in APPROVED])
def test_rdfc10(row: dict[str, str]) -> None:
    source = _file(row["test"], "in.nq").read_text(encoding="utf-8")
    if row["rdfc10"] == "RDFC10NegativeEvalTest":
        with pytest.raises(InputTooLarge, match="work limit"):
            canonicalize_nquads_with_map(source, hash_algorithm=_hash_algorithm(row))
        return
    result = canonicalize_nquads_with_map(source, hash_algorithm=_hash_algorithm(row))
    expected = _file(row["test"], "rdfc10.nq").read_bytes()
    assert result.nquads.encode("utf-8") == expected
    if row["rdfc10map"] == "TRUE":
        expected_map = json.loads(_file(row["test"], "rdfc10map.json").read_text(encoding="utf-8"))
        assert result.issued_identifiers == expected_map


def test_pyld_deviation_poison_graph_work_limit() -> None:
    source = _file("test074", "in.nq").read_text(encoding="utf-8")
    with pytest.raises(InputTooLarge, match="1000 Hash N-Degree Quads calls"):
        canonicalize_nquads_with_map(source)
