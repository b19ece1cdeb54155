"""What the JSON-LD fast path (``credentials.jsonld_fast``) knows of one active context, memoized.

A ``Compiled`` context wraps one processed (active) context of pyld and remembers everything
expansion asks of it for a key or a value: the key's expansion, its term definition
(``TermInfo``), its predicate term, how its values are expanded (``Plan``), node identifiers
and vocabulary IRIs as N-Quads terms, the contexts derived from it by scoped and type-scoped
contexts, and, per set of keys a node object has, what those keys mean (``Layout``). Processed
contexts of bundled context documents never change, so the answers hold for every document;
what the fast path does not cover raises ``Decline``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from credentials.errors import UndefinedTerm
from credentials.jsonld_safe_mode import RELATIVE_BASE, require_absolute_iri
from credentials.nquads import XSD_STRING

XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
_COVERED_CONTAINERS = frozenset({"@set", "@list", "@graph"})
# Node identifiers memoized per context (an issuer's DIDs and achievements recur) before the
# memo starts again from empty.
_MAX_MEMOIZED_IDS = 4096
# Sets of keys of node objects memoized per context (a schema has a few dozen) before the memo
# starts again from empty.
MAX_MEMOIZED_KEY_SETS = 1024


class Decline(Exception):
    """The fast path does not cover this document: use the general path."""


class TermInfo(NamedTuple):
    """What expansion needs to know about one key in one active context."""

    is_list: bool
    is_graph: bool
    coercion: str | None  # "@id", "@vocab", a datatype IRI, or None
    scoped: Any  # the term's property-scoped context, or None


class Plan(NamedTuple):
    """How one property's values are expanded in one active context."""

    predicate: str
    is_list: bool
    is_graph: bool
    values_ctx: Compiled  # the active context with the term's property-scoped context
    coercion: str | None  # the term's coercion in ``values_ctx``
    node_scoped: Any  # the scoped context a node value enters with (``_expand`` step 7)
    string_datatype: str | None  # a string value's literal datatype, where it is one


class Layout(NamedTuple):
    """What the keys of a node object are in one active context (pyld's ``_expand_object``):
    the key of its ``@id``, the keys of its types and the plans of its properties, in the
    order of the sorted keys."""

    id_key: str | None
    type_keys: tuple[str, ...]
    properties: tuple[tuple[str, Plan], ...]


# A node's way in (``entered``): the property-scoped context it was memoized for, the context
# it enters, and its type keys there (None where it embeds a context of its own).
Entry = tuple[Any, "Compiled", tuple[str, ...] | None]


class Compiled:
    """One processed context with its lookups memoized: key expansions, term information,
    predicate and vocabulary IRI terms, property plans, the contexts derived from it, and per
    set of node keys (the dictionary's keys in document order): the context a node enters
    and its type keys there (``entered``), and its ``Layout``."""

    def __init__(self, ctx: Any, processor: Any) -> None:
        self.ctx = ctx
        self.processor = processor
        self.keys: dict[str, Any] = {}
        self.infos: dict[str, TermInfo] = {}
        self.predicates: dict[str, str] = {}
        self.vocab: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.derived: dict[Any, tuple[Any, Any]] = {}
        self.plans: dict[str, Plan] = {}
        self.typed: dict[tuple[str, ...], Compiled] = {}
        self.entered: dict[tuple[tuple[str, ...], int], Entry] = {}
        self.layouts: dict[tuple[str, ...], Layout] = {}

    def expand_key(self, key: str) -> Any:
        try:
            return self.keys[key]
        except KeyError:
            expanded = self.keys[key] = self.processor._expand_iri(self.ctx, key, vocab=True)
            return expanded

    def info(self, key: str) -> TermInfo:
        info = self.infos.get(key)
        if info is None:
            info = self.infos[key] = term_info(self.ctx, key)
        return info

    def predicate(self, key: str) -> str:
        term = self.predicates.get(key)
        if term is None:
            term = self.predicates[key] = iri_term("property", self.expand_key(key))
        return term

    def id_iri(self, value: str) -> str:
        """An ``@id`` or ``@id``-coerced value as an IRI term (document-relative expansion)."""
        term = self.ids.get(value)
        if term is None:
            if len(self.ids) >= _MAX_MEMOIZED_IDS:
                self.ids.clear()
            expanded = self.processor._expand_iri(self.ctx, value, base=RELATIVE_BASE)
            term = self.ids[value] = iri_term("@id", expanded)
        return term

    def vocab_iri(self, value: str) -> str:
        """A type or ``@vocab``-coerced value as an IRI term (vocabulary-relative expansion)."""
        term = self.vocab.get(value)
        if term is None:
            expanded = self.processor._expand_iri(self.ctx, value, vocab=True, base=RELATIVE_BASE)
            term = self.vocab[value] = iri_term("@type value", expanded)
        return term


def remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    """Store ``value`` in a per-context memo of node key sets, bounded."""
    if len(memo) >= MAX_MEMOIZED_KEY_SETS:
        memo.clear()
    memo[key] = value


def iri_term(kind: str, iri: Any) -> str:
    """``<iri>`` for an IRI that safe mode accepts; blank nodes and anything else decline."""
    if not isinstance(iri, str) or iri.startswith("_:") or iri.startswith("@"):
        raise Decline
    try:
        require_absolute_iri(kind, iri)
    except UndefinedTerm:
        raise Decline from None
    return f"<{iri}>"


def term_info(ctx: Any, key: str) -> TermInfo:
    if "@language" in ctx or "@direction" in ctx:
        raise Decline
    mapping = ctx["mappings"].get(key) or {}
    if mapping.get("reverse") or "@language" in mapping or "@direction" in mapping:
        raise Decline
    container = mapping.get("@container") or []
    container = set(container if isinstance(container, list) else [container])
    if not container <= _COVERED_CONTAINERS or {"@list", "@graph"} <= container:
        raise Decline
    coercion = mapping.get("@type")
    if coercion == "@none":
        coercion = None
    elif coercion not in (None, "@id", "@vocab"):
        iri_term("@type value", coercion)
    scoped = mapping.get("@context")
    if scoped is False:
        raise Decline
    return TermInfo("@list" in container, "@graph" in container, coercion, scoped)


def string_datatype(info: TermInfo, coercion: str | None) -> str | None:
    """The datatype ``scalar`` gives a string value of a term, where a string value is one
    literal object; None where it does more (an IRI, an ``xsd:double`` conversion, an RDF list,
    a refusal in a ``@graph`` container)."""
    if info.is_graph or info.is_list or coercion in ("@id", "@vocab", XSD_DOUBLE):
        return None
    return coercion or XSD_STRING
