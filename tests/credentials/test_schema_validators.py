"""The compiled and the pure-Python JSON Schema validators give the same verdict (see
``credentials.schemas``): on every credential among the vectors, and on the Ontario sample with
any one member replaced or removed. A "valid" from the fast one is only trusted because of this."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.sample import sample_credential
from credentials.schemas import (
    CLR_CREDENTIAL,
    OB_ACHIEVEMENT_CREDENTIAL,
    OB_ENDORSEMENT_CREDENTIAL,
    _validator,
    fast_verdict,
    validation_errors,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
SCHEMAS = (OB_ACHIEVEMENT_CREDENTIAL, OB_ENDORSEMENT_CREDENTIAL, CLR_CREDENTIAL)
DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def python_verdict(schema_id: str, document: Any) -> bool:
    return bool(_validator(schema_id).is_valid(document))


def vector_documents() -> list[tuple[str, Any]]:
    documents = []
    for path in sorted(VECTORS.rglob("*.json")):
        document = json.loads(path.read_bytes())
        if isinstance(document, dict) and "type" in document:
            documents.append((str(path.relative_to(VECTORS)), document))
    return documents


@pytest.mark.parametrize(("name", "document"), vector_documents())
def test_both_validators_agree_on_every_vector(name: str, document: Any) -> None:
    for schema in SCHEMAS:
        assert fast_verdict(schema, document) == python_verdict(schema, document), (name, schema)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every member and item path in ``value`` (depth first)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


SAMPLE = sample_credential(DID)
SAMPLE_PATHS = paths(SAMPLE)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLE_PATHS), JSON_VALUES, st.booleans())
def test_both_validators_agree_on_any_one_member_changed(
    path: tuple[Any, ...], value: Any, remove: bool
) -> None:
    document = copy.deepcopy(SAMPLE)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if remove:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    assert fast_verdict(OB_ACHIEVEMENT_CREDENTIAL, document) == python_verdict(
        OB_ACHIEVEMENT_CREDENTIAL, document
    )


def test_errors_read_as_before_when_the_fast_validator_refuses() -> None:
    document = copy.deepcopy(SAMPLE)
    del document["issuer"]
    assert fast_verdict(OB_ACHIEVEMENT_CREDENTIAL, document) is False
    assert validation_errors(OB_ACHIEVEMENT_CREDENTIAL, document) == [
        "'issuer' is a required property"
    ]
    assert validation_errors(OB_ACHIEVEMENT_CREDENTIAL, SAMPLE) == []


def test_a_document_the_fast_validator_cannot_take_goes_to_the_python_one() -> None:
    document = copy.deepcopy(SAMPLE) | {1: "not a JSON key"}
    assert fast_verdict(OB_ACHIEVEMENT_CREDENTIAL, document) is None
    assert validation_errors(OB_ACHIEVEMENT_CREDENTIAL, document) == []
