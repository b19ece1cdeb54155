"""The fast JSON-LD path: where it applies it equals pyld; elsewhere it falls back; safe mode holds.

Each fallback case asserts that the fast path declines (``Decline``) and that
``canonicalize_jsonld`` still gives what the general path gives, or the same error.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from bench.sample import sample_credential
from credentials.canonical import _FAST_PATH, canonicalize_jsonld, canonicalize_jsonld_general
from credentials.contexts import OB_V3P0, OB_V3P0_EXTENSIONS, VC_V2, document_loader
from credentials.errors import PassportError, UndefinedTerm, UnknownContext
from credentials.jsonld_compiled import Decline
from tests.conftest import VECTORS

EXAMPLES = sorted(
    path
    for path in (VECTORS / "examples").rglob("*.json")
    if "@context" in json.loads(path.read_text(encoding="utf-8"))
)


def credential(**members: Any) -> dict[str, Any]:
    document = sample_credential("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    document.update(members)
    return document


def outcome(canonicalize: Any, document: dict[str, Any]) -> Any:
    try:
        return canonicalize(document)
    except PassportError as exc:
        return (type(exc).__name__, exc.message)


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_published_examples_canonicalize_as_pyld_does(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    for version in (document, {k: v for k, v in document.items() if k != "proof"}):
        assert outcome(canonicalize_jsonld, version) == outcome(
            canonicalize_jsonld_general, version
        )


def test_the_fast_path_applies_to_bundled_credentials_and_matches_the_vector(
    vectors: Path,
) -> None:
    unsigned = json.loads((vectors / "vc-di-eddsa/unsigned.json").read_text())
    _FAST_PATH.quads(unsigned)
    _FAST_PATH.quads(credential())
    expected = (vectors / "vc-di-eddsa/eddsa-rdfc-2022/canonDocDataInt.txt").read_text()
    assert canonicalize_jsonld(unsigned) == expected


def test_the_fast_path_does_not_modify_its_input() -> None:
    document = credential()
    before = copy.deepcopy(document)
    _FAST_PATH.quads(document)
    assert document == before


BUNDLED = [VC_V2, OB_V3P0, OB_V3P0_EXTENSIONS]
FALLBACKS = {
    "inline context object": {
        "@context": [*BUNDLED, {"ex": "https://example.edu/vocab#"}],
        "ex:extra": "x",
    },
    "value object": {"name": {"@value": "Soudage", "@language": "fr"}},
    "@json literal": {
        "credentialSchema": {
            "id": "urn:s",
            "type": "JsonSchema",
            "jsonSchema": {"b": 1, "a": [True, None]},
        }
    },
    "blank node identifier": {"issuer": {"id": "_:issuer", "type": ["Profile"], "name": "I"}},
    "@included": {"@included": [{"id": "urn:x", "type": ["Profile"], "name": "x"}]},
    "@reverse": {
        "@context": [*BUNDLED, {"childOf": {"@reverse": "urn:ex:parent"}}],
        "childOf": {"id": "urn:child"},
    },
    "language map": {
        "@context": [*BUNDLED, {"label": {"@id": "urn:label", "@container": "@language"}}],
        "label": {"en": "Welding", "fr": "Soudage"},
    },
    "nested array": {"evidence": [[{"type": ["Evidence"], "name": "e"}]]},
    "@nest": {
        "@context": [*BUNDLED, {"meta": "@nest"}],
        "meta": {"description": "nested"},
    },
}


@pytest.mark.parametrize("members", FALLBACKS.values(), ids=FALLBACKS.keys())
def test_uncovered_json_ld_falls_back_to_the_general_path(members: dict[str, Any]) -> None:
    document = credential(**members)
    with pytest.raises(Decline):
        _FAST_PATH.quads(document)
    result = outcome(canonicalize_jsonld, document)
    assert result == outcome(canonicalize_jsonld_general, document)
    assert isinstance(result, str) and result


def test_a_top_level_graph_falls_back() -> None:
    document = {
        "@context": BUNDLED,
        "@graph": [{"id": "urn:a", "type": ["Profile"], "name": "a"}, {"id": "urn:b"}],
    }
    with pytest.raises(Decline):
        _FAST_PATH.quads(document)
    assert canonicalize_jsonld(document) == canonicalize_jsonld_general(document)
    assert canonicalize_jsonld(document).startswith("<urn:a> ")


def test_an_unknown_context_falls_back_and_is_refused_by_name() -> None:
    document = credential(**{"@context": [VC_V2, "https://example.com/ctx"]})
    with pytest.raises(Decline):
        _FAST_PATH.quads(document)
    with pytest.raises(UnknownContext, match=re.escape("https://example.com/ctx")):
        canonicalize_jsonld(document)


def _deep(document: dict[str, Any], **members: Any) -> dict[str, Any]:
    document["credentialSubject"]["achievement"]["criteria"].update(members)
    return document


UNSAFE = {
    "undefined term": (credential(favouriteColour="blue"), "favouriteColour"),
    "undefined term deep inside": (_deep(credential(), points=3), "points"),
    "undefined type": (credential(type=["VerifiableCredential", "MadeUp"]), "MadeUp"),
    "relative id": (credential(id="credentials/42"), "credentials/42"),
    "relative @id-typed value": (
        credential(credentialSchema={"id": "s.json", "type": "JsonSchema"}),
        "s.json",
    ),
    "IRI with a space": (credential(id="urn:a b"), "cannot contain"),
    "IRI with no-break space": (credential(id="urn:a\u00a0b"), "cannot contain"),
    "IRI with ideographic space": (credential(id="urn:a\u3000b"), "cannot contain"),
    "blank node property": (credential(**{"_:p": "v"}), "blank node"),
}


@pytest.mark.parametrize(("document", "named"), UNSAFE.values(), ids=UNSAFE.keys())
def test_safe_mode_holds_on_both_paths(document: dict[str, Any], named: str) -> None:
    for canonicalize in (canonicalize_jsonld, canonicalize_jsonld_general):
        with pytest.raises(UndefinedTerm, match=named):
            canonicalize(document)


def test_pyld_deviation_iri_with_unicode_white_space_dropped_silently() -> None:
    # pyld's _is_absolute_iri is ^scheme:[^\s]*$: toRdf drops every triple of such a subject.
    document = {"@context": {"p": "urn:ex:p"}, "@id": "urn:x\u3000y", "p": "v"}
    assert jsonld.to_rdf(document, {"format": "application/n-quads"}) == ""
    with pytest.raises(UndefinedTerm, match="cannot contain"):
        canonicalize_jsonld(document)


def test_pyld_deviation_blank_node_property_dropped_silently() -> None:
    document = {"@context": {"p": "urn:ex:p"}, "@id": "urn:x", "p": "v", "_:q": "w"}
    assert jsonld.to_rdf(document, {"format": "application/n-quads"}) == (
        '<urn:x> <urn:ex:p> "v" .\n'
    )
    with pytest.raises(UndefinedTerm, match="blank node"):
        canonicalize_jsonld(document)


def test_numbers_and_booleans_convert_as_pyld_converts_them() -> None:
    achievement = {
        "id": "urn:a",
        "type": ["Achievement"],
        "name": "n",
        "criteria": {"narrative": "c"},
    }
    numbers = (3, 0, -5, 3.0, 2.5, -0.0, 10**21 - 1, 10**21, -(10**21), True, False, 1e-7)
    for number in numbers:
        document = credential()
        document["credentialSubject"]["achievement"] = {**achievement, "creditsAvailable": number}
        document["credentialSubject"]["identifier"][1]["hashed"] = number  # xsd:boolean
        _FAST_PATH.quads(document)
        assert canonicalize_jsonld(document) == canonicalize_jsonld_general(document)


def test_a_list_container_keeps_order_and_empty_lists_are_rdf_nil() -> None:
    for allowed in (["C", "A", "B", "A"], [], "A", [None, "B"]):
        document = credential()
        described = document["credentialSubject"]["achievement"]["resultDescription"][0]
        described["allowedValue"] = allowed
        _FAST_PATH.quads(document)
        assert canonicalize_jsonld(document) == canonicalize_jsonld_general(document)
    assert "rdf-syntax-ns#nil" in canonicalize_jsonld(document)


def test_null_values_are_dropped_on_both_paths() -> None:
    document = credential(name=None, description=[None])
    _FAST_PATH.quads(document)
    assert canonicalize_jsonld(document) == canonicalize_jsonld_general(document)


def test_the_fallback_still_refuses_undefined_terms_in_uncovered_json_ld() -> None:
    document = credential(name={"@value": "x"}, shoeSize=42)
    with pytest.raises(UndefinedTerm, match="shoeSize"):
        canonicalize_jsonld(document)


def test_loader_is_not_called_once_contexts_are_processed(monkeypatch: Any) -> None:
    canonicalize_jsonld(credential())
    calls: list[str] = []

    def counting_loader(url: str, options: Any = None) -> Any:
        calls.append(url)
        return document_loader(url, options)

    monkeypatch.setattr("credentials.canonical.document_loader", counting_loader)
    canonicalize_jsonld(credential())
    canonicalize_jsonld_general(credential())
    assert calls == []
