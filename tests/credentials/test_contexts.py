"""Bundled contexts are byte-exact and the loader refuses everything else."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from credentials.contexts import (
    CONTEXT_FILES,
    UNSERVED_FILES,
    VC_V2,
    bundled_bytes,
    document_loader,
    load_context,
    sha256_of,
)
from credentials.errors import UnknownContext

SHARED_CONTEXTS = Path(__file__).parents[2].parent / "shared" / "standards" / "contexts"


@pytest.mark.parametrize("url", sorted(CONTEXT_FILES))
def test_served_context_matches_pinned_sha256(url: str) -> None:
    entry = CONTEXT_FILES[url]
    assert sha256_of(entry.filename) == entry.sha256


@pytest.mark.parametrize("filename", sorted(UNSERVED_FILES))
def test_reference_copies_match_pinned_sha256(filename: str) -> None:
    assert hashlib.sha256(bundled_bytes(filename)).hexdigest() == UNSERVED_FILES[filename]


def test_every_shared_context_is_bundled() -> None:
    bundled = {entry.filename for entry in CONTEXT_FILES.values()} | set(UNSERVED_FILES)
    if SHARED_CONTEXTS.is_dir():
        assert {path.name for path in SHARED_CONTEXTS.iterdir()} <= bundled
    # The 15 published contexts (tests/vectors/README.md) plus our former extension context.
    assert len(bundled) == 16


def test_loader_serves_bundled_context_as_fresh_copy() -> None:
    first = load_context(VC_V2)
    first["@context"]["mutated"] = True
    assert "mutated" not in load_context(VC_V2)["@context"]
    assert document_loader(VC_V2)["documentUrl"] == VC_V2


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/evil-context.json",
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/data-integrity/v2/",
        "http://www.w3.org/ns/credentials/v2",
    ],
)
def test_loader_refuses_unbundled_url_naming_it(url: str) -> None:
    with pytest.raises(UnknownContext, match="not bundled") as raised:
        document_loader(url)
    assert url in raised.value.message
