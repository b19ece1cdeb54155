"""The parts every credential WE emit is made of (``credentials.models.builders``): its head
(context, id, type, issuer, dates), its issuer profile, members added only when they have a
value, its status entry, and the finish: schema, status, no unportable term, read back through
the model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from credentials.contexts import is_bundled
from credentials.errors import InvalidInput, UnknownContext
from credentials.models.common import (
    VERIFIABLE_CREDENTIAL,
    BitstringStatusListEntry,
    JsonLdModel,
    Profile,
    format_datetime,
    validate_document,
)

JSON_SCHEMA_VALIDATOR_2019 = "1EdTechJsonSchemaValidator2019"
# Defined only by the later copy of context 3.0.3; verifiers holding the April 2025 copy fail.
UNPORTABLE_TERMS = frozenset({"jti", "endorsementJwt"})
# Members whose values are credentials signed by someone else: inserted as given, not ours.
_EMBEDDED_CREDENTIAL_MEMBERS = frozenset({"endorsement", "verifiableCredential"})

_Credential = TypeVar("_Credential", bound=JsonLdModel)
StatusArgument = BitstringStatusListEntry | Sequence[BitstringStatusListEntry] | None


def credential_head(
    *,
    contexts: list[str],
    credential_id: str,
    credential_type: str,
    issuer: Any,
    valid_from: datetime,
    valid_until: datetime | None,
) -> dict[str, Any]:
    # Member order follows the specification examples: context, id, type, issuer, dates.
    document: dict[str, Any] = {
        "@context": contexts,
        "id": credential_id,
        "type": [VERIFIABLE_CREDENTIAL, credential_type],
        "issuer": issuer,
        "validFrom": format_datetime(valid_from),
    }
    return put_members(
        document, validUntil=None if valid_until is None else format_datetime(valid_until)
    )


def emitted_issuer(issuer: Profile | Mapping[str, Any]) -> dict[str, Any]:
    # Built, not read: a profile given without ``type`` gets the one the schema requires.
    if not isinstance(issuer, Profile):
        issuer = validate_document(Profile, dict(issuer), what="issuer profile", reading=False)
    return issuer.to_jsonld()


def checked_contexts(contexts: tuple[str, ...]) -> list[str]:
    # A context our own document loader would refuse could never be signed or verified.
    for url in contexts:
        if not is_bundled(url):
            raise UnknownContext(f"context {url!r} is not bundled; it cannot be emitted")
    if len(set(contexts)) != len(contexts):
        raise InvalidInput("a context is listed twice")
    return list(contexts)


def put_members(document: dict[str, Any], **members: Any) -> dict[str, Any]:
    """Add the members that have a value, in order, as JSON (models through ``to_jsonld``)."""
    for key, value in members.items():
        if value is not None:
            document[key] = as_json(value)
    return document


def as_json(value: Any) -> Any:
    if isinstance(value, JsonLdModel):
        return value.to_jsonld()
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value


def emitted_status(status: StatusArgument) -> dict[str, Any] | None:
    # The OB 3.0 and CLR 2.0 schemas allow a single credentialStatus object, with an id.
    if status is not None and not isinstance(status, BitstringStatusListEntry):
        if len(status) > 1:
            raise InvalidInput("OB 3.0 and CLR 2.0 allow one credentialStatus entry, not a list")
        status = status[0] if status else None
    if status is None:
        return None
    index = str(status.status_list_index)
    entry_id = status.id or f"{status.status_list_credential}#{index}"
    return status.model_copy(update={"status_list_index": index, "id": entry_id}).to_jsonld()


def finish_credential(
    document: dict[str, Any],
    schema_url: str,
    status: StatusArgument,
    model: type[_Credential],
) -> _Credential:
    """Add the schema and status, refuse unportable terms, and read the document back."""
    document["credentialSchema"] = [{"id": schema_url, "type": JSON_SCHEMA_VALIDATOR_2019}]
    put_members(document, credentialStatus=emitted_status(status))
    unportable = next(unportable_term_paths(document, ""), None)
    if unportable is not None:
        raise InvalidInput(f"{unportable}: we never emit this term (older OB contexts lack it)")
    return validate_document(model, document, what="credential we built")


def unportable_term_paths(node: Any, path: str) -> Iterator[str]:
    # Only objects and arrays are walked into: strings and numbers hold no member names.
    if isinstance(node, list):
        for position, item in enumerate(node):
            if isinstance(item, dict | list):
                yield from unportable_term_paths(item, f"{path}[{position}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in UNPORTABLE_TERMS:
                yield f"{path}.{key}" if path else key
            elif isinstance(value, dict | list) and key not in _EMBEDDED_CREDENTIAL_MEMBERS:
                yield from unportable_term_paths(value, f"{path}.{key}" if path else key)
