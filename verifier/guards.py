"""Two guards the networked verifier puts around the pipeline, for input from strangers.

1. Breadth: ``credentials.jsonio`` caps size and depth, but a 1 MiB document can still hold an
   array of 200,000 empty objects, and validation costs grow faster than linearly with the number
   of errors it reports. ``refuse_huge_arrays`` refuses, before any work, an array longer than any
   credential needs (``InputTooLarge``, 413).
2. Contexts: VC Data Integrity 1.0 section 4.6 ("Contexts and Vocabularies") asks verifiers to
   accept only contexts they know. An RDFC proof enforces this through the offline document
   loader, but eddsa-jcs-2022 (section 3.3.2, "Verify Proof") lets a document append contexts after
   the proof's, and a JWT payload is not JSON-LD-processed at all: so a context we do not hold, or
   an inline context, could change what the terms mean without touching the signature.
   ``unknown_context_check`` reports that as a failed ``format`` check naming the context.
"""

from __future__ import annotations

from typing import Any

from credentials.contexts import is_bundled
from credentials.errors import InputTooLarge
from credentials.report import Check, Outcome

# The pipeline reads at most 500 credentials of a CLR; real alignments and results are dozens.
MAX_ARRAY_ITEMS = 2_000


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


def refuse_huge_arrays(document: Any, max_items: int = MAX_ARRAY_ITEMS) -> None:
    for node in _containers(document):
        if isinstance(node, list) and len(node) > max_items:
            raise InputTooLarge(f"an array of {len(node)} items; the limit is {max_items}")


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
