"""A fast JSON-LD to RDF path for documents whose contexts are all bundled, proven equal to pyld.

``fast_quads`` walks a document once and writes its RDF quads straight into canonical N-Quads
terms, where pyld expands it (JSON-LD 1.1 API section 5.1), builds a node map (section 7.2) and
converts that to RDF (section 8.2) over three copies of the data. It mirrors pyld's own steps
(``JsonLdProcessor._expand``: reverting type-scoped contexts, then applying property-scoped
ones, then embedded and type-scoped ones, in pyld's order) and reuses pyld for everything else:
context processing (memoized by ``credentials.pyld_patches``), IRI expansion and the conversion
of numbers and booleans. ``tests/credentials/test_rdfc_differential.py`` proves the quads equal.

It covers node objects, ``@id``/``@type`` (and aliases), terms with ``@id``/``@vocab``/datatype
coercion, ``@set``, ``@list`` and ``@graph`` containers (Data Integrity proofs, embedded
credentials), property-, type- and embedded bundled contexts. For anything else (an inline
context object, ``@value``/``@language``/``@json``/``@reverse``/``@nest``/``@included``/index
maps, blank node identifiers in the input, a context default language, nested arrays, and every
error) it raises ``Decline`` and the caller uses the general path, which also reports the error.
Safe mode holds here too: every IRI passes ``require_absolute_iri`` or the path declines.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cached_property
from typing import Any

from pyld import jsonld

from credentials.errors import PassportError
from credentials.jsonld_compiled import (
    XSD_DOUBLE,
    Compiled,
    Decline,
    Entry,
    Layout,
    Plan,
    remember,
    string_datatype,
)
from credentials.jsonld_safe_mode import RELATIVE_BASE
from credentials.nquads import XSD_STRING, canonical_literal, canonical_term
from credentials.pyld_patches import CachingJsonLdProcessor
from credentials.rdfc import NQuad

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = f"<{_RDF}type>"
RDF_FIRST = f"<{_RDF}first>"
RDF_REST = f"<{_RDF}rest>"
RDF_NIL = f"<{_RDF}nil>"
DEFAULT_GRAPH = ""
XSD_BOOLEAN: str = jsonld.XSD_BOOLEAN
XSD_INTEGER: str = jsonld.XSD_INTEGER
_OPTIONS = {"base": RELATIVE_BASE, "processingMode": "json-ld-1.1"}
# Processed contexts whose term lookups are memoized before the memo starts again from empty.
_MAX_MEMOIZED_CONTEXTS = 1024


class FastPath:
    """Turns documents into quads with one processor and its processed-context cache."""

    def __init__(
        self, processor: CachingJsonLdProcessor, options: Callable[[], dict[str, Any]]
    ) -> None:
        self.processor = processor
        self.options = options
        self._compiled: dict[int, Compiled] = {}

    def quads(self, document: Any) -> set[NQuad]:
        """The document's RDF dataset, or ``Decline``; never raises anything else."""
        if not isinstance(document, dict):
            raise Decline
        walk = _Walk(self)
        try:
            initial = self.compiled(self.processor._get_initial_context(_OPTIONS))
            walk.node(initial, None, document, DEFAULT_GRAPH)
        except (PassportError, jsonld.JsonLdError, RecursionError) as exc:
            raise Decline from exc
        return walk.quads

    def compiled(self, ctx: Any) -> Compiled:
        compiled = self._compiled.get(id(ctx))
        if compiled is None or compiled.ctx is not ctx:
            if len(self._compiled) >= _MAX_MEMOIZED_CONTEXTS:
                self._compiled.clear()
            compiled = self._compiled[id(ctx)] = Compiled(ctx, self.processor)
        return compiled


