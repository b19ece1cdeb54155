"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents and N-Quads, in JSON-LD safe mode.

``canonicalize_jsonld`` expands a document in safe mode (``credentials.jsonld_safe_mode``: every
term the contexts do not define and every relative or malformed IRI is refused, VC Data Integrity
1.0 section 4.5), converts it to an RDF dataset and runs RDFC-1.0 (W3C Recommendation
2024-05-21). Two paths lead to the dataset, with the same result:

- the fast path (``credentials.jsonld_fast``) for documents whose contexts are all bundled and
  whose JSON-LD it covers, then RDFC-1.0 over strings (``credentials.rdfc``);
- the general path: pyld 3.3 (its processed-context cache fixed by ``credentials.pyld_patches``)
  and pyld's ``URDNA2015``, which is the same algorithm as RDFC-1.0.

pyld 3.3 deviates from RDFC-1.0 in four places, each fixed here and named by a test (its safe-mode
gaps are in ``credentials.jsonld_safe_mode``, its context cache in ``credentials.pyld_patches``):

- it does not write literals in canonical N-Quads form (RDFC-1.0 section 4.4 "Canonical
  N-Quads", i.e. RDF 1.2 N-Triples canonical form): ``\\b`` ``\\f`` and the other control
  characters (``\\u0000``-``\\u001F``, ``\\u007F``, as ``\\uXXXX`` with upper-case hex) are left
  raw, which changes the first-degree hashes and the output (``credentials.nquads`` fixes it);
- it counts a quad twice for a blank node that is both its subject and object, which changes
  that node's hashes (``_Rdfc10.hash_first_degree_quads`` fixes it);
- its N-Quads reader does not decode ``\\uXXXX``/``\\UXXXXXXXX``/``\\b``/``\\f``/``\\'`` escapes,
  so ``credentials.nquads.parse_nquads`` reads N-Quads (RDF 1.1 N-Quads grammar) itself;
- it has no limit on Hash N-Degree Quads calls, which "poison" graphs exploit (RDFC-1.0 section
  4.8: implementations must bound the work); we raise ``InputTooLarge`` past the limit.

>>> doc = {"@context": {"name": "https://schema.org/name"}, "@id": "urn:x", "name": "a\\u0007"}
>>> canonicalize_jsonld(doc)
'<urn:x> <https://schema.org/name> "a\\\\u0007" .\\n'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from credentials.contexts import document_loader
from credentials.errors import InputTooLarge, InvalidInput
from credentials.jsonld_compiled import Decline
from credentials.jsonld_fast import FastPath
from credentials.jsonld_safe_mode import (
    RELATIVE_BASE,
    passport_error_of,
    refuse_dropped_term,
    require_safe_iris,
)
from credentials.nquads import Dataset, canonical_nquad, parse_nquads
from credentials.pyld_patches import CachingJsonLdProcessor, ProcessedContextCache
from credentials.rdfc import HASH_ALGORITHMS, N_DEGREE_CALL_LIMIT_EXPONENT, canonicalize_quads

# Only bundled contexts, in caches of our own: pyld's shared cache would also hold contexts
# that another caller resolved with another loader.
_CONTEXT_CACHE: LRUCache[Any, Any] = LRUCache(maxsize=64)
_PROCESSED_CONTEXTS = ProcessedContextCache()

__all__ = [
    "Canonicalization",
    "canonicalize_jsonld",
    "canonicalize_jsonld_general",
    "canonicalize_nquads",
    "canonicalize_nquads_with_map",
    "flattened",
    "parse_nquads",
    "rdf_dataset",
    "rdfc10",
]


@dataclass(frozen=True)
class Canonicalization:
    """The canonical N-Quads and the issued identifiers map (RDFC-1.0 section 4.4.3 step 7):
    input blank node label (without ``_:``) -> canonical label (``c14nN``)."""

    nquads: str
    issued_identifiers: dict[str, str]


class _SafeModeProcessor(CachingJsonLdProcessor):
    """pyld's processor, refusing what expansion or toRdf would silently drop."""

    def __init__(self) -> None:
        super().__init__(_PROCESSED_CONTEXTS, on_property_dropped=refuse_dropped_term)

    def expand(self, input_: Any, options: dict[str, Any]) -> Any:
        expanded = super().expand(input_, options)
        require_safe_iris(expanded)
        return expanded


def _options() -> dict[str, Any]:
    return {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_CONTEXT_CACHE, document_loader),
        "base": RELATIVE_BASE,
        "produceGeneralizedRdf": False,
    }


_FAST_PATH = FastPath(_SafeModeProcessor(), _options)


def canonicalize_jsonld(document: dict[str, Any]) -> str:
    """Canonical N-Quads of a JSON-LD document, expanded in safe mode with bundled contexts only.

    Takes the fast path where it applies and the general path otherwise; both give the same
    result. Raises ``UndefinedTerm`` (naming the term or IRI), ``UnknownContext`` or
    ``InvalidInput``. ``document`` is never modified.
    """
    try:
        quads = _FAST_PATH.quads(document)
    except Decline:
        return canonicalize_jsonld_general(document)
    return canonicalize_quads(quads).nquads


