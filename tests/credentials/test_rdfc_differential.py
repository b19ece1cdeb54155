"""Differential tests: generated OB 3.0 and CLR 2.0 documents canonicalize identically three ways.

(a) the fast path (``credentials.jsonld_fast`` + ``credentials.rdfc``), (b) the general path
(pyld 3.3 with our safe mode and RDFC-1.0 fixes) and (c) pyoxigraph 0.5's RDFC-1.0 (Rust, oxrdf),
an independent implementation. pyoxigraph has no JSON-LD 1.1 processor that could take our
bundled contexts offline, so (c) canonicalizes the RDF dataset of the fast path; (a) = (b) covers
the expansion. pyoxigraph's canonical dataset is compared term by term, each term written with
our canonical N-Quads serializer, so that a difference in its escaping could not hide or fake a
disagreement (its N-Quads writer happens to agree with RDFC-1.0 section 4.4 on these inputs).

The documents are blank-node heavy (identity objects, alignments, results, evidence, criteria
without ids; identical siblings, which need Hash N-Degree Quads), carry any Unicode text
(control characters included), and CLRs embed 1-20 credentials, each with its proof in a named
graph.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials.canonical import _FAST_PATH, canonicalize_jsonld, canonicalize_jsonld_general
from credentials.contexts import CLR_V2P0, OB_V3P0, OB_V3P0_EXTENSIONS, VC_V2
from credentials.nquads import canonical_literal
from credentials.rdfc import canonicalize_quads, nquad_line

OB_CONTEXTS = [VC_V2, OB_V3P0, OB_V3P0_EXTENSIONS]
CLR_CONTEXTS = [VC_V2, CLR_V2P0, OB_V3P0, OB_V3P0_EXTENSIONS]
DIFFERENTIAL = settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Any Unicode scalar value (surrogates cannot be encoded), control characters and quotes included.
# U+FFFE and U+FFFF are left out of the three-way comparison: pyoxigraph 0.5 writes them as
# \uFFFE / \uFFFF (RDF 1.2 canonical N-Triples), while RDFC-1.0's canonical N-Quads (and pyld)
# keep them as they are; test_pyoxigraph_escapes_noncharacters_where_rdfc10_does_not pins this.
NONCHARACTERS = "\ufffe\uffff"
any_text = st.text(st.characters(codec="utf-8", exclude_characters=NONCHARACTERS), max_size=24)
short_text = st.sampled_from(["A", "B", "", "é", "\x00", "\x7f", 'q"\\', "\u2028"]) | any_text
iri_suffix = st.text("abcxyz019-._~", min_size=1, max_size=6)
iri = iri_suffix.map(lambda suffix: f"https://example.edu/{suffix}")
date_time = st.sampled_from(["2024-01-01T00:00:00Z", "2025-06-30T12:30:45+02:00"])


def _maybe(members: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Each optional member present or not."""
    keys = sorted(members)
    return st.lists(st.sampled_from(keys), unique=True).map(
        lambda chosen: {key: members[key] for key in chosen}
    )


identity = st.builds(
    lambda hashed, value, extra: {
        "type": "IdentityObject",
        "identityHash": value,
        "identityType": "emailAddress",
        "hashed": hashed,
        **extra,
    },
    st.booleans(),
    short_text,
    _maybe({"salt": "f3a9c2"}),
)
alignment = st.builds(
    lambda name, url, extra: {
        "type": ["Alignment"],
        "targetName": name,
        "targetUrl": url,
        **extra,
    },
    short_text,
    iri,
    _maybe({"targetFramework": "ESCO", "targetCode": "S6.13.2", "targetType": "ceasn:Skill"}),
)
result_description = st.builds(
    lambda id_, name, values: {
        "id": id_,
        "type": ["ResultDescription"],
        "name": name,
        "resultType": "LetterGrade",
        "allowedValue": values,
    },
    iri,
    short_text,
    st.lists(short_text, max_size=4),
)
result = st.builds(
    lambda value, described: {"type": ["Result"], "value": value, **described},
    short_text,
    _maybe({"resultDescription": "https://example.edu/results/grade"}),
)
evidence = st.builds(
    lambda name, extra: {"type": ["Evidence"], "name": name, **extra},
    short_text,
    _maybe({"narrative": "Did the work.", "id": "https://example.edu/evidence/1"}),
)


@st.composite
def achievement(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": ["Achievement"],
        "name": draw(short_text),
        "description": draw(any_text),
        "criteria": {"narrative": draw(any_text)},
    }
    if draw(st.booleans()):
        document["id"] = draw(iri)
    # Identical siblings are likely: they share first-degree hashes (RDFC-1.0 section 4.8).
    document["alignment"] = draw(st.lists(alignment, max_size=4).map(lambda items: items * 2))
    document["resultDescription"] = draw(st.lists(result_description, max_size=2))
    document.update(draw(_maybe({"creditsAvailable": 3, "humanCode": "RWLD-101"})))
    if depth < 1 and draw(st.booleans()):
        document["related"] = [{"id": draw(iri), "type": ["Related"], "version": draw(short_text)}]
    return document


