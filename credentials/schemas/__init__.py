"""The bundled 1EdTech and W3C JSON Schemas, looked up by their ``$id``, validated offline.

OB 3.0 section 8.1 / CLR 2.0: a credential whose ``credentialSchema`` entry has type
``1EdTechJsonSchemaValidator2019`` is validated against the schema at that ``id``. We hold every
published schema locally; an ``id`` we do not hold is reported, never fetched.

Two validators, one answer: ``jsonschema-rs`` (compiled, ~400x faster on a 2.7 KB badge) says
whether a document is valid; only when it says "invalid" does the pure-Python ``jsonschema``
produce the readable errors, and its verdict is the one reported. So a credential is "valid"
only when the fast validator says so, and every error message reads as before. Formats are
annotations, not assertions, in both (JSON Schema 2019-09 section 7.2.1). A differential test
(tests/credentials/test_schema_validators.py) holds the two to the same verdicts.

>>> validation_errors(OB_ACHIEVEMENT_CREDENTIAL, {"type": ["VerifiableCredential"]})[0]
"'@context' is a required property"
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft201909Validator, Draft202012Validator
from jsonschema.protocols import Validator
from referencing import Registry, Resource

OB_ACHIEVEMENT_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_ENDORSEMENT_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
CLR_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"
MAX_ERRORS = 5


@cache
def _bundled() -> dict[str, dict[str, Any]]:
    schemas: dict[str, dict[str, Any]] = {}
    root = resources.files(__package__)
    for folder in ("ob_v3p0", "clr_v2p0", "vcdm2"):
        for item in root.joinpath(folder).iterdir():
            if item.name.endswith(".json"):
                schema = json.loads(item.read_bytes())
                schemas[schema["$id"]] = schema
    return schemas


@cache
def _validator(schema_id: str) -> Validator:
    schemas = _bundled()
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(schema)) for uri, schema in schemas.items()
    )
    schema = schemas[schema_id]
    is_2020 = "2020-12" in str(schema.get("$schema", ""))
    validator_class = Draft202012Validator if is_2020 else Draft201909Validator
    validator: Validator = validator_class(schema, registry=registry)
    return validator


@cache
def _fast_validator(schema_id: str) -> jsonschema_rs.Validator:
    schemas = _bundled()
    registry = jsonschema_rs.Registry(list(schemas.items()))
    return jsonschema_rs.validator_for(
        schemas[schema_id], registry=registry, validate_formats=False
    )


def fast_verdict(schema_id: str, document: Any) -> bool | None:
    """The compiled validator's verdict, or ``None`` when it cannot take the document (e.g. a
    mapping with non-string keys, which JSON never produces)."""
    try:
        return bool(_fast_validator(schema_id).is_valid(document))
    except (ValueError, TypeError, OverflowError):
        return None


def is_bundled_schema(schema_id: str) -> bool:
    return schema_id in _bundled()


def validation_errors(schema_id: str, document: Any) -> list[str]:
    """Up to ``MAX_ERRORS`` readable errors (``path: message``); empty when valid."""
    if fast_verdict(schema_id, document):
        return []
    errors = sorted(_validator(schema_id).iter_errors(document), key=lambda error: error.path)
    readable = []
    for error in errors[:MAX_ERRORS]:
        path = "/".join(str(part) for part in error.absolute_path)
        readable.append(f"{path}: {error.message}" if path else error.message)
    return readable
