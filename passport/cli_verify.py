"""What ``passport verify`` verifies against: the same sources as the server, where configured.

- With a database (``--database-url`` or ``PASSPORT_DATABASE_URL``), the deployment's own DID
  documents, key records, status lists and institutions come from it through the server's own
  resolver (``passport.own_documents.DeploymentDocuments``), so the CLI and the server agree on
  every credential the deployment issued. It must be migrated; it is only read (a status list
  whose bits changed is signed and stored, as the server would on its next fetch).
- With a registry (``--registry FILE`` / ``--trusted-key``, or the server's
  ``PASSPORT_REGISTRY_FILES`` / ``PASSPORT_TRUSTED_REGISTRY_KEYS``), issuers are named from it;
  the deployment's own institutions always are when a database is configured.
- Everything else stays offline: did:key locally, documents and lists given as files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from credentials import offline_resolver
from infra import DatabaseUnavailable, create_database_engine, redacted_url
from passport.app import master_key_source
from passport.database import require_current_database
from passport.own_documents import DeploymentDocuments
from passport.settings import Settings
from verifier import (
    OfflineStatusLists,
    OwnFirstResolver,
    OwnFirstStatusLists,
    VerificationContext,
    configured_registry,
)

DATABASE_VARIABLE = "PASSPORT_DATABASE_URL"


@contextmanager
def cli_context(
    now: datetime,
    *,
    documents: Mapping[str, Mapping[str, Any]],
    status_lists: OfflineStatusLists,
    registry_files: list[Path] | None,
    trusted_keys: list[str] | None,
    database_url: str | None,
    allow_published_test_keys: bool,
) -> Iterator[VerificationContext]:
    """The verification context of one CLI run; ``PassportError`` (exit 2) when a configured
    registry or database cannot be used."""
    offline = offline_resolver(documents)
    url = database_url or os.environ.get(DATABASE_VARIABLE)
    if not url:
        yield VerificationContext(
            now=now,
            resolver=offline,
            status_lists=status_lists,
            trust_registry=configured_registry(registry_files, trusted_keys),
            allow_published_test_keys=allow_published_test_keys,
        )
        return
    settings = Settings(database_url=url)
    engine = create_database_engine(url)
    try:
        try:
            require_current_database(engine)
        except SQLAlchemyError as error:
            raise DatabaseUnavailable(
                f"cannot use the database {redacted_url(url)}: {type(error).__name__}"
            ) from None
        own = DeploymentDocuments(engine, master_key_source(settings).get, settings.base_url)
        yield VerificationContext(
            now=now,
            resolver=OwnFirstResolver(own, offline),
            status_lists=OwnFirstStatusLists(own, status_lists, now),
            trust_registry=configured_registry(registry_files, trusted_keys, [own]),
            allow_published_test_keys=allow_published_test_keys,
            own_records=own,
        )
    finally:
        engine.dispose()
