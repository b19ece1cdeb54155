"""Pulling a learner's credentials from another Host, and pushing chosen ones to it.

Pulled credentials go through ``holdings.add_credential`` exactly like an import: each one is
verified, one that does not verify is refused (and counted), one already in the passport is
left alone. Pushed ones are sent as they are stored: JSON, or the compact JWS as text/plain
(OpenAPI ``upsertCredential``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from credentials import PassportError
from infra import N_
from passport.obapi.client import (
    MAX_PAGES,
    PAGE_SIZE,
    SOURCE,
    HostRefused,
    Remote,
    access_token,
    checked,
    host_of,
)
from passport.obapi.tables import RemoteGrant
from passport.wallet import holdings
from passport.wallet.display import credential_text
from passport.wallet.tables import Learner, StoredCredential


@dataclass(frozen=True)
class Transfer:
    """How a pull or a push went: credentials added (or created), already there (or
    replaced), and refused."""

    added: int
    kept: int
    refused: int


def pull(remote: Remote, learner: Learner, grant: RemoteGrant, verify: holdings.Verify) -> Transfer:
    """Every credential the Host holds for the learner, into the passport."""
    host = host_of(remote, grant)
    token = access_token(remote, grant)
    added = kept = refused = 0
    for page in range(MAX_PAGES):
        query = urlencode({"limit": PAGE_SIZE, "offset": page * PAGE_SIZE})
        answer = remote.http.send("GET", f"{host.api_url}/credentials?{query}", bearer=token)
        body = checked(answer, (200,), "getCredentials")
        items = _items(body)
        for data in items:
            try:
                holdings.add_credential(
                    remote.session, learner, data, verify, source=SOURCE, now=remote.now
                )
            except holdings.DuplicateCredential:
                kept += 1
            except PassportError:
                refused += 1
            else:
                added += 1
        if len(items) < PAGE_SIZE:
            break
    return Transfer(added, kept, refused)


def _items(body: dict[str, Any]) -> list[bytes]:
    documents = body.get("credential", [])
    tokens = body.get("compactJwsString", [])
    if not isinstance(documents, list) or not isinstance(tokens, list):
        raise HostRefused(N_("the other Host's list of credentials is not usable"))
    return [
        *(json.dumps(item).encode() for item in documents if isinstance(item, dict)),
        *(item.encode() for item in tokens if isinstance(item, str)),
    ]


def push(remote: Remote, grant: RemoteGrant, credentials: list[StoredCredential]) -> Transfer:
    """Send ``credentials`` to the Host: 201 created, 200 replaced, anything else refused."""
    host = host_of(remote, grant)
    token = access_token(remote, grant)
    created = replaced = refused = 0
    for stored in credentials:
        text = credential_text(stored)
        is_json = text.startswith("{")
        answer = remote.http.send(
            "POST",
            f"{host.api_url}/credentials",
            content=text.encode(),
            content_type="application/json" if is_json else "text/plain",
            bearer=token,
        )
        if answer.status == 201:
            created += 1
        elif answer.status == 200:
            replaced += 1
        else:
            refused += 1
    return Transfer(created, replaced, refused)
