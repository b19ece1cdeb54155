"""The canonicalization before issue 7, kept as the benchmarks' baseline: stock pyld 3.3.

pyld's own processor, without the processed-context cache of ``credentials.pyld_patches`` and
without the fast path, with the same safe-mode checks and the same RDFC-1.0 step as
``credentials.canonical`` (so that it is correct, and only slower).
"""

from __future__ import annotations

from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from credentials.canonical import rdfc10
from credentials.contexts import document_loader
from credentials.jsonld_safe_mode import (
    RELATIVE_BASE,
    passport_error_of,
    refuse_dropped_term,
    require_safe_iris,
)
from credentials.proofs.eddsa_rdfc_2022 import EddsaRdfc2022

_CONTEXT_CACHE: LRUCache[Any, Any] = LRUCache(maxsize=64)


class _StockSafeModeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(on_property_dropped=refuse_dropped_term)

    def expand(self, input_: Any, options: dict[str, Any]) -> Any:
        expanded = super().expand(input_, options)
        require_safe_iris(expanded)
        return expanded


def stock_canonicalize_jsonld(document: dict[str, Any]) -> str:
    options = {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_CONTEXT_CACHE, document_loader),
        "base": RELATIVE_BASE,
        "produceGeneralizedRdf": False,
    }
    try:
        dataset = _StockSafeModeProcessor().to_rdf(document, options)
    except jsonld.JsonLdError as exc:
        raise passport_error_of(exc) from None
    return rdfc10(dataset).nquads


STOCK_SUITE = EddsaRdfc2022(stock_canonicalize_jsonld)
