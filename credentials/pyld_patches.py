"""A processed-context cache for pyld 3.3 that hits, written so that it could be offered upstream.

pyld keeps processed (active) contexts in ``ResolvedContext.cache``, keyed by the ``_uuid`` of the
context they were processed against. Two things defeat it on every Verifiable Credential:

- a type-scoped context (``propagate: false``, JSON-LD 1.1 section 4.1.2 step 4) is processed
  against a fresh clone of the active context that carries the ``previousContext``; the clone gets
  a new ``_uuid`` each time, so the cache misses and pyld processes the whole type-scoped context
  again for every node with a type (VC 2.0 and OB 3.0 have one for almost every class);
- every context object (a scoped context, or a remote context document) is looked up in the
  resolver's cache under its JCS serialization, which pyld recomputes on every lookup, and a
  remote context without a cache ``tag`` is fetched from the document loader again on every call.

``CachingJsonLdProcessor`` memoizes ``_process_context`` in a ``ProcessedContextCache`` keyed by the
identity of the active context and of the local context. Identity is a sound key only for objects
nobody mutates, so the cache memoizes only what it can prove immutable: an active context is
*trusted* if this cache produced it (or it is pyld's frozen initial context), and a local context
is memoized if it is a URL, a list of URLs, or a scoped context found in the term definitions of
a trusted context (those come from documents the document loader handed to pyld, never from the
caller). Contexts embedded in a caller's document take pyld's own path. One cache belongs to one
document loader, since a URL's meaning depends on the loader.
"""

from __future__ import annotations

from typing import Any

from pyld import jsonld

# Entries (and trusted contexts) kept before the cache starts again from empty: the four benchmark
# inputs (OB 3.0, CLR 2.0 with embedded credentials) need 42 together; each entry holds a copy of
# a context's term definitions (tens of KB), so the bound also bounds memory.
DEFAULT_MAX_ENTRIES = 1024


class ProcessedContextCache:
    """Processed contexts by (active context, local context, flags), for one document loader."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        self._trusted: dict[int, Any] = {}
        self._owned_scoped: dict[int, Any] = {}

    def trust(self, active_ctx: Any) -> None:
        """Mark a processed context as produced from immutable inputs (kept alive while cached)."""
        if id(active_ctx) in self._trusted:
            return
        if len(self._trusted) >= self.max_entries:
            self.clear()
        self._trusted[id(active_ctx)] = active_ctx
        for mapping in active_ctx["mappings"].values():
            scoped = mapping.get("@context") if mapping else None
            if isinstance(scoped, dict):
                self._owned_scoped[id(scoped)] = scoped

    def is_trusted(self, active_ctx: Any) -> bool:
        return self._trusted.get(id(active_ctx)) is active_ctx

    def local_key(self, local_ctx: Any) -> Any:
        """The identity key of a local context that cannot change, or None."""
        if isinstance(local_ctx, str):
            return local_ctx
        if isinstance(local_ctx, list) and all(isinstance(item, str) for item in local_ctx):
            return tuple(local_ctx)
        if isinstance(local_ctx, dict) and self._owned_scoped.get(id(local_ctx)) is local_ctx:
            return ("scoped", id(local_ctx))
        return None

    def get(self, key: tuple[Any, ...], active_ctx: Any) -> Any:
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] is active_ctx else None

    def put(self, key: tuple[Any, ...], active_ctx: Any, processed: Any) -> None:
        if len(self._entries) >= self.max_entries:
            self.clear()
            self.trust(active_ctx)
        self._entries[key] = (active_ctx, processed)
        self.trust(processed)

    def clear(self) -> None:
        self._entries.clear()
        self._trusted.clear()
        self._owned_scoped.clear()


class CachingJsonLdProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with ``_process_context`` memoized in a ``ProcessedContextCache``."""

    def __init__(self, cache: ProcessedContextCache, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.context_cache = cache

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        cache = self.context_cache
        if active_ctx is jsonld.INITIAL_CONTEXTS.get(active_ctx.get("processingMode")):
            cache.trust(active_ctx)
        local_key = cache.local_key(local_ctx)
        if cycles or local_key is None or not cache.is_trusted(active_ctx):
            return super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )
        key = (
            id(active_ctx),
            local_key,
            override_protected,
            propagate,
            validate_scoped,
            options.get("base"),
            options.get("processingMode"),
        )
        processed = cache.get(key, active_ctx)
        if processed is None:
            processed = super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped
            )
            cache.put(key, active_ctx, processed)
        return processed
