"""One credential as one JSON tree, whatever node layout its spelling chose (issue #12, item 1).

JSON-LD lets the same graph be laid out as a tree of nested objects or as a list of nodes that
point at each other: a top-level ``@graph`` (JSON-LD 1.1 section 4.9), nodes under ``@included``
(section 4.7), a statement written from its object's side with ``@reverse`` (section 4.8), or
the whole document flattened (JSON-LD 1.1 API section 4.3). A proof covers the graph, so a holder
may lay out a genuine credential any of these ways. ``one_tree`` gives such a document back as the
nested tree the checks and the display read: flattened with the document's own context, then
every node put back where it is referred to, starting at the one node nothing else refers to.

A layout that holds no single such node (two credentials under one ``@graph``, a cycle) is not
one credential: it is refused with a plain reason (``InvalidInput``), which the verifier reports
as unreadable, never as a forgery. The values the checks rely on still come from the graph itself
(``credentials.signed_view``); this tree only restores the nesting.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from credentials.canonical import flattened
from credentials.errors import InvalidInput

_LAYOUT_KEYWORDS = frozenset({"@graph", "@included", "@reverse"})
_ROOT_TYPES = frozenset({"VerifiableCredential", "VerifiablePresentation"})


def laid_out(value: Any) -> bool:
    """Does the JSON use a node-layout keyword anywhere (``@graph``, ``@included``,
    ``@reverse``)? Genuine credentials as issued never do, so this is the quick test, run on
    every credential verified: one pass with a stack, no recursion; strings, most of what is
    on the stack, are passed over first with one type test."""
    pending = [value]
    while pending:
        item = pending.pop()
        if type(item) is str:
            continue
        if isinstance(item, dict):
            if not _LAYOUT_KEYWORDS.isdisjoint(item):
                return True
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _node_id(node: dict[str, Any]) -> Any:
    return node.get("id", node.get("@id"))


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("type", node.get("@type", []))
    return {str(item) for item in (value if isinstance(value, list) else [value])}


def _references(value: Any, nodes: dict[str, dict[str, Any]]) -> list[str]:
    """The ids of the nodes ``value`` refers to: as ``{"id": …}`` or, for ``@type: @id`` terms,
    as a plain string."""
    if isinstance(value, list):
        return [ref for item in value for ref in _references(item, nodes)]
    if isinstance(value, str):
        return [value] if value in nodes else []
    if isinstance(value, dict) and len(value) == 1 and _node_id(value) in nodes:
        return [_node_id(value)]
    return []


def _referred(nodes: dict[str, dict[str, Any]]) -> Counter[str]:
    """How many times each node is referred to by another."""
    return Counter(
        ref
        for node in nodes.values()
        for key, value in node.items()
        if key not in ("id", "@id")
        for ref in _references(value, nodes)
    )


def _root(nodes: dict[str, dict[str, Any]], referred: Counter[str]) -> str:
    roots = [node_id for node_id in nodes if node_id not in referred]
    if len(roots) > 1:
        roots = [node_id for node_id in roots if _types(nodes[node_id]) & _ROOT_TYPES]
    if len(roots) != 1:
        raise InvalidInput("what was signed does not hold exactly one credential")
    return roots[0]


class _Nesting:
    """Puts each node back where it is referred to. A node referred to once goes there; one
    referred to more often goes where it is referred to as an object, and stays an IRI where a
    term declares its value an IRI (``@type: @id``), as a compacted credential writes it (an
    OB 3.0 result names its ``resultDescription`` that the achievement describes)."""

    def __init__(self, nodes: dict[str, dict[str, Any]]) -> None:
        self.nodes = nodes
        self.referred = _referred(nodes)

    def tree(self) -> dict[str, Any]:
        tree: dict[str, Any] = self._embed({"id": _root(self.nodes, self.referred)}, frozenset())
        return tree

    def _embed(self, value: Any, path: frozenset[str]) -> Any:
        if isinstance(value, list):
            return [self._embed(item, path) for item in value]
        refs = _references(value, self.nodes)
        if len(refs) != 1:
            return value  # a literal
        node_id = refs[0]
        node = self.nodes[node_id]
        if isinstance(value, str) and (len(node) == 1 or self.referred[node_id] > 1):
            return value  # an IRI the term declares as such
        if node_id in path:
            raise InvalidInput("what was signed refers to itself in a loop")
        inner = path | {node_id}
        tree = {k: self._embed(item, inner) for k, item in node.items() if k not in ("id", "@id")}
        # A blank node's label is an artefact of the layout: the nested spelling has none.
        return tree if node_id.startswith("_:") else {"id": node_id, **tree}


def one_tree(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (without its proof) as one nested tree in its own context (module
    docstring). Raises ``InvalidInput`` when it does not hold exactly one credential."""
    context = {"@context": document.get("@context")}
    flat = flattened(document, context)
    listed = flat.get("@graph", [{k: v for k, v in flat.items() if k != "@context"}])
    nodes = {_node_id(node): node for node in listed if isinstance(node, dict) and _node_id(node)}
    nodes = {key: value for key, value in nodes.items() if isinstance(key, str)}
    if not nodes:
        raise InvalidInput("what was signed does not hold exactly one credential")
    tree = _Nesting(nodes).tree()
    return {"@context": document.get("@context"), **tree}