def canonicalize_jsonld_general(document: dict[str, Any]) -> str:
    """``canonicalize_jsonld`` through pyld alone: the reference the fast path is proven against."""
    return rdfc10(rdf_dataset(document)).nquads


def rdf_dataset(document: dict[str, Any]) -> Dataset:
    """The RDF dataset of a JSON-LD document (pyld's form: graph name -> triples), expanded in
    safe mode with bundled contexts only; raises like ``canonicalize_jsonld``."""
    try:
        dataset: Dataset = _SafeModeProcessor().to_rdf(document, _options())
    except jsonld.JsonLdError as exc:
        raise passport_error_of(exc) from None
    return dataset


def flattened(document: dict[str, Any], context: Any) -> dict[str, Any]:
    """``document`` flattened and compacted with ``context`` (JSON-LD 1.1 API section 4.3), in
    the same safe mode as ``rdf_dataset``; raises like it."""
    try:
        flat: dict[str, Any] = _SafeModeProcessor().flatten(document, context, _options())
    except jsonld.JsonLdError as exc:
        raise passport_error_of(exc) from None
    return flat


def canonicalize_nquads(nquads: str, *, hash_algorithm: str = "sha256") -> str:
    """Canonical N-Quads of an N-Quads document (RDFC-1.0 with SHA-256 unless told otherwise)."""
    return canonicalize_nquads_with_map(nquads, hash_algorithm=hash_algorithm).nquads


def canonicalize_nquads_with_map(
    nquads: str, *, hash_algorithm: str = "sha256"
) -> Canonicalization:
    """Like ``canonicalize_nquads``, with the issued identifiers map keyed by the input labels."""
    dataset, labels = parse_nquads(nquads)
    result = rdfc10(dataset, hash_algorithm=hash_algorithm)
    issued = {labels[internal]: label for internal, label in result.issued_identifiers.items()}
    return Canonicalization(result.nquads, issued)


def rdfc10(dataset: Dataset, *, hash_algorithm: str = "sha256") -> Canonicalization:
    """Run RDFC-1.0 over a pyld RDF dataset (graph name -> triples); consumes ``dataset``."""
    if hash_algorithm not in HASH_ALGORITHMS:
        raise InvalidInput(f"unsupported RDFC-1.0 hash algorithm {hash_algorithm!r}")
    algorithm = _Rdfc10(hash_algorithm)
    algorithm.main(dataset, {"format": "application/n-quads"})
    issued = algorithm.canonical_issuer.existing
    # pyld relabels the quads in place (section 4.4.3 step 7), but writes them non-canonically:
    # serialize them again, and remove duplicates, as a dataset is a set of quads.
    lines = sorted({canonical_nquad(quad) for quad in algorithm.quads})
    return Canonicalization("".join(lines), {old[2:]: new[2:] for old, new in issued.items()})


class _Rdfc10(URDNA2015):  # type: ignore[misc]
    """pyld's RDFC-1.0 with canonical N-Quads in the first-degree hash, a choice of hash and a
    bound on Hash N-Degree Quads calls."""

    def __init__(self, hash_algorithm: str) -> None:
        super().__init__()
        self.hash_algorithm = hash_algorithm
        self.n_degree_calls = 0

    def create_hash(self) -> Any:
        return hashlib.new(self.hash_algorithm)

    def hash_first_degree_quads(self, id_: str) -> str:
        """Section 4.6, with each quad in canonical N-Quads (pyld's own serializer is not)."""
        info = self.blank_node_info[id_]
        if "hash" not in info:
            # pyld lists a quad once per position the blank node holds in it (``_:a <p> _:a``
            # twice), but the blank node to quads map relates a node to the quads it appears
            # in, each once (section 4.4.3 step 2); this runs first for every node, so the
            # Hash N-Degree Quads steps see the fixed list too.
            info["quads"] = list({id(quad): quad for quad in info["quads"]}.values())
            nquads = sorted(
                canonical_nquad(
                    {
                        key: self.modify_first_degree_component(id_, component, key)
                        for key, component in quad.items()
                    }
                )
                for quad in info["quads"]
            )
            info["hash"] = self.hash_nquads(nquads)
        hash_: str = info["hash"]
        return hash_

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        """Section 4.8, refusing poison graphs whose permutations would never end."""
        self.n_degree_calls += 1
        limit = max(len(self.blank_node_info), 2) ** N_DEGREE_CALL_LIMIT_EXPONENT
        if self.n_degree_calls > limit:
            raise InputTooLarge(
                f"RDFC-1.0 work limit exceeded: more than {limit} Hash N-Degree Quads calls"
            )
        return super().hash_n_degree_quads(id_, issuer)
