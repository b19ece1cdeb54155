"""JSON-LD safe mode and canonical N-Quads (credentials.canonical), including pyld's deviations.

Each ``test_pyld_deviation_*`` shows what pyld 3.3 does on its own and that our wrapper does what
RDFC-1.0 requires; if pyld is fixed upstream the first assertion fails and the wrapper can go.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld

from credentials.canonical import (
    canonicalize_jsonld,
    canonicalize_nquads,
    canonicalize_nquads_with_map,
)
from credentials.contexts import OB_V3P0, VC_V2, document_loader
from credentials.errors import InvalidInput, UndefinedTerm, UnknownContext
from credentials.nquads import XSD_STRING, canonical_literal

NORMALIZE_NQUADS = {
    "algorithm": "URDNA2015",
    "inputFormat": "application/n-quads",
    "format": "application/n-quads",
}


def credential(**members: Any) -> dict[str, Any]:
    return {
        "@context": [VC_V2, OB_V3P0],
        "id": "urn:uuid:3a2b9d54-57a7-4f0c-9d6a-1c2b3d4e5f60",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "Ex"},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/1",
                "type": ["Achievement"],
                "name": "Teamwork",
                "criteria": {"narrative": "Works well with others."},
                "description": "Teamwork badge.",
            },
        },
        **members,
    }


def test_published_vector_document_canonicalizes_byte_for_byte(vectors: Path) -> None:
    unsigned = json.loads((vectors / "vc-di-eddsa/unsigned.json").read_text())
    expected = (vectors / "vc-di-eddsa/eddsa-rdfc-2022/canonDocDataInt.txt").read_text()
    assert canonicalize_jsonld(unsigned) == expected


def test_canonicalize_jsonld_does_not_modify_its_input() -> None:
    document = credential()
    before = copy.deepcopy(document)
    canonicalize_jsonld(document)
    assert document == before


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"favouriteColour": "blue"}, "favouriteColour"),
        ({"issuanceDate": "2024-01-01T00:00:00Z"}, "issuanceDate"),
        ({"type": ["VerifiableCredential", "MadeUpCredential"]}, "MadeUpCredential"),
        ({"id": "credentials/42"}, "credentials/42"),
    ],
)
def test_safe_mode_refuses_terms_and_references_it_would_drop(
    extra: dict[str, Any], named: str
) -> None:
    with pytest.raises(UndefinedTerm, match=named):
        canonicalize_jsonld(credential(**extra))


def test_safe_mode_refuses_an_undefined_term_deep_inside() -> None:
    document = credential()
    document["credentialSubject"]["achievement"]["criteria"]["points"] = 3
    with pytest.raises(UndefinedTerm, match="points"):
        canonicalize_jsonld(document)


def test_safe_mode_refuses_a_term_mapped_to_null() -> None:
    document = {"@context": [VC_V2, {"secret": None}], "id": "urn:x", "secret": "dropped"}
    with pytest.raises(UndefinedTerm, match="null"):
        canonicalize_jsonld(document)


def test_safe_mode_refuses_an_iri_with_characters_iris_cannot_hold() -> None:
    document = {
        "@context": {"see": {"@id": "https://schema.org/url", "@type": "@id"}},
        "@id": "urn:x",
        "see": "urn:a>b",
    }
    with pytest.raises(UndefinedTerm, match="cannot contain"):
        canonicalize_jsonld(document)


def test_pyld_deviation_relative_references_resolved_against_example_base() -> None:
    document = {"@context": [VC_V2], "id": "relative/1", "type": "VerifiableCredential"}
    options = {"format": "application/n-quads", "documentLoader": document_loader}
    assert "<http://example.org/base/relative/1>" in jsonld.to_rdf(document, options)
    with pytest.raises(UndefinedTerm, match="'relative/1'"):
        canonicalize_jsonld(document)


def test_a_context_that_sets_a_base_may_use_relative_ids() -> None:
    document = {"@context": [VC_V2, {"@base": "https://example.edu/"}], "id": "c/1"}
    assert canonicalize_jsonld({**document, "type": "VerifiableCredential"}).startswith(
        "<https://example.edu/c/1> "
    )


def test_unknown_contexts_are_refused_by_name() -> None:
    with pytest.raises(UnknownContext, match=re.escape("https://example.com/my-context")):
        canonicalize_jsonld({"@context": ["https://example.com/my-context"], "id": "urn:x"})


def test_invalid_json_ld_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        canonicalize_jsonld({"@context": {"@version": 2}, "@id": "urn:x"})


def test_pyld_deviation_control_character_escaping() -> None:
    value = 'bell\x07 bs\b ff\f tab\t nl\n cr\r quote" backslash\\ del\x7f c1\x80 É'
    document = {"@context": {"v": "urn:ex:v"}, "@id": "urn:ex:s", "v": value}
    pyld_output = jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads"}
    )
    assert "\x07" in pyld_output
    assert canonicalize_jsonld(document) == (
        '<urn:ex:s> <urn:ex:v> "bell\\u0007 bs\\b ff\\f tab\\t nl\\n cr\\r quote\\" '
        'backslash\\\\ del\\u007F c1\x80 É" .\n'
    )


def test_pyld_deviation_control_characters_change_blank_node_labels() -> None:
    # The first-degree hashes are over canonical N-Quads too, so the escaping decides which
    # blank node is _:c14n0: pyld, hashing the raw U+0003, labels the other one first.
    document = {"@id": "urn:s", "urn:p": [{"urn:v": "\x03"}, {"urn:v": "x"}]}
    pyld_output = jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads"}
    )
    assert '_:c14n0 <urn:v> "x" .' in pyld_output
    assert canonicalize_jsonld(document) == (
        "<urn:s> <urn:p> _:c14n0 .\n<urn:s> <urn:p> _:c14n1 .\n"
        '_:c14n0 <urn:v> "\\u0003" .\n_:c14n1 <urn:v> "x" .\n'
    )


def test_pyld_deviation_self_referencing_quad_counted_twice() -> None:
    # Found by the cross-check below: _:a's first-degree hash is over its two quads, once each.
    nquads = "_:a <urn:q> _:a .\n_:b <urn:p> _:a .\n"
    assert jsonld.normalize(nquads, NORMALIZE_NQUADS).startswith("_:c14n0 <urn:p> _:c14n1 .")
    assert canonicalize_nquads(nquads) == "_:c14n0 <urn:q> _:c14n0 .\n_:c14n1 <urn:p> _:c14n0 .\n"


def test_pyld_deviation_nquads_escapes_not_decoded() -> None:
    nquads = '<urn:s> <urn:p> "\\u0041\\U0001F303\\f\\\'" .\n'
    assert "\\\\u0041" in jsonld.normalize(nquads, NORMALIZE_NQUADS)
    assert canonicalize_nquads(nquads) == '<urn:s> <urn:p> "A🌃\\f\'" .\n'


def test_pyld_deviation_input_labels_that_look_canonical() -> None:
    nquads = '_:c14n0 <urn:p> "a" .\n_:x <urn:p> "b" .\n'
    merged = jsonld.normalize(nquads, NORMALIZE_NQUADS)
    assert merged.count("_:c14n0") == 2
    result = canonicalize_nquads_with_map(nquads)
    assert result.nquads == '_:c14n0 <urn:p> "b" .\n_:c14n1 <urn:p> "a" .\n'
    assert result.issued_identifiers == {"x": "c14n0", "c14n0": "c14n1"}


def test_canonical_output_is_idempotent(vectors: Path) -> None:
    canonical = (vectors / "vc-di-eddsa/eddsa-rdfc-2022/proofCanonDataInt.txt").read_text()
    assert canonicalize_nquads(canonical) == canonical


def test_nquads_comments_blank_lines_and_duplicates() -> None:
    nquads = "# comment\n\n<urn:s> <urn:p> <urn:o> . # trailing\r\n<urn:s> <urn:p> <urn:o> .\n"
    assert canonicalize_nquads(nquads) == "<urn:s> <urn:p> <urn:o> .\n"


@pytest.mark.parametrize(
    "line",
    [
        "<urn:s> <urn:p> .",
        '<urn:s> <urn:p> "unterminated .',
        "<urn s> <urn:p> <urn:o> .",
        '<urn:s> <urn:p> "x"@ .',
        '"literal" <urn:p> <urn:o> .',
    ],
)
def test_malformed_nquads_are_invalid_input(line: str) -> None:
    with pytest.raises(InvalidInput, match="line 1"):
        canonicalize_nquads(line + "\n")


def test_surrogate_escapes_are_refused() -> None:
    with pytest.raises(InvalidInput, match="scalar"):
        canonicalize_nquads('<urn:s> <urn:p> "\\uD800" .\n')


def test_only_rdfc_hash_algorithms() -> None:
    with pytest.raises(InvalidInput, match="md5"):
        canonicalize_nquads("<urn:s> <urn:p> <urn:o> .\n", hash_algorithm="md5")


literal_text = st.text(max_size=8)
blank_labels = st.sampled_from(["a", "b", "c", "d"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(blank_labels, st.sampled_from(["urn:p", "urn:q"]), blank_labels | literal_text),
        min_size=1,
        max_size=8,
    )
)
def test_agrees_with_an_independent_implementation(triples: list[tuple[str, str, str]]) -> None:
    # pyoxigraph's RDFC-1.0 (Rust, oxrdf) on the same dataset, as a cross-check beyond the suite.
    graph = pyoxigraph.Dataset()
    for subject, predicate, value in triples:
        node = pyoxigraph.BlankNode(subject)
        obj: Any = pyoxigraph.BlankNode(value) if len(value) == 1 and value in "abcd" else None
        graph.add(
            pyoxigraph.Quad(node, pyoxigraph.NamedNode(predicate), obj or pyoxigraph.Literal(value))
        )
    serialized = pyoxigraph.serialize(graph, format=pyoxigraph.RdfFormat.N_QUADS)
    assert serialized is not None
    nquads = serialized.decode("utf-8")
    graph.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    expected = "".join(sorted(f"{quad} .\n" for quad in graph))
    assert canonicalize_nquads(nquads) == expected


def _escaped_by_the_spec(text: str) -> str:
    """RDF 1.2 N-Triples section 4 (canonical form), one character at a time: the reference
    for ``canonical_literal``, which skips its escaping pass when nothing needs escaping."""
    named = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"'}
    named["\\"] = "\\\\"
    out = []
    for char in text:
        if char in named:
            out.append(named[char])
        elif ord(char) <= 0x1F or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.text(max_size=12))
def test_literals_are_escaped_exactly_as_the_canonical_form_says(text: str) -> None:
    assert canonical_literal(text, XSD_STRING, None) == _escaped_by_the_spec(text)
    assert canonical_literal(text + '"', XSD_STRING, None) == _escaped_by_the_spec(text + '"')
