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
from typing import Any

from pyld import jsonld

from credentials.errors import PassportError
from credentials.jsonld_compiled import (
    XSD_DOUBLE,
    Compiled,
    Decline,
    Plan,
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
        options = {**self.options(), **_OPTIONS}
        walk = _Walk(self, options)
        try:
            initial = self.compiled(self.processor._get_initial_context(options))
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


class _Walk:
    """One document's walk: mirrors ``JsonLdProcessor._expand`` and emits quads as it goes.

    Everything that depends only on an active context and a key (or a list of types) is
    memoized on the ``Compiled`` context: the walk itself only reads the document."""

    def __init__(self, fast: FastPath, options: dict[str, Any]) -> None:
        self.fast = fast
        self.options = options
        self.quads: set[NQuad] = set()
        self.blank_nodes = 0

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
        ``scoped`` is the property-scoped context of the term it is the value of."""
        previous = ctx.ctx.get("previousContext")
        must_revert = True
        if previous and len(element) <= 2 and "@context" not in element:
            for key in sorted(element):
                expanded = ctx.expand_key(key)
                if expanded == "@value":
                    raise Decline
                if expanded == "@id" and len(element) == 1:
                    must_revert = False
                    break
        if must_revert and previous is not None:
            ctx = self.fast.compiled(previous)
        if scoped is not None:
            ctx = self.process(ctx, scoped, override_protected=True)
        keys = sorted(element)
        ctx, type_scoped = self.nested_contexts(ctx, element, keys)
        return self.members(ctx, element, keys, type_scoped, graph)

    def nested_contexts(
        self, ctx: Compiled, element: dict[str, Any], keys: list[str]
    ) -> tuple[Compiled, Compiled]:
        """pyld's ``_prepare_nested_context``: the embedded context, then type-scoped ones."""
        if "@context" in element:
            local = element["@context"]
            urls = local if isinstance(local, list) else [local]
            if not all(isinstance(url, str) for url in urls):
                raise Decline
            ctx = self.process(ctx, local)
        types: list[str] = []
        expanded = ctx.keys
        for key in keys:
            if (expanded.get(key) or ctx.expand_key(key)) == "@type":
                value = element[key]
                values = value if isinstance(value, list) else [value]
                types.extend(sorted(t for t in values if isinstance(t, str)))
        if not types:
            return ctx, ctx
        return self.typed(ctx, tuple(types)), ctx

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
        element: dict[str, Any],
        keys: list[str],
        type_scoped: Compiled,
        graph: str,
    ) -> str:
        """pyld's ``_expand_object`` with the node map and toRdf steps folded in."""
        subject: str | None = None
        types: list[str] = []
        properties: list[str] = []
        expansions = ctx.keys
        for key in keys:
            if key == "@context":
                continue
            expanded = expansions.get(key) or ctx.expand_key(key)
            value = element[key]
            if expanded == "@id":
                if subject is not None or not isinstance(value, str):
                    raise Decline
                subject = ctx.id_iri(value)
            elif expanded == "@type":
                values = value if isinstance(value, list) else [value]
                if not all(isinstance(type_, str) for type_ in values):
                    raise Decline
                types.extend(type_scoped.vocab_iri(type_) for type_ in values)
            else:
                properties.append(key)
        if subject is None:
            subject = self.blank()
        for type_ in types:
            self.quads.add((subject, RDF_TYPE, type_, graph))
        for key in properties:
            self.property(ctx, key, element[key], subject, graph)
        return subject

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

    def property(self, ctx: Compiled, key: str, value: Any, subject: str, graph: str) -> None:
        plan = ctx.plans.get(key) or self.plan(ctx, key)
        if plan.string_datatype is not None and isinstance(value, str):  # most values
            literal = canonical_literal(value, plan.string_datatype, None)
            self.quads.add((subject, plan.predicate, literal, graph))
            return
        if value is None:
            return
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
        item: dict[str, Any] = {"@value": value}
        if coercion not in (None, "@id", "@vocab"):
            item["@type"] = coercion
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