def _type_keys(ctx: Compiled, keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys that are ``@type`` in ``ctx``, sorted (the order pyld expands them in)."""
    return tuple(key for key in sorted(keys) if ctx.expand_key(key) == "@type")


class _Walk:
    """One document's walk: mirrors ``JsonLdProcessor._expand`` and emits quads as it goes.

    Everything that depends only on an active context and a key (or a list of types) is
    memoized on the ``Compiled`` context: the walk itself only reads the document."""

    def __init__(self, fast: FastPath) -> None:
        self.fast = fast
        self.quads: set[NQuad] = set()
        self.blank_nodes = 0

    @cached_property
    def options(self) -> dict[str, Any]:
        """pyld's options, built (a context resolver among them) only where a context is
        processed for the first time: once all are memoized, a walk needs none."""
        return {**self.fast.options(), **_OPTIONS}

    def process(
        self,
        ctx: Compiled,
        local: Any,
        *,
        override_protected: bool = False,
        propagate: bool = True,
    ) -> Compiled:
        """Context processing (JSON-LD 1.1 API 4.1) through pyld, memoized per context: a
        string or list of URLs by value, a scoped context (immutable, from a bundled context
        document) by identity."""
        if isinstance(local, dict):
            key: Any = (id(local), override_protected, propagate)
        else:
            key = (
                tuple(local) if isinstance(local, list) else local,
                override_protected,
                propagate,
            )
        entry = ctx.derived.get(key)
        if entry is not None and (not isinstance(local, dict) or entry[0] is local):
            return entry[1]  # type: ignore[no-any-return]
        processed = self.fast.processor._process_context(
            ctx.ctx,
            local,
            self.options,
            override_protected=override_protected,
            propagate=propagate,
        )
        derived = self.fast.compiled(processed)
        ctx.derived[key] = (local, derived)
        return derived

    def blank(self) -> str:
        self.blank_nodes += 1
        return f"_:f{self.blank_nodes}"

    def node(self, ctx: Compiled, scoped: Any, element: dict[str, Any], graph: str) -> str:
        """A node object: its contexts as pyld's ``_expand`` sets them, then its members;
        ``scoped`` is the property-scoped context of the term it is the value of. What follows
        from the contexts and the node's keys alone is memoized per context, by the keys."""
        keys = tuple(element)
        entry = ctx.entered.get((keys, id(scoped)))
        if entry is None or entry[0] is not scoped:
            entry = self.enter(ctx, scoped, keys)
        _scoped, ctx, type_keys = entry
        if type_keys is None:  # an embedded context, which may define what the keys are
            ctx = self.embedded(ctx, element["@context"])
            type_keys = _type_keys(ctx, keys)
        if not type_keys:
            return self.members(ctx, ctx, element, keys, graph)
        types: list[str] = []
        for key in type_keys:
            value = element[key]
            if isinstance(value, str):
                types.append(value)
            elif isinstance(value, list) and all(isinstance(type_, str) for type_ in value):
                types.extend(sorted(value))
            else:
                raise Decline  # ``members`` would: types other than strings are not covered
        typed = self.typed(ctx, tuple(types)) if types else ctx
        return self.members(typed, ctx, element, keys, graph)

    def enter(self, ctx: Compiled, scoped: Any, keys: tuple[str, ...]) -> Entry:
        """The context a node with these keys enters: the type-scoped context reverted unless
        the node is a reference, then the property-scoped one (pyld's ``_expand``); and its
        type keys there, unless it embeds a context."""
        previous = ctx.ctx.get("previousContext")
        entered = ctx
        must_revert = True
        if previous and len(keys) <= 2 and "@context" not in keys:
            for key in sorted(keys):
                expanded = ctx.expand_key(key)
                if expanded == "@value":
                    raise Decline
                if expanded == "@id" and len(keys) == 1:
                    must_revert = False
                    break
        if must_revert and previous is not None:
            entered = self.fast.compiled(previous)
        if scoped is not None:
            entered = self.process(entered, scoped, override_protected=True)
        type_keys = None if "@context" in keys else _type_keys(entered, keys)
        entry = (scoped, entered, type_keys)
        remember(ctx.entered, (keys, id(scoped)), entry)
        return entry

    def embedded(self, ctx: Compiled, local: Any) -> Compiled:
        """An embedded context (``_prepare_nested_context``): bundled URLs only."""
        urls = local if isinstance(local, list) else [local]
        if not all(isinstance(url, str) for url in urls):
            raise Decline
        return self.process(ctx, local)

    def typed(self, ctx: Compiled, types: tuple[str, ...]) -> Compiled:
        """``ctx`` with the type-scoped contexts of ``types`` applied, in that order."""
        result = ctx.typed.get(types)
        if result is None:
            result = ctx
            for type_ in types:
                mapping = ctx.ctx["mappings"].get(type_)
                local = mapping.get("@context") if mapping else None
                if local is not None and local is not False:
                    result = self.process(result, local, propagate=False)
            ctx.typed[types] = result
        return result

    def members(
        self,
        ctx: Compiled,
        type_scoped: Compiled,
        element: dict[str, Any],
        keys: tuple[str, ...],
        graph: str,
    ) -> str:
        """pyld's ``_expand_object`` with the node map and toRdf steps folded in."""
        layout = ctx.layouts.get(keys) or self.layout(ctx, keys)
        if layout.id_key is None:
            subject = self.blank()
        else:
            value = element[layout.id_key]
            if not isinstance(value, str):
                raise Decline
            subject = ctx.ids.get(value) or ctx.id_iri(value)
        quads = self.quads
        for key in layout.type_keys:
            value = element[key]
            for type_ in value if isinstance(value, list) else [value]:
                if not isinstance(type_, str):
                    raise Decline
                iri = type_scoped.vocab.get(type_) or type_scoped.vocab_iri(type_)
                quads.add((subject, RDF_TYPE, iri, graph))
        for key, plan in layout.properties:
            value = element[key]
            if plan.string_datatype is not None and isinstance(value, str):  # most values
                literal = canonical_literal(value, plan.string_datatype, None)
                quads.add((subject, plan.predicate, literal, graph))
            elif value is not None:
                self.property(plan, value, subject, graph)
        return subject

    def layout(self, ctx: Compiled, keys: tuple[str, ...]) -> Layout:
        id_key = None
        type_keys = []
        properties = []
        for key in sorted(keys):
            if key == "@context":
                continue
            expanded = ctx.expand_key(key)
            if expanded == "@id":
                if id_key is not None:
                    raise Decline
                id_key = key
            elif expanded == "@type":
                type_keys.append(key)
            else:
                properties.append((key, self.plan(ctx, key)))
        layout = Layout(id_key, tuple(type_keys), tuple(properties))
        remember(ctx.layouts, keys, layout)
        return layout

    def plan(self, ctx: Compiled, key: str) -> Plan:
        plan = ctx.plans.get(key)
        if plan is None:
            predicate = ctx.predicate(key)
            info = ctx.info(key)
            values_ctx = ctx
            if info.scoped is not None:
                values_ctx = self.process(ctx, info.scoped, override_protected=True)
            value_info = values_ctx.info(key)
            if (value_info.is_list, value_info.is_graph) != (info.is_list, info.is_graph):
                raise Decline
            plan = ctx.plans[key] = Plan(
                predicate,
                info.is_list,
                info.is_graph,
                values_ctx,
                value_info.coercion,
                value_info.scoped,
                string_datatype(info, value_info.coercion),
            )
        return plan

    def property(self, plan: Plan, value: Any, subject: str, graph: str) -> None:
        """The values of one property other than a lone string of a plain term (``members``)."""
        objects = []
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            if plan.string_datatype is not None and isinstance(item, str):
                objects.append(canonical_literal(item, plan.string_datatype, None))
            elif isinstance(item, dict):
                if plan.is_graph:
                    name = self.blank()
                    self.node(plan.values_ctx, plan.node_scoped, item, name)
                    objects.append(name)
                else:
                    objects.append(self.node(plan.values_ctx, plan.node_scoped, item, graph))
            elif plan.is_graph or isinstance(item, list):
                raise Decline
            else:
                objects.append(self.scalar(plan.values_ctx, plan.coercion, item))
        if plan.is_list:
            objects = [self.rdf_list(objects, graph)]
        for obj in objects:
            self.quads.add((subject, plan.predicate, obj, graph))

    def scalar(self, ctx: Compiled, coercion: str | None, value: Any) -> str:
        """pyld's ``_expand_value`` then ``_object_to_rdf`` for a string, number or boolean."""
        if isinstance(value, str):
            if coercion == "@id":
                return ctx.id_iri(value)
            if coercion == "@vocab":
                return ctx.vocab_iri(value)
            if coercion != XSD_DOUBLE:
                return canonical_literal(value, coercion or XSD_STRING, None)
        elif not isinstance(value, int | float) or not math.isfinite(value):
            raise Decline
        datatype = None if coercion in (None, "@id", "@vocab") else coercion
        # JSON-LD 1.1 API section 8.6 steps 8-10, in pyld's order: a boolean whatever the
        # datatype, then an integer below 10**21 unless coerced to xsd:double; pyld does the rest.
        if isinstance(value, bool):
            return canonical_literal("true" if value else "false", datatype or XSD_BOOLEAN, None)
        if type(value) is int and datatype != XSD_DOUBLE and abs(value) < 10**21:
            return canonical_literal(str(value), datatype or XSD_INTEGER, None)
        item: dict[str, Any] = {"@value": value}
        if datatype is not None:
            item["@type"] = datatype
        return canonical_term(ctx.processor._object_to_rdf(item, None, [], _OPTIONS))

    def rdf_list(self, objects: list[str], graph: str) -> str:
        """An RDF collection (JSON-LD 1.1 API section 8.2 "List Conversion")."""
        head = RDF_NIL if not objects else self.blank()
        node = head
        for index, obj in enumerate(objects):
            following = RDF_NIL if index == len(objects) - 1 else self.blank()
            self.quads.add((node, RDF_FIRST, obj, graph))
            self.quads.add((node, RDF_REST, following, graph))
            node = following
        return head
