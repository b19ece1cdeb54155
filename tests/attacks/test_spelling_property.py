"""Issue #12 item 1, as a property: no spelling of the same graph changes a verdict.

A corpus of Data Integrity credentials (genuine, revoked, suspended, expired, not yet valid, a
holder-bound presentation, and 1EdTech's own signed example) is respelled without touching a
proof: members under their full IRIs, ``@id``/``@type`` for their aliases, dates as typed values,
single values as arrays and ``@set`` objects, members moved under ``@nest``, the credential as
the node of a top-level ``@graph``, its subject under ``@included`` or at the top with
``@reverse``, and the whole credential expanded then compacted, or flattened, by pyld. Every
spelling must get the verdict, and every check the outcome, of the credential as issued.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from typing import Any

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from credentials.canonical import canonicalize_jsonld_general
from credentials.contexts import document_loader
from tests.attacks.test_spelling import CHALLENGE, CRED, DOMAIN, XSD_DATE_TIME
from tests.attacks.verdict_world import CHECKED_AT, SUSPENSION_URL, World
from tests.conftest import VECTORS
from tests.verifier.support import REVOKED_INDEX, Issuer
from tests.verifier.test_pipeline_core import fixture_context
from verifier.pipeline import VerificationReport, verify_document

Spelling = Callable[[dict[str, Any]], dict[str, Any]]
DATES = ("validFrom", "validUntil")


def _stamp(days: int) -> str:
    return (CHECKED_AT + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iri_keys(document: dict[str, Any]) -> dict[str, Any]:
    """Members under their full IRIs; a date then needs its type, which only the term gave."""
    names = ("credentialStatus", "credentialSubject", "issuer")
    respelled = _typed_dates(document)
    return {
        (CRED + key if key in names or key in DATES else key): value
        for key, value in respelled.items()
    }


def _at_id(document: dict[str, Any]) -> dict[str, Any]:
    def alias(node: Any) -> Any:
        if isinstance(node, dict) and "id" in node:
            node = {("@id" if key == "id" else key): value for key, value in node.items()}
        return node

    respelled: dict[str, Any] = alias(document)
    for member in ("issuer", "credentialSubject", "credentialStatus"):
        if member in respelled:
            respelled[member] = alias(respelled[member])
    return respelled


def _at_type(document: dict[str, Any]) -> dict[str, Any]:
    return {("@type" if key == "type" else key): value for key, value in document.items()}


def _typed_dates(document: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {"@value": value, "@type": XSD_DATE_TIME}
        if key in DATES and isinstance(value, str)
        else value
        for key, value in document.items()
    }


def _arrays(document: dict[str, Any]) -> dict[str, Any]:
    wrap = ("credentialSubject", "credentialStatus")
    return {
        key: [value] if key in wrap and not isinstance(value, list) else value
        for key, value in document.items()
    }


def _sets(document: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {"@set": value if isinstance(value, list) else [value]}
        if key == "credentialSubject"
        else value
        for key, value in document.items()
    }


def _nested(document: dict[str, Any]) -> dict[str, Any]:
    moved = {key: value for key, value in document.items() if key in DATES}
    kept = {key: value for key, value in document.items() if key not in DATES}
    return {**kept, "@nest": moved} if moved else kept


def _recompacted(document: dict[str, Any]) -> dict[str, Any]:
    options = {"documentLoader": document_loader}
    expanded = jsonld.expand(document, options)
    compacted: dict[str, Any] = jsonld.compact(
        expanded, {"@context": document["@context"]}, options
    )
    return compacted


def _graph(document: dict[str, Any]) -> dict[str, Any]:
    """The credential as the one node of a top-level ``@graph`` (JSON-LD 1.1 section 4.9)."""
    if "@graph" in document:
        return document  # already laid out so: a second level would be a named graph
    node = {key: value for key, value in document.items() if key != "@context"}
    return {"@context": document["@context"], "@graph": [node]}


def _included(document: dict[str, Any]) -> dict[str, Any]:
    """The subject as a separate node under ``@included`` (section 4.7), referred to by id."""
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or "@set" in subject:
        return document  # a set object is not a node: it has no id to refer to
    key = "@id" if "@id" in subject else "id"
    node = {key: "_:subject", **subject}
    reference = {key: node[key]}
    return {**document, "credentialSubject": reference, "@included": [node]}


def _reverse(document: dict[str, Any]) -> dict[str, Any]:
    """The subject at the top, saying which credential it is the subject of (section 4.8)."""
    subject = _one_node(document.get("credentialSubject"))
    if subject is None:
        return document
    credential = {key: value for key, value in document.items() if key != "credentialSubject"}
    credential.pop("@context")
    reverse = {CRED + "credentialSubject": credential}
    return {"@context": document["@context"], **subject, "@reverse": reverse}


def _one_node(value: Any) -> dict[str, Any] | None:
    """The one node ``value`` holds, if it holds one. A set object is not a node: JSON-LD 1.1
    section 9.7 lets it hold no entry but ``@set`` and ``@index``, so the subject cannot be moved
    to the top beside ``@reverse`` in its set object (expansion then fails with "invalid set or
    list object"); as a property's value, ``{"@set": [node]}`` says what ``node`` says (section
    4.3.2), so the node itself is what moves."""
    if isinstance(value, dict) and "@set" in value:
        value = value["@set"]
        value = value[0] if isinstance(value, list) and len(value) == 1 else value
    return value if isinstance(value, dict) else None


def _flattened(document: dict[str, Any]) -> dict[str, Any]:
    options = {"documentLoader": document_loader}
    flat: dict[str, Any] = jsonld.flatten(document, {"@context": document["@context"]}, options)
    return flat


SPELLINGS: dict[str, Spelling] = {
    "iri-keys": _iri_keys,
    "@id": _at_id,
    "@type": _at_type,
    "typed-dates": _typed_dates,
    "arrays": _arrays,
    "@set": _sets,
    "@nest": _nested,
    "pyld-compact-expand": _recompacted,
    "@graph": _graph,
    "@included": _included,
    "@reverse": _reverse,
    "pyld-flatten": _flattened,
}


def respell(document: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """Apply spellings to the unsecured part; the proof is carried over untouched."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    for name in names:
        unsecured = SPELLINGS[name](unsecured)
    return {**unsecured, "proof": document["proof"]}


