"""Two tenants of one served deployment, built through its own API and pages, for the
cross-tenant access tests (tests/test_route_isolation.py).

Each tenant is an institution (an API key with every action, a console session, a program, an
award, a batch, its signing key) and a learner (a session, a credential, a collection, a share
link). Each tenant's names carry its own ``marker``, so a page that shows another tenant's data
is caught by that word; ``ids`` fill the path parameters of ``tests/route_access.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import httpx

from tests.issuers.test_award_console import PASSWORD, logged_in, staff_email
from tests.passport.wallet.support import Learner, Mailbox, Visitor, signed_credential
from tests.verifier.support import Issuer

ADMIN_TOKEN = "route-isolation-admin-token"
ALL_ACTIONS = ["manage_programs", "manage_keys", "issue", "revoke", "manage_api_keys"]
COHORT = "external_id,name,email\n{marker}-1,{marker} Cohort,cohort@{slug}.example.ca\n"
SHARE_ID = re.compile(r'data-share="([0-9a-f-]{36})"')
# ``email_token``: a well-shaped unknown token (issue 15's emailed links); no check tried here
# depends on it being valid, the CSRF check comes first.
FORMATS = {"form": "json", "kind": "png", "requested": "json", "email_token": "0" * 43}


@dataclass
class Tenant:
    """One institution and one learner, and what they own."""

    slug: str
    marker: str
    api: httpx.Client
    staff: httpx.Client
    learner: Learner
    ids: dict[str, str] = field(default_factory=dict)

    def path(self, template: str, ids: dict[str, str] | None = None) -> str:
        """``template`` with its parameters filled from ``ids`` (this tenant's by default)."""
        values = {**FORMATS, **(self.ids if ids is None else ids)}
        return re.sub(r"\{(\w+)\}", lambda match: values[match.group(1)], template)

    @property
    def secrets(self) -> tuple[str, ...]:
        """What no one else may ever be shown: the names and the ids of this tenant's data."""
        ids = [value for name, value in self.ids.items() if name not in ("slug", "request_id")]
        return (self.marker, *ids)

    def close(self) -> None:
        for client in (self.api, self.staff, self.learner):
            client.close()


def _created(response: httpx.Response) -> dict[str, object]:
    assert response.status_code in (201, 202), response.text
    body: dict[str, object] = response.json()
    return body


def _institution(admin: httpx.Client, slug: str, marker: str) -> str:
    """Create the institution, its console user and an API key; returns the key."""
    api = f"/api/v1/institutions/{slug}"
    _created(
        admin.post(
            "/api/v1/institutions",
            json={
                "slug": slug,
                "legal_name_en": f"{marker} College",
                "legal_name_fr": f"Collège {marker}",
                "kind": "college",
                "website": f"https://{slug}.example.ca",
                "contact_email": f"registrar@{slug}.example.ca",
            },
        )
    )
    _created(admin.post(f"{api}/staff", json={"email": staff_email(slug), "password": PASSWORD}))
    key = _created(admin.post(f"{api}/api-keys", json={"label": "all", "actions": ALL_ACTIONS}))
    return str(key["key"])


def _institution_data(tenant: Tenant) -> None:
    api, slug, marker = f"/api/v1/institutions/{tenant.slug}", tenant.slug, tenant.marker
    program = f"{slug}-program"
    _created(
        tenant.api.post(
            f"{api}/programs",
            json={
                "slug": program,
                "name_en": f"{marker} Welding",
                "hours": 40,
                "delivery_mode": "in_person",
            },
        )
    )
    award = _created(
        tenant.api.post(
            f"{api}/programs/{program}/awards",
            json={"name": f"{marker} Learner", "email": f"learner@{slug}.example.ca"},
        )
    )
    batch = _created(
        tenant.api.post(
            f"{api}/programs/{program}/batches",
            params={"filename": "cohort.csv"},
            content=COHORT.format(marker=marker, slug=slug).encode(),
            headers={"Content-Type": "text/csv"},
        )
    )
    keys = tenant.api.get(f"{api}/keys").json()
    tenant.ids |= {
        "slug": slug,
        "program_slug": program,
        "award_id": str(award["id"]),
        "batch_id": str(batch["batch_id"]),
        "key_id": str(keys[0]["id"]),
    }


def _learner_data(tenant: Tenant) -> None:
    learner = tenant.learner
    credential = learner.import_credential(
        signed_credential(Issuer(), subject=learner.did, name=f"{tenant.marker} Credential")
    )
    collection = learner.post("/passport/collections", {"name": f"{tenant.marker} Collection"})
    link = learner.share([credential])
    share = SHARE_ID.search(learner.get("/passport/shares").text)
    assert share is not None
    tenant.ids |= {
        "credential_id": credential,
        "collection_id": collection.headers["location"].rsplit("/", 1)[1],
        "share_id": share[1],
        "share_token": link.removeprefix("/s/"),
    }


def employer_request(base_url: str) -> str:
    """An employer's presentation request (a public page); returns its id."""
    employer = Visitor(base_url)
    try:
        made = employer.post("/presentation-requests", csrf_from="/presentation-requests/new")
        assert made.status_code == 303, made.text
        return made.headers["location"].removeprefix("/presentation-requests/").split("?")[0]
    finally:
        employer.close()


def make_tenant(
    base_url: str, slug: str, marker: str, request_id: str, mailbox: Mailbox | None = None
) -> Tenant:
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    ) as admin:
        key = _institution(admin, slug, marker)
    tenant = Tenant(
        slug=slug,
        marker=marker,
        api=httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30),
        staff=logged_in(base_url, slug),
        learner=Learner(base_url, mailbox=mailbox),
        ids={"request_id": request_id, "prefix": key.partition(".")[0]},
    )
    _institution_data(tenant)
    _learner_data(tenant)
    return tenant