@st.composite
def ob_credential(draw: st.DrawFn) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "achievement": draw(achievement()),
        "identifier": draw(st.lists(identity, max_size=3)),
        "result": draw(st.lists(result, max_size=4)),
    }
    if draw(st.booleans()):
        subject["id"] = "did:example:learner"
    document = {
        "@context": OB_CONTEXTS,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": draw(any_text),
        "issuer": {"id": draw(iri), "type": ["Profile"], "name": draw(any_text)},
        "validFrom": draw(date_time),
        "credentialSubject": subject,
        "evidence": draw(st.lists(evidence, max_size=3)),
    }
    if draw(st.booleans()):
        document["id"] = f"urn:uuid:{draw(st.uuids())}"
    return document


def _with_proof(credential: dict[str, Any], number: int) -> dict[str, Any]:
    return {
        **credential,
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2025-01-01T00:00:00Z",
            "verificationMethod": "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#z6Mk",
            "proofPurpose": "assertionMethod",
            "proofValue": f"z{number}",
        },
    }


@st.composite
def clr_credential(draw: st.DrawFn) -> dict[str, Any]:
    embedded = draw(st.lists(ob_credential(), min_size=1, max_size=20))
    return {
        "@context": CLR_CONTEXTS,
        "id": "urn:uuid:0c1d2e3f-4a5b-4c6d-8e7f-000000000020",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": "https://example.edu/issuer", "type": ["Profile"], "name": "Ex"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": draw(any_text),
        "credentialSubject": {
            "type": ["ClrSubject"],
            "identifier": draw(st.lists(identity, min_size=1, max_size=2)),
            "verifiableCredential": [
                _with_proof(credential, number) for number, credential in enumerate(embedded)
            ],
        },
    }


def _oxigraph_term(term: Any) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.DefaultGraph):
        return ""
    language = term.language
    datatype = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString" if language else None
    return canonical_literal(term.value, datatype or term.datatype.value, language)


def oxigraph_canonical(quads: set[tuple[str, str, str, str]]) -> str:
    """pyoxigraph's RDFC-1.0 of the same dataset, written term by term as canonical N-Quads."""
    nquads = "".join(nquad_line(quad) for quad in quads).encode("utf-8")
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    lines = (
        nquad_line(
            (
                _oxigraph_term(quad.subject),
                _oxigraph_term(quad.predicate),
                _oxigraph_term(quad.object),
                _oxigraph_term(quad.graph_name),
            )
        )
        for quad in dataset
    )
    return "".join(sorted(lines))


def assert_three_way_agreement(document: dict[str, Any]) -> None:
    quads = _FAST_PATH.quads(document)  # Decline here would fail the test: the fast path applies
    fast = canonicalize_quads(quads).nquads
    assert fast == canonicalize_jsonld(document)
    assert fast == canonicalize_jsonld_general(document)
    assert fast == oxigraph_canonical(quads)


@DIFFERENTIAL
@given(ob_credential())
def test_ob30_credentials_agree_three_ways(document: dict[str, Any]) -> None:
    assert_three_way_agreement(document)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clr_credential())
def test_clr20_credentials_with_embedded_signed_credentials_agree_three_ways(
    document: dict[str, Any],
) -> None:
    assert_three_way_agreement(document)


def test_identical_blank_siblings_take_the_n_degree_path_and_agree() -> None:
    item = {"type": ["Alignment"], "targetName": "x", "targetUrl": "https://example.edu/a"}
    document = {
        "@context": OB_CONTEXTS,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": "https://example.edu/issuer",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "type": ["Achievement"],
                "name": "n",
                "criteria": {"narrative": "c"},
                "alignment": [item, dict(item), dict(item)],
            },
        },
    }
    assert canonicalize_jsonld(document).count("targetName") == 3
    assert_three_way_agreement(document)


def test_pyoxigraph_escapes_noncharacters_where_rdfc10_does_not() -> None:
    """RDFC-1.0 section 4.3 escapes only the control characters; U+FFFE stays a raw character."""
    quads = {("_:a", "<http://example.org/p>", '"00\ufffe"', "")}
    ours = canonicalize_quads(quads).nquads
    assert ours == '_:c14n0 <http://example.org/p> "00\ufffe" .\n'
    dataset = pyoxigraph.Dataset(
        pyoxigraph.parse(ours.encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    )
    written = pyoxigraph.serialize(dataset, format=pyoxigraph.RdfFormat.N_QUADS)
    assert written is not None
    assert b"\\uFFFE" in written