@cache
def world() -> World:
    return World()


@cache
def corpus() -> dict[str, dict[str, Any]]:
    here = world()
    victim = Issuer()
    owned = here.credential()
    owned["credentialSubject"]["id"] = victim.did
    suspended = here.credential()
    suspended["credentialStatus"] = {
        "id": f"{SUSPENSION_URL}#{REVOKED_INDEX}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": str(REVOKED_INDEX),
        "statusListCredential": SUSPENSION_URL,
    }
    return {
        "genuine": here.signed(here.credential()),
        "revoked": here.signed(here.credential(index=REVOKED_INDEX)),
        "suspended": here.signed(suspended),
        "expired": here.signed(here.credential(validUntil=_stamp(-3))),
        "not-yet-valid": here.signed(here.credential(validFrom=_stamp(3))),
        "holder-bound": here.signed(owned),
        "1edtech": json.loads(
            (VECTORS / "examples/1edtech-validator/ob30-simple-eddsa-rdfc-2022.json").read_text()
        ),
    }


def verdict(name: str, document: dict[str, Any]) -> VerificationReport:
    if name == "1edtech":
        return verify_document(document, fixture_context())
    return world().verify(document)


def outcomes(report: VerificationReport) -> list[tuple[str, str]]:
    return sorted((check.id, check.outcome.value) for check in report.checks)


