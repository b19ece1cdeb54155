"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents and N-Quads, in JSON-LD safe mode.

``canonicalize_jsonld`` expands a document with pyld (bundled contexts only), refusing every term
the contexts do not define and every relative or malformed IRI (the "safe mode" of VC Data
Integrity 1.0 section 4.5: a term that would be silently dropped is an error, since the signature
would not cover it), converts it to an RDF dataset and runs RDFC-1.0 (W3C Recommendation
2024-05-21) through pyld's ``URDNA2015`` implementation, which is the same algorithm.

pyld 3.3 deviates from RDFC-1.0 in four places, each fixed here and named by a test:

- it does not write literals in canonical N-Quads form (RDFC-1.0 section 4.4 "Canonical
  N-Quads", i.e. RDF 1.2 N-Triples canonical form): ``\\b`` ``\\f`` and the other control
  characters (``\\u0000``-``\\u001F``, ``\\u007F``, as ``\\uXXXX`` with upper-case hex) are left
  raw, which changes the first-degree hashes and the output (``_canonical_nquad`` fixes it);
- it counts a quad twice for a blank node that is both its subject and object, which changes
  that node's hashes (``_Rdfc10.hash_first_degree_quads`` fixes it);
- its N-Quads reader does not decode ``\\uXXXX``/``\\UXXXXXXXX``/``\\b``/``\\f``/``\\'`` escapes,
  so ``parse_nquads`` here reads N-Quads (RDF 1.1 N-Quads grammar) itself;
- it has no limit on Hash N-Degree Quads calls, which "poison" graphs exploit (RDFC-1.0 section
  4.8: implementations must bound the work); we raise ``InputTooLarge`` past the limit.

>>> doc = {"@context": {"name": "https://schema.org/name"}, "@id": "urn:x", "name": "a\\u0007"}
>>> canonicalize_jsonld(doc)
'<urn:x> <https://schema.org/name> "a\\\\u0007" .\\n'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from credentials.contexts import document_loader
from credentials.errors import InputTooLarge, InvalidInput, PassportError, UndefinedTerm

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
HASH_ALGORITHMS = frozenset({"sha256", "sha384"})
# Hash N-Degree Quads calls allowed: (number of blank nodes) ** this. Credentials, whose blank
# nodes almost all get unique first-degree hashes, make few or none; the W3C "evil" poison graphs
# 044-046 (12 blank nodes) make 468, under 12**3; the 10-node clique of test 074 would make
# millions and stops at 10**3.
N_DEGREE_CALL_LIMIT_EXPONENT = 3

# Only bundled contexts, in a cache of our own: pyld's shared cache would also hold contexts
# that another caller resolved with another loader.
_CONTEXT_CACHE: LRUCache[Any, Any] = LRUCache(maxsize=64)
# pyld resolves relative references against "http://example.org/base/" when no base is given;
# resolving them against this reserved name (RFC 2606) instead lets safe mode find and refuse them.
_RELATIVE_BASE = "https://relative-reference.invalid/"
# IRIREF of the N-Quads grammar (RDF 1.1 N-Quads section 5): no controls, space, <>"{}|^`\ .
_INVALID_IRI_CHARACTER = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_LITERAL_ESCAPES = {code: f"\\u{code:04X}" for code in (*range(0x20), 0x7F)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}

Term = dict[str, str]
Quad = dict[str, Term]
Dataset = dict[str, list[Quad]]


@dataclass(frozen=True)
class Canonicalization:
    """The canonical N-Quads and the issued identifiers map (RDFC-1.0 section 4.4.3 step 7):
    input blank node label (without ``_:``) -> canonical label (``c14nN``)."""

    nquads: str
    issued_identifiers: dict[str, str]


def canonicalize_jsonld(document: dict[str, Any]) -> str:
    """Canonical N-Quads of a JSON-LD document, expanded in safe mode with bundled contexts only.

    Raises ``UndefinedTerm`` (naming the term or IRI), ``UnknownContext`` or ``InvalidInput``.
    """
    options = {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_CONTEXT_CACHE, document_loader),
        "base": _RELATIVE_BASE,
        "produceGeneralizedRdf": False,
    }
    try:
        dataset = _SafeModeProcessor().to_rdf(document, options)
    except jsonld.JsonLdError as exc:
        raise _passport_error_of(exc) from None
    return rdfc10(dataset).nquads


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
    lines = sorted({_canonical_nquad(quad) for quad in algorithm.quads})
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
                _canonical_nquad(
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


def _canonical_term(term: Term) -> str:
    if term["type"] == "IRI":
        return f"<{term['value']}>"
    if term["type"] == "blank node":
        return term["value"]
    literal = '"' + term["value"].translate(_LITERAL_ESCAPES) + '"'
    if term["datatype"] == RDF_LANG_STRING:
        return f"{literal}@{term['language']}"
    if term["datatype"] != XSD_STRING:
        return f"{literal}^^<{term['datatype']}>"
    return literal


def _canonical_nquad(quad: Quad) -> str:
    """One quad in canonical N-Quads (RDFC-1.0 section 4.4; RDF 1.2 N-Triples section 4)."""
    parts = [_canonical_term(quad["subject"]), _canonical_term(quad["predicate"])]
    parts.append(_canonical_term(quad["object"]))
    if "name" in quad:
        parts.append(_canonical_term(quad["name"]))
    return " ".join(parts) + " .\n"


# ---- JSON-LD safe mode ----------------------------------------------------------------------


class _SafeModeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor, refusing what expansion or toRdf would silently drop."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=_refuse_dropped_term)

    def expand(self, input_: Any, options: dict[str, Any]) -> Any:
        expanded = super().expand(input_, options)
        for kind, iri in _iris_of(expanded):
            _require_absolute_iri(kind, iri)
        return expanded


def _refuse_dropped_term(expanded_property: str | None) -> None:
    if expanded_property is None:
        raise UndefinedTerm("a term that the contexts map to null would be dropped")
    raise UndefinedTerm(f"term {expanded_property!r} is not defined by the document's contexts")


def _require_absolute_iri(kind: str, iri: Any) -> None:
    if not isinstance(iri, str) or iri.startswith("_:"):
        return
    if iri.startswith(_RELATIVE_BASE):
        relative = iri.removeprefix(_RELATIVE_BASE)
        raise UndefinedTerm(f"{kind} {relative!r} is a relative reference or an undefined term")
    if not _ABSOLUTE_IRI.match(iri):
        raise UndefinedTerm(
            f"{kind} {iri!r} is not an absolute IRI (an undefined term or a relative reference)"
        )
    if _INVALID_IRI_CHARACTER.search(iri):
        raise UndefinedTerm(f"{kind} {iri!r} contains characters that an IRI cannot contain")


def _iris_of(expanded: Any) -> Iterator[tuple[str, Any]]:
    """Every IRI of an expanded document: ids, types, datatypes and properties."""
    stack = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        for key, member in item.items():
            if key == "@id":
                yield "@id", member
            elif key == "@type":
                types = member if isinstance(member, list) else [member]
                yield from (("@type value", value) for value in types if value != "@json")
            elif key in ("@graph", "@list", "@set", "@included", "@reverse"):
                stack.append(member)
            elif not key.startswith("@"):
                yield "property", key
                stack.append(member)


def _passport_error_of(exc: BaseException) -> PassportError:
    """The PassportError that pyld wrapped (an unknown context, a refused term) or a new one."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, PassportError):
            return cause
        cause = cause.__cause__ or cause.__context__
    code = getattr(exc, "code", None) or getattr(exc, "type", "error")
    return InvalidInput(f"the document is not valid JSON-LD ({code})")


# ---- N-Quads reading (RDF 1.1 N-Quads, section 5 grammar) ------------------------------------

_IRI = r'<((?:[^\x00-\x20<>"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>'
_BNODE = (
    r"_:([A-Za-z0-9_\u00B7-\uFFFF](?:[A-Za-z0-9_.\-\u00B7-\uFFFF]*[A-Za-z0-9_\-\u00B7-\uFFFF])?)"
)
_LITERAL = (
    r'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)"'
    r"(?:\^\^" + _IRI + r"|@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*))?"
)
_QUAD = re.compile(
    rf"[ \t]*(?:{_IRI}|{_BNODE})[ \t]*{_IRI}[ \t]*(?:{_IRI}|{_BNODE}|{_LITERAL})"
    rf"[ \t]*(?:(?:{_IRI}|{_BNODE})[ \t]*)?\.[ \t]*(?:#[^\n\r]*)?"
)
_EOL = re.compile(r"\r\n|[\r\n]")
_BLANK_LINE = re.compile(r"[ \t]*(?:#[^\n\r]*)?")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(3) is not None:
            return _ECHARS[match.group(3)]
        code = int(match.group(1) or match.group(2), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise InvalidInput(f"N-Quads escape \\u{code:04X} is not a Unicode scalar value")
        return chr(code)

    return _ESCAPE.sub(replace, text) if "\\" in text else text


def parse_nquads(text: str) -> tuple[Dataset, dict[str, str]]:
    """Read N-Quads into a pyld dataset without duplicate quads.

    Blank nodes get internal labels ``_:bN`` in order of appearance (pyld would not relabel an
    input label that already starts with ``_:c14n``); the second result maps them back.
    """
    dataset: Dataset = {}
    seen: set[str] = set()
    internal: dict[str, str] = {}

    def blank(label: str) -> Term:
        value = internal.setdefault(label, f"_:b{len(internal)}")
        return {"type": "blank node", "value": value}

    def node(iri: str | None, label: str | None) -> Term:
        return {"type": "IRI", "value": _unescape(iri)} if iri is not None else blank(str(label))

    # EOL is [#xD#xA]+; str.splitlines would also split at U+2028 etc., which literals may hold.
    for number, line in enumerate(_EOL.split(text), start=1):
        match = _QUAD.fullmatch(line)
        if match is None:
            if _BLANK_LINE.fullmatch(line):
                continue
            raise InvalidInput(f"invalid N-Quads statement at line {number}")
        groups = match.groups()
        quad: Quad = {
            "subject": node(groups[0], groups[1]),
            "predicate": node(groups[2], None),
            "object": _object_term(groups[3:8], blank),
        }
        graph = "@default"
        if groups[8] is not None or groups[9] is not None:
            name = node(groups[8], groups[9])
            graph = name["value"]
        key = _canonical_nquad(quad) + graph
        if key not in seen:
            seen.add(key)
            dataset.setdefault(graph, []).append(quad)
    return dataset, {value[2:]: label for label, value in internal.items()}


def _object_term(groups: tuple[str | None, ...], blank: Any) -> Term:
    iri, label, lexical, datatype, language = groups[0], groups[1], groups[2], groups[3], groups[4]
    if iri is not None:
        return {"type": "IRI", "value": _unescape(iri)}
    if label is not None:
        term: Term = blank(label)
        return term
    literal = {"type": "literal", "value": _unescape(str(lexical)), "datatype": XSD_STRING}
    if datatype is not None:
        literal["datatype"] = _unescape(datatype)
    elif language is not None:
        literal["datatype"] = RDF_LANG_STRING
        literal["language"] = language
    return literal
