"""RDFC-1.0 (W3C Recommendation 2024-05-21) over quads already written as canonical N-Quads terms.

The fast path's canonicalization (``credentials.jsonld_fast`` produces the quads). A quad is a
tuple of four strings: subject, predicate, object and graph name (``""`` for the default graph),
each a canonical N-Quads term (``<iri>``, ``_:label`` or a literal), so that every serialization
in the algorithm is string concatenation. Section numbers below are RDFC-1.0's. Checked against
the W3C RDFC-1.0 test suite, pyld's ``URDNA2015`` (with the fixes of ``credentials.canonical``)
and pyoxigraph (``tests/credentials/test_fast_path_rdfc.py``, ``test_rdfc_differential.py``).

>>> canonicalize_quads({("_:x", "<urn:p>", '"v"', "")}).nquads
'_:c14n0 <urn:p> "v" .\\n'
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cmp_to_key
from itertools import permutations
from typing import Any

from credentials.errors import InputTooLarge, InvalidInput
from credentials.nquads import Dataset, canonical_term

NQuad = tuple[str, str, str, str]
HASH_ALGORITHMS = frozenset({"sha256", "sha384"})
# Hash N-Degree Quads calls allowed: (number of blank nodes) ** this. Credentials, whose blank
# nodes almost all get unique first-degree hashes, make few or none; the W3C "evil" poison graphs
# 044-046 (12 blank nodes) make 468, under 12**3; the 10-node clique of test 074 would make
# millions and stops at 10**3.
N_DEGREE_CALL_LIMIT_EXPONENT = 3
_POSITIONS = ((0, "s"), (2, "o"), (3, "g"))


@dataclass(frozen=True)
class QuadsCanonicalization:
    """The canonical N-Quads and the identifiers issued (``_:label`` -> ``_:c14nN``)."""

    nquads: str
    issued: dict[str, str]

    @property
    def issued_identifiers(self) -> dict[str, str]:
        """The issued identifiers map (section 4.4.3 step 7): input label -> ``c14nN``, built
        only when asked for (a proof needs the N-Quads alone)."""
        return {old[2:]: new[2:] for old, new in self.issued.items()}


def quads_of_dataset(dataset: Dataset) -> set[NQuad]:
    """A pyld dataset (graph name -> quads of term dictionaries) as quads of canonical terms."""
    quads = set()
    for graph, triples in dataset.items():
        name = "" if graph == "@default" else canonical_term(_graph_term(graph))
        for quad in triples:
            quads.add(
                (
                    canonical_term(quad["subject"]),
                    canonical_term(quad["predicate"]),
                    canonical_term(quad["object"]),
                    name,
                )
            )
    return quads


def _graph_term(graph: str) -> dict[str, str]:
    return {"type": "blank node" if graph.startswith("_:") else "IRI", "value": graph}


def nquad_line(quad: NQuad, label: Callable[[str], str] | None = None) -> str:
    """One quad in canonical N-Quads, blank node labels mapped through ``label``."""
    subject, predicate, obj, graph = quad
    if label is not None:
        subject = label(subject) if subject[0] == "_" else subject
        obj = label(obj) if obj[0] == "_" else obj
        graph = label(graph) if graph[:1] == "_" else graph
    if graph:
        return f"{subject} {predicate} {obj} {graph} .\n"
    return f"{subject} {predicate} {obj} .\n"


def relabelled_lines(quads: Iterable[NQuad], labels: Mapping[str, str]) -> list[str]:
    """The quads in canonical N-Quads, each blank node label mapped through ``labels``: the hot
    loop of the first-degree hashes and of the output, so ``nquad_line`` is written out here."""
    lines = []
    for subject, predicate, obj, graph in quads:
        new_subject = labels[subject] if subject[0] == "_" else subject
        new_object = labels[obj] if obj[0] == "_" else obj
        if graph:
            new_graph = labels[graph] if graph[0] == "_" else graph
            lines.append(f"{new_subject} {predicate} {new_object} {new_graph} .\n")
        else:
            lines.append(f"{new_subject} {predicate} {new_object} .\n")
    return lines


class _Issuer:
    """Identifier Issuer (section 4.5): labels in order of issue."""

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = dict(issued) if issued else {}

    def issue(self, existing: str) -> str:
        label = self.issued.get(existing)
        if label is None:
            label = self.issued[existing] = f"_:{self.prefix}{len(self.issued)}"
        return label

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, self.issued)


def canonicalize_quads(
    quads: Iterable[NQuad], *, hash_algorithm: str = "sha256"
) -> QuadsCanonicalization:
    """The canonicalization algorithm (section 4.4.3) over a set of quads."""
    if hash_algorithm not in HASH_ALGORITHMS:
        raise InvalidInput(f"unsupported RDFC-1.0 hash algorithm {hash_algorithm!r}")
    # A set of quads (the fast path's) is read as it is: nothing here changes it.
    state = _State(quads if isinstance(quads, set | frozenset) else set(quads), hash_algorithm)
    return state.run()


class _State:
    """The canonicalization state (section 4.2)."""

    def __init__(self, quads: set[NQuad] | frozenset[NQuad], hash_algorithm: str) -> None:
        self.hash_algorithm = hash_algorithm
        self._new_hash = getattr(hashlib, hash_algorithm)
        self.quads = quads
        self.quads_of: dict[str, list[NQuad]] = defaultdict(list)
        quads_of = self.quads_of
        for quad in quads:  # step 2: each quad once per blank node it holds
            subject, _predicate, obj, graph = quad
            if subject[0] == "_":
                quads_of[subject].append(quad)
            if obj[0] == "_" and obj != subject:
                quads_of[obj].append(quad)
            if graph[:1] == "_" and graph not in (subject, obj):
                quads_of[graph].append(quad)
        # Section 4.6 step 3: every blank node is written ``_:z`` but the reference one, ``_:a``.
        self.first_degree_labels = dict.fromkeys(quads_of, "_:z")
        self.canonical = _Issuer("c14n")
        self.first_degree: dict[str, str] = {}
        self.n_degree_calls = 0
        self.n_degree_limit = max(len(self.quads_of), 2) ** N_DEGREE_CALL_LIMIT_EXPONENT

    def hash(self, data: str) -> str:
        return self._new_hash(data.encode("utf-8")).hexdigest()  # type: ignore[no-any-return]

    def run(self) -> QuadsCanonicalization:
        by_hash: dict[str, list[str]] = {}
        for node in self.quads_of:  # step 3
            by_hash.setdefault(self.hash_first_degree(node), []).append(node)
        shared = []
        for _hash, nodes in sorted(by_hash.items()):  # step 4
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
            else:
                shared.append(nodes)
        for nodes in shared:  # step 5
            paths = []
            for node in nodes:
                if node not in self.canonical.issued:
                    temporary = _Issuer("b")
                    temporary.issue(node)
                    paths.append(self.hash_n_degree(node, temporary))
            for _hash, issuer in sorted(paths, key=lambda result: result[0]):
                for existing in issuer.issued:
                    self.canonical.issue(existing)
        # Step 6. The quads are distinct and relabelling is one to one, so the lines are too.
        lines = relabelled_lines(self.quads, self.canonical.issued)
        lines.sort()
        return QuadsCanonicalization("".join(lines), self.canonical.issued)

    def hash_first_degree(self, node: str) -> str:
        """Hash First Degree Quads (section 4.6): ``node`` written ``_:a``, the others ``_:z``."""
        hash_ = self.first_degree.get(node)
        if hash_ is None:
            labels = self.first_degree_labels
            labels[node] = "_:a"
            lines = relabelled_lines(self.quads_of[node], labels)
            labels[node] = "_:z"
            lines.sort()
            hash_ = self.first_degree[node] = self.hash("".join(lines))
        return hash_

    def hash_related(self, related: str, quad: NQuad, issuer: _Issuer, position: str) -> str:
        """Hash Related Blank Node (section 4.7)."""
        identifier = self.canonical.issued.get(related) or issuer.issued.get(related)
        if identifier is None:
            identifier = self.hash_first_degree(related)
        predicate = quad[1] if position != "g" else ""
        return self.hash(position + predicate + identifier)

    def hash_n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """Hash N-Degree Quads (section 4.8), refusing poison graphs past the work limit."""
        self.n_degree_calls += 1
        if self.n_degree_calls > self.n_degree_limit:
            raise InputTooLarge(
                f"RDFC-1.0 work limit exceeded: more than {self.n_degree_limit} "
                "Hash N-Degree Quads calls"
            )
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.quads_of[node]:  # steps 2-3
            for index, position in _POSITIONS:
                term = quad[index]
                if term[:2] == "_:" and term != node:
                    related_hash = self.hash_related(term, quad, issuer, position)
                    related_by_hash.setdefault(related_hash, []).append(term)
        data = []
        for related_hash, related in sorted(related_by_hash.items()):  # step 5
            data.append(related_hash)
            chosen_path, chosen_issuer = self._choose_path(related, issuer)
            data.append(chosen_path)
            issuer = chosen_issuer
        return self.hash("".join(data)), issuer

    def _choose_path(self, related: list[str], issuer: _Issuer) -> tuple[str, Any]:
        """Section 4.8.3 step 5.4: the least path over the permutations of ``related``."""
        labels = [
            label
            for label in (
                self.canonical.issued.get(node) or issuer.issued.get(node) for node in related
            )
            if label is not None
        ]
        if len(labels) == len(related):
            # Every node already has an identifier: no permutation issues one or recurses, so
            # each path is a concatenation of the same labels and the least one is the order
            # where a + b <= b + a for neighbours (the least-concatenation order), found without
            # trying all n! permutations.
            return "".join(sorted(labels, key=_CONCATENATION_ORDER)), issuer.copy()
        chosen_path = ""
        chosen_issuer = None
        for permutation in permutations(related):
            issuer_copy = issuer.copy()
            path = ""
            recursion = []
            for node in permutation:
                canonical = self.canonical.issued.get(node)
                if canonical is not None:
                    path += canonical
                else:
                    if node not in issuer_copy.issued:
                        recursion.append(node)
                    path += issuer_copy.issue(node)
                if _longer(path, chosen_path):
                    break
            else:
                for node in recursion:
                    result_hash, issuer_copy = self.hash_n_degree(node, issuer_copy)
                    path += issuer_copy.issue(node) + "<" + result_hash + ">"
                    if _longer(path, chosen_path):
                        break
                else:
                    if not chosen_path or path < chosen_path:
                        chosen_path, chosen_issuer = path, issuer_copy
        return chosen_path, chosen_issuer


def _concatenation_compare(first: str, second: str) -> int:
    ab, ba = f"{first}{second}", f"{second}{first}"
    return (ab > ba) - (ab < ba)


_CONCATENATION_ORDER = cmp_to_key(_concatenation_compare)


def _longer(path: str, chosen_path: str) -> bool:
    """Section 4.8.3 steps 5.4.4.3 and 5.4.5.5: this permutation cannot give the least path."""
    return bool(chosen_path) and len(path) >= len(chosen_path) and path > chosen_path