# Found by hypothesis: the subject in a set object, moved to the top beside ``@reverse``, was no
# JSON-LD at all (see ``_one_node``); the 1edtech credential then lost its verdict, the expired one
# its validity check.
@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(sorted(corpus())),
    st.lists(st.sampled_from(sorted(SPELLINGS)), min_size=1, max_size=3, unique=True),
)
@example(name="1edtech", names=["@set", "@reverse"])
@example(name="expired", names=["@set", "@reverse"])
def test_every_spelling_of_a_credential_gets_its_verdict(name: str, names: list[str]) -> None:
    original = corpus()[name]
    expected = verdict(name, original)
    report = verdict(name, respell(original, names))
    assert report.verdict is expected.verdict, (names, report.checks)
    assert outcomes(report) == outcomes(expected), names


# Inside a presentation the credential's proof is part of what the holder signs. Laid out as a
# top-level ``@graph``, from its subject's side, or flattened, the credential's top-level object is
# no longer the credential, and its ``proof`` would hang off another node: not the same graph.
IN_PLACE = sorted(set(SPELLINGS) - {"@graph", "@reverse", "pyld-flatten"})


def _reference_graph(credential: dict[str, Any]) -> str:
    """The credential's canonical N-Quads without its proof, by the stock pyld path."""
    return canonicalize_jsonld_general({k: v for k, v in credential.items() if k != "proof"})


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(IN_PLACE), min_size=1, max_size=3, unique=True))
def test_every_spelling_inside_a_presentation_gets_its_verdict(names: list[str]) -> None:
    thief = Issuer()
    stolen = corpus()["holder-bound"]
    in_place = respell(stolen, names)
    # Some sequences are not a respelling at all: ["@included", "pyld-compact-expand", "@set"]
    # makes another graph, as the reference processor (pyld) says too, and its proof then
    # rightly fails. Only spellings of the same graph must get the same verdict.
    assume(_reference_graph(in_place) == _reference_graph(stolen))
    expected = world().verify(thief.present([stolen], CHALLENGE, DOMAIN, now=CHECKED_AT))
    respelled = thief.present([in_place], CHALLENGE, DOMAIN, now=CHECKED_AT)
    report = world().verify(respelled)
    assert expected.verdict.value == "not_verified"
    assert report.verdict is expected.verdict, names
    assert outcomes(report) == outcomes(expected), names


def test_two_credentials_under_one_graph_are_refused_as_unreadable_not_as_forged() -> None:
    """A layout that holds two credentials is not one credential respelled: a plain refusal."""
    other = world().signed({**world().credential(), "id": "urn:uuid:another-award"})
    first, second = (respell(document, ["@graph"]) for document in (corpus()["genuine"], other))
    both = {**first, "@graph": first["@graph"] + second["@graph"]}
    report = world().verify(both)
    assert report.verdict.value == "not_verified"
    assert [(check.id, check.outcome.value) for check in report.checks] == [("format", "failed")]
    assert "exactly one credential" in report.checks[0].params["reason"]


def test_a_set_object_beside_reverse_is_refused_as_not_json_ld_not_as_forged() -> None:
    """What ``_one_node`` keeps the generator from writing: a set object may hold nothing but
    ``@set`` and ``@index`` (JSON-LD 1.1 section 9.7), so no graph was signed in this spelling."""
    original = corpus()["genuine"]
    subject = {"@set": [original["credentialSubject"]]}
    credential = {key: value for key, value in original.items() if key not in ("proof", "@context")}
    credential.pop("credentialSubject")
    broken = {
        "@context": original["@context"],
        **subject,
        "@reverse": {CRED + "credentialSubject": credential},
        "proof": original["proof"],
    }
    report = world().verify(broken)
    assert report.verdict.value == "not_verified"
    assert [(check.id, check.outcome.value) for check in report.checks] == [("format", "failed")]
    assert "not valid JSON-LD (invalid set or list object)" in report.checks[0].params["reason"]
