"""Judge what was signed, not how it is spelled (issue #12, item 1).

``eddsa-rdfc-2022`` signs an RDF graph, and one graph has many JSON spellings: a holder can
rename ``credentialStatus`` to its full IRI, give ``validUntil`` as a typed value, or write a
subject's ``id`` as ``@id``, without touching the proof. A check that reads JSON keys would then
miss a revocation, an expiry or a subject. So every value a check relies on (the credential's
``id`` and ``type``, its issuer, each subject's ``id``, ``validFrom``/``validUntil`` and the VC 1.1
dates, each ``credentialStatus`` entry) is read here from the graph: the RDF dataset of the
document in JSON-LD safe mode with the bundled contexts, as the proof covers it.

A document already in its plain spelling (every key a bundled-context term, every date a string:
``is_plain``, a quick look at the members read) says in JSON exactly what its graph says, and is
read as it is. Any other spelling gets ``signed_view``: the document with those members replaced
by what the graph states, in the plain spelling. Where the JSON view states a value the graph
does not, or the graph states two of what must be one (two issuers, two expiry dates), the
credential is refused with the reason (``InvalidInput``).

>>> from credentials.contexts import VC_V2
>>> doc = {"@context": [VC_V2], "type": "VerifiableCredential", "issuer": "did:example:a",
...        "https://www.w3.org/2018/credentials#validUntil": "2020-01-01T00:00:00Z",
...        "credentialSubject": {"@id": "did:example:b"}}
>>> is_plain(doc)
False
>>> view = signed_view(doc)
>>> view["validUntil"], view["credentialSubject"], view["type"]
('2020-01-01T00:00:00Z', {'id': 'did:example:b'}, ['VerifiableCredential'])
"""

from __future__ import annotations

from typing import Any

from credentials.canonical import rdf_dataset
from credentials.errors import InvalidInput

_CRED = "https://www.w3.org/2018/credentials#"
_STATUS = "https://www.w3.org/ns/credentials/status#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Vocabularies whose type names the checks know by their short name (the term of the context).
_SHORT_NAMED = (
    _CRED,
    _STATUS,
    "https://purl.imsglobal.org/spec/vc/ob/vocab.html#",
    "https://purl.imsglobal.org/spec/vc/clr/vocab/",
    "https://purl.imsglobal.org/spec/vccs/v1p0/context.json#",
    "https://w3id.org/vc/status-list#",
)
_ROOT_TYPES = (_CRED + "VerifiableCredential", _CRED + "VerifiablePresentation")
_BASE_TYPES = ("VerifiableCredential", "VerifiablePresentation")
_ALIASES = {"@id": "id", "@type": "type"}
_OBJECTS = ("issuer", "credentialSubject", "credentialStatus")
DATES = ("validFrom", "validUntil", "issuanceDate", "expirationDate")
_STATUS_MEMBERS = ("statusPurpose", "statusListIndex", "statusListCredential", "statusSize")
_READ = ("issuer", "credentialSubject", "credentialStatus", "id", "type", *DATES)


def _plain_keys(node: Any, *, top: bool = False) -> bool:
    if not isinstance(node, dict):
        return True
    for key, value in node.items():
        if ":" in key or (key.startswith("@") and not (top and key == "@context")):
            return False
        if key == "type" and any(":" in str(item) for item in _items(value)):
            return False
    return True


def _single_item_list(value: Any) -> bool:
    """One object written as a list of one: the same graph, but not the JSON the OB 3.0 schemas
    and models read."""
    return isinstance(value, list) and len(value) == 1


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def is_plain(document: dict[str, Any]) -> bool:
    """Does the JSON say what the graph says for every member the checks read? True when the
    credential, its issuer, subjects and status entries use only context terms (no full or
    compact IRI keys, no keywords but ``@context``, no IRI types) and every date is a string."""
    if not _plain_keys(document, top=True):
        return False
    if any(name in document and not isinstance(document[name], str) for name in DATES):
        return False
    if any(_single_item_list(document.get(name)) for name in _OBJECTS):
        return False
    nested = [document.get("issuer")]
    nested += _items(document.get("credentialSubject"))
    nested += _items(document.get("credentialStatus"))
    return all(_plain_keys(node) for node in nested)


class _Graph:
    """The default graph of a dataset, indexed by subject then predicate."""

    def __init__(self, dataset: dict[str, Any]) -> None:
        self.nodes: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.objects: set[str] = set()
        for triple in dataset.get("@default", []):
            subject = triple["subject"]["value"]
            predicate = triple["predicate"]["value"]
            self.nodes.setdefault(subject, {}).setdefault(predicate, []).append(triple["object"])
            if triple["object"]["type"] != "literal":
                self.objects.add(triple["object"]["value"])

    def values(self, node: str, predicate: str) -> list[dict[str, Any]]:
        return self.nodes.get(node, {}).get(predicate, [])

    def one(self, node: str, predicate: str, name: str) -> str | None:
        found = {item["value"] for item in self.values(node, predicate)}
        if len(found) > 1:
            raise InvalidInput(f"what was signed states more than one {name}")
        return found.pop() if found else None

    def root(self) -> str:
        """The credential (or presentation): the typed node nothing else points to."""
        roots = [
            node
            for node in self.nodes
            if node not in self.objects
            and any(item["value"] in _ROOT_TYPES for item in self.values(node, _RDF_TYPE))
        ]
        if len(roots) != 1:
            raise InvalidInput("what was signed does not hold exactly one credential")
        return roots[0]


