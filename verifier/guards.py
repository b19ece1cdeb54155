"""Two guards the networked verifier puts around the pipeline, for input from strangers.

1. Breadth: ``credentials.jsonio`` caps size and depth, but a 1 MiB document can still hold an
   array of 200,000 empty objects, and validation costs grow faster than linearly with the number
   of errors it reports. ``refuse_oversized`` refuses, before any work, an array longer than any
   credential needs (``InputTooLarge``, 413).
2. Work: each proof may name a key to fetch and each member (a credential in a presentation or a
   CLR, an endorsement) is a verification of its own. ``refuse_oversized`` also refuses, before
   any work, a document with more proofs on one object than ``MAX_PROOFS`` or more members in all
   than ``MAX_MEMBERS`` (``InputTooLarge``, 413); the fetch budget (``infra.fetch.budget``) bounds
   what the accepted ones may fetch.
3. Contexts: VC Data Integrity 1.0 section 4.6 ("Contexts and Vocabularies") asks verifiers to
   accept only contexts they know. An RDFC proof enforces this through the offline document
   loader, but eddsa-jcs-2022 (section 3.3.2, "Verify Proof") lets a document append contexts after
   the proof's, and a JWT payload is not JSON-LD-processed at all: so a context we do not hold, or
   an inline context, could change what the terms mean without touching the signature.
   ``unknown_context_check`` reports that as a failed ``format`` check naming the context.
"""

from __future__ import annotations

from typing import Any

from credentials import Check, InputTooLarge, Outcome, is_bundled

# The pipeline reads at most 500 credentials of a CLR; real alignments and results are dozens.
MAX_ARRAY_ITEMS = 2_000
# A proof set or chain (VC DI 1.0 sections 2.1.1, 2.1.2) has a few proofs; one is the norm.
MAX_PROOFS = 8
# Credentials in a presentation or CLR and endorsements, counted over the whole document.
MAX_MEMBERS = 200
MEMBER_NAMES = ("verifiableCredential", "endorsement", "endorsementJwt")


def _containers(document: Any) -> list[Any]:
    stack: list[Any] = [document]
    seen: list[Any] = []
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            seen.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            seen.append(node)
            stack.extend(node)
    return seen


def refuse_oversized(document: Any, max_items: int = MAX_ARRAY_ITEMS) -> None:
    """``InputTooLarge`` for an array of more than ``max_items``, more than ``MAX_PROOFS``
    proofs on one object or more than ``MAX_MEMBERS`` embedded credentials and endorsements in
    all (guards 1 and 2 of the module docstring, in one walk: it runs on every input)."""
    members = 0
    for node in _containers(document):
        if isinstance(node, list):
            if len(node) > max_items:
                raise InputTooLarge(f"an array of {len(node)} items; the limit is {max_items}")
            continue
        proofs = node.get("proof")
        if isinstance(proofs, list) and len(proofs) > MAX_PROOFS:
            raise InputTooLarge(f"{len(proofs)} proofs on one object; the limit is {MAX_PROOFS}")
        for name in MEMBER_NAMES:
            value = node.get(name)
            members += len(value) if isinstance(value, list) else int(value is not None)
    if members > MAX_MEMBERS:
        raise InputTooLarge(
            f"{members} embedded credentials and endorsements; the limit is {MAX_MEMBERS}"
        )


def _unknown_contexts(document: Any) -> list[str]:
    unknown: list[str] = []
    for node in _containers(document):
        if not isinstance(node, dict) or "@context" not in node:
            continue
        value = node["@context"]
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str):
                unknown.append("an inline context definition")
            elif not is_bundled(item):
                unknown.append(item)
    return unknown


def unknown_context_check(document: Any) -> Check | None:
    """A failed ``format`` check naming the first context we do not hold, or None."""
    unknown = _unknown_contexts(document)
    if not unknown:
        return None
    reason = f"it uses a JSON-LD context this verifier does not hold: {unknown[0]}"
    return Check.of("format", Outcome.FAILED, "format.invalid", reason=reason)
