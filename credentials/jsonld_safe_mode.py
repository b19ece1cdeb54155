"""JSON-LD safe mode over pyld: refuse what expansion or toRdf would silently drop.

VC Data Integrity 1.0 section 4.5: a term that expansion would drop is an error, since the
signature would not cover it. pyld 3.3 has no safe-mode switch; it calls ``on_property_dropped``
for an undefined term (``refuse_dropped_term``), and the expanded document is then checked here
(``require_safe_iris``) for what pyld's toRdf drops without a word:

- relative references, which pyld resolves against a base (we give it ``RELATIVE_BASE``, a
  reserved name, so that they can be recognised and refused) and IRIs with characters that an
  N-Quads IRIREF cannot hold;
- IRIs containing any Unicode white space (U+00A0, U+3000...): pyld's ``_is_absolute_iri`` is
  ``^scheme:[^\\s]*$``, so toRdf drops every triple whose subject or object is such an IRI;
- blank-node properties (``"_:p": ...``), which toRdf drops unless it produces generalized RDF.

Both paths of ``credentials.canonical`` (the fast path and pyld) refuse through these checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from credentials.errors import InvalidInput, PassportError, UndefinedTerm

# pyld resolves relative references against "http://example.org/base/" when no base is given;
# resolving them against this reserved name (RFC 2606) instead lets safe mode find and refuse them.
RELATIVE_BASE = "https://relative-reference.invalid/"
# IRIREF of the N-Quads grammar (RDF 1.1 N-Quads section 5): no controls, space, <>"{}|^`\ ;
# and no white space at all, which pyld would drop (see the module docstring).
_INVALID_IRI_CHARACTER = re.compile(r'[\x00-\x20<>"{}|^`\\]|\s')
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def refuse_dropped_term(expanded_property: str | None) -> None:
    """pyld's ``on_property_dropped`` handler: every dropped term is an error."""
    if expanded_property is None:
        raise UndefinedTerm("a term that the contexts map to null would be dropped")
    raise UndefinedTerm(f"term {expanded_property!r} is not defined by the document's contexts")


def require_absolute_iri(kind: str, iri: Any) -> None:
    """Raise ``UndefinedTerm`` unless ``iri`` is an IRI that toRdf keeps (blank nodes pass)."""
    if not isinstance(iri, str):
        return
    if iri.startswith("_:"):
        if kind == "property":
            raise UndefinedTerm(f"property {iri!r} is a blank node, which RDF does not allow")
        return
    if iri.startswith(RELATIVE_BASE):
        relative = iri.removeprefix(RELATIVE_BASE)
        raise UndefinedTerm(f"{kind} {relative!r} is a relative reference or an undefined term")
    if not _ABSOLUTE_IRI.match(iri):
        raise UndefinedTerm(
            f"{kind} {iri!r} is not an absolute IRI (an undefined term or a relative reference)"
        )
    if _INVALID_IRI_CHARACTER.search(iri):
        raise UndefinedTerm(f"{kind} {iri!r} contains characters that an IRI cannot contain")


def require_safe_iris(expanded: Any) -> None:
    """Check every IRI of an expanded document: ids, types, datatypes and properties."""
    for kind, iri in _iris_of(expanded):
        require_absolute_iri(kind, iri)


def _iris_of(expanded: Any) -> Iterator[tuple[str, Any]]:
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


def passport_error_of(exc: BaseException) -> PassportError:
    """The PassportError that pyld wrapped (an unknown context, a refused term) or a new one
    naming the innermost error code of the JSON-LD 1.1 API (``JsonLdErrorCode``, such as "invalid
    set or list object"), not the step that wrapped it ("jsonld.FlattenError" says nothing)."""
    code = None
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, PassportError):
            return cause
        code = getattr(cause, "code", None) or code
        cause = cause.__cause__ or cause.__context__
    named = code or getattr(exc, "type", "error")
    return InvalidInput(f"the document is not valid JSON-LD ({named})")