def _short(iri: str) -> str:
    for vocabulary in _SHORT_NAMED:
        if iri.startswith(vocabulary):
            return iri.removeprefix(vocabulary)
    return iri


def _named(node: str) -> str | None:
    return None if node.startswith("_:") else node


def _types(graph: _Graph, node: str) -> list[str]:
    """The node's types by their short names; the base types first, as the VC and OB JSON
    schemas expect them."""
    names = {_short(item["value"]) for item in graph.values(node, _RDF_TYPE)}
    return sorted(names, key=lambda name: (name not in _BASE_TYPES, name))


def _desugared(value: Any) -> Any:
    """The JSON with the syntax that does not change the graph undone: ``@set`` objects, value
    objects, ``@nest``, ``@id``/``@type`` and the credential terms' full IRIs. For display and
    the format check only: the members the checks read come from the graph itself."""
    if isinstance(value, list):
        return [_desugared(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "@set" in value:
        return _desugared(value["@set"])
    if "@value" in value:
        return value["@value"]
    plain: dict[str, Any] = {}
    for key, item in value.items():
        if key == "@nest" and isinstance(item, dict):
            plain.update(_desugared(item))
        else:
            plain[_ALIASES.get(key, key.removeprefix(_CRED))] = _desugared(item)
    return plain


def _plain_part(value: Any) -> dict[str, Any]:
    """The members of a JSON object that are plain terms, desugared (kept for display)."""
    value = _desugared(value)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict):
        return {}
    return {key: item for key, item in value.items() if ":" not in key and key[:1] != "@"}


def _status_entry(graph: _Graph, node: str) -> dict[str, Any]:
    types = _types(graph, node)
    entry: dict[str, Any] = {"type": types[0] if len(types) == 1 else types}
    if _named(node):
        entry["id"] = node
    for member in _STATUS_MEMBERS:
        value = graph.one(node, _STATUS + member, member)
        if value is not None:
            entry[member] = value
    return entry


def _subjects(graph: _Graph, root: str, claimed: Any) -> list[dict[str, Any]]:
    nodes = [item["value"] for item in graph.values(root, _CRED + "credentialSubject")]
    shown = [_plain_part(item) for item in _items(claimed)]
    if len(shown) != len(nodes):
        shown = [{} for _ in nodes]
    subjects = []
    for node, part in zip(sorted(nodes, key=lambda n: (n.startswith("_:"), n)), shown, strict=True):
        part.pop("id", None)
        subjects.append({"id": node, **part} if _named(node) else part)
    return subjects


def signed_view(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every member the checks read replaced by what its graph states, in the
    plain spelling (module docstring). ``document`` must be without its proof; the proof itself
    is read where the securing mechanism finds it. Raises ``InvalidInput`` with the reason."""
    graph = _Graph(rdf_dataset(document))
    root = graph.root()
    shown = _plain_part(document)
    view = {key: value for key, value in shown.items() if key not in _READ}
    view["@context"] = document.get("@context")
    if _named(root):
        view["id"] = root
    view["type"] = _types(graph, root)
    issuer = graph.one(root, _CRED + "issuer", "issuer")
    if issuer is not None:
        claimed = shown.get("issuer")
        view["issuer"] = {**_plain_part(claimed), "id": issuer} if claimed != issuer else issuer
    for name in DATES:
        value = graph.one(root, _CRED + name, name)
        if value is not None:
            view[name] = value
    view["credentialSubject"] = _one_or_list(_subjects(graph, root, shown.get("credentialSubject")))
    statuses = [item["value"] for item in graph.values(root, _CRED + "credentialStatus")]
    if statuses:
        entries = [_status_entry(graph, node) for node in sorted(statuses)]
        view["credentialStatus"] = _one_or_list(entries)
    _refuse_disagreement(document, view)
    return view


def _one_or_list(items: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    """One object as itself, as the OB 3.0 JSON schemas want a single subject or status."""
    return items[0] if len(items) == 1 else items


def _issuer_id(issuer: Any) -> str | None:
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    return issuer if isinstance(issuer, str) else None


def _refuse_disagreement(document: dict[str, Any], view: dict[str, Any]) -> None:
    """Where the JSON view states a value the graph does not, the document says two things."""
    for name in (*DATES, "id"):
        shown = document.get(name)
        if isinstance(shown, str) and shown != view.get(name):
            raise InvalidInput(f"its JSON shows a {name} that is not what was signed")
    if _issuer_id(document.get("issuer")) not in (None, _issuer_id(view.get("issuer"))):
        raise InvalidInput("its JSON shows an issuer that is not the one that was signed")
