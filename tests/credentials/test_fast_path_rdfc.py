"""The fast path's own parts: RDFC-1.0 over term strings (``credentials.rdfc``) on the W3C suite,
and the processed-context cache of ``credentials.pyld_patches`` (named after pyld's inefficiency).
"""

from __future__ import annotations

import csv
import json
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest
from cachetools import LRUCache
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from bench.sample import sample_credential
from credentials.canonical import canonicalize_jsonld, canonicalize_jsonld_general
from credentials.contexts import VC_V2, document_loader
from credentials.errors import InputTooLarge, InvalidInput
from credentials.nquads import parse_nquads
from credentials.pyld_patches import CachingJsonLdProcessor, ProcessedContextCache
from credentials.rdfc import _CONCATENATION_ORDER, canonicalize_quads, quads_of_dataset
from tests.conftest import VECTORS

SUITE = VECTORS / "rdf-canon"
ROWS = list(csv.DictReader((SUITE / "manifest.csv").read_text(encoding="utf-8").splitlines()))


def _file(test: str, suffix: str) -> Path:
    return SUITE / "rdfc10" / f"{test}-{suffix}"


@pytest.mark.parametrize("row", ROWS, ids=[row["test"] for row in ROWS])
def test_w3c_rdfc10_suite_on_term_strings(row: dict[str, str]) -> None:
    dataset, labels = parse_nquads(_file(row["test"], "in.nq").read_text(encoding="utf-8"))
    hash_algorithm = {"": "sha256", "SHA384": "sha384"}[row["hashAlgorithm"]]
    quads = quads_of_dataset(dataset)
    if row["rdfc10"] == "RDFC10NegativeEvalTest":
        with pytest.raises(InputTooLarge, match="1000 Hash N-Degree Quads calls"):
            canonicalize_quads(quads, hash_algorithm=hash_algorithm)
        return
    result = canonicalize_quads(quads, hash_algorithm=hash_algorithm)
    assert result.nquads.encode("utf-8") == _file(row["test"], "rdfc10.nq").read_bytes()
    if row["rdfc10map"] == "TRUE":
        expected = json.loads(_file(row["test"], "rdfc10map.json").read_text(encoding="utf-8"))
        issued = {
            labels[label]: canonical for label, canonical in result.issued_identifiers.items()
        }
        assert issued == expected


def test_only_rdfc_hash_algorithms() -> None:
    with pytest.raises(InvalidInput, match="md5"):
        canonicalize_quads(set(), hash_algorithm="md5")


labels = st.lists(
    st.builds(
        lambda prefix, n: f"_:{prefix}{n}", st.sampled_from(["c14n", "b"]), st.integers(0, 120)
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(labels)
def test_least_concatenation_order_is_the_least_permutation(items: list[str]) -> None:
    # The shortcut of Hash N-Degree Quads when every related node has an identifier.
    least = min("".join(permutation) for permutation in permutations(items))
    assert "".join(sorted(items, key=_CONCATENATION_ORDER)) == least


class _CountingProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """Counts term definitions created: the work of processing a context."""

    created = 0

    def _create_term_definition(self, *args: Any, **kwargs: Any) -> Any:
        type(self).created += 1
        return super()._create_term_definition(*args, **kwargs)


class _CountingCachingProcessor(CachingJsonLdProcessor, _CountingProcessor):
    created = 0


def _expand_twice(processor: jsonld.JsonLdProcessor) -> int:
    shared: LRUCache[Any, Any] = LRUCache(maxsize=64)
    document = sample_credential("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    for _ in range(2):
        before = type(processor).created
        processor.expand(
            document,
            {
                "documentLoader": document_loader,
                "contextResolver": ContextResolver(shared, document_loader),
            },
        )
    return int(type(processor).created - before)


def test_pyld_inefficiency_type_scoped_contexts_processed_again_for_every_node() -> None:
    # Stock pyld, second run, every context already in its caches: still hundreds of term
    # definitions, as each type-scoped context is processed against a fresh clone.
    assert _expand_twice(_CountingProcessor()) > 100
    assert _expand_twice(_CountingCachingProcessor(ProcessedContextCache())) == 0


def test_processed_context_cache_never_keys_on_a_callers_context_object() -> None:
    inline = {"nickname": "https://schema.org/name"}
    document = {"@context": [VC_V2, inline], "id": "urn:x", "nickname": "n"}
    first = canonicalize_jsonld(document)
    inline["nickname"] = "https://schema.org/alternateName"
    second = canonicalize_jsonld(document)
    assert "schema.org/name" in first
    assert "schema.org/alternateName" in second
    assert second == canonicalize_jsonld_general(document)


def test_processed_context_cache_starts_again_when_full() -> None:
    cache = ProcessedContextCache(max_entries=3)
    processor = CachingJsonLdProcessor(cache)
    document = sample_credential("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    options = {"documentLoader": document_loader}
    expected = jsonld.JsonLdProcessor().expand(document, options)
    for _ in range(3):
        assert processor.expand(document, options) == expected
    assert len(cache._entries) <= 3
