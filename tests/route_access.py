"""Who may call each route of the application: the access table that ``test_route_access``
checks against ``create_app``'s routes (issue #8, "Access").

Every ``"METHOD /path/template"`` (and every ``"MOUNT /prefix"`` of static files) has exactly one
rule, so a new route without a rule fails the suite until someone decides who may call it:

- ``public``: anyone (portal pages, verify, DID documents, status lists, contexts, well-known
  metadata, capability URLs such as share pages, offers and presentation requests, health,
  OpenAPI, static files, and the sign-in forms themselves);
- ``admin``: the deployment admin bearer token (``issuers.deps.require_admin``);
- ``institution:<action>``: an institution API key with that action
  (``issuers.deps.require_institution_scope``);
- ``admin or institution:<action>``: either of the two above
  (``issuers.deps.require_admin_or_institution_scope``);
- ``staff``: a console session cookie (``issuers.console.require_staff``);
- ``learner``: a wallet session cookie (``passport.wallet.web.signed_in``);
- ``oid4vci``: the pre-authorized code or the access token (OpenID4VCI 1.0 sections 6 and 8);
- ``metrics``: the metrics bearer token, or a loopback client when none is configured.
"""

from __future__ import annotations

PUBLIC = "public"
ADMIN = "admin"
STAFF = "staff"
LEARNER = "learner"
OID4VCI = "oid4vci"
METRICS = "metrics"
INSTITUTION_API = "/api/v1/institutions/{slug}"

ACCESS_RULES: dict[str, tuple[str, ...]] = {
    PUBLIC: (
        "GET /",
        "GET /healthz",
        "GET /openapi.json",
        "HEAD /openapi.json",
        "MOUNT /static",
        "MOUNT /static/verifier",
        "GET /console/static/batch_progress.js",
        "POST /api/v1/verify",
        "GET /verify",
        "POST /verify",
        "GET /issuers/{slug}",
        "GET /issuers/{slug}/did.json",
        "GET /issuers/{slug}/jwks.json",
        "GET /issuers/{slug}/programs/{program_slug}",
        "GET /employers/{slug}/did.json",
        "GET /contexts/learner-passport/v1.jsonld",
        "GET /status/{list_id}",
        "GET /.well-known/openid-credential-issuer",
        "GET /.well-known/oauth-authorization-server",
        # The offer secret in the URL is the capability (OpenID4VCI 1.0 section 4.1.3).
        "GET /oid4vci/offers/{secret}",
        "GET /oid4vci/offers/{secret}/qr.{kind}",
        # Nonce endpoint: unauthenticated by design (OpenID4VCI 1.0 section 7).
        "POST /oid4vci/nonce",
        "GET /programs",
        "GET /programs/{institution_slug}/{program_slug}",
        "GET /programs/{institution_slug}/{program_slug}/sample.json",
        "GET /institutions",
        "GET /institutions/{slug}",
        "GET /occupations",
        "GET /occupations/{code}",
        "GET /api/v1/programs",
        "GET /api/v1/programs/{institution_slug}/{program_slug}",
        "GET /sitemap.xml",
        "GET /s/{token}",
        "GET /s/{token}/{number}/{requested}",
        # An employer's presentation request: the viewer key in the query is the capability,
        # and any wallet may answer it (OpenID4VP 1.0 section 8.2 direct_post).
        "GET /presentation-requests/new",
        "POST /presentation-requests",
        "GET /presentation-requests/{request_id}",
        "POST /presentation-requests/{request_id}/response",
        "GET /console/login",
        "POST /console/login",
        "GET /passport/signup",
        "POST /passport/signup",
        "GET /passport/login",
        "POST /passport/login",
    ),
    ADMIN: (
        "POST /api/v1/institutions",
        f"POST {INSTITUTION_API}/staff",
        f"POST {INSTITUTION_API}/api-keys",
        "POST /api/v1/employers",
    ),
    "institution:manage_programs": (
        f"GET {INSTITUTION_API}/programs",
        f"POST {INSTITUTION_API}/programs",
        f"GET {INSTITUTION_API}/programs/{{program_slug}}",
        f"PUT {INSTITUTION_API}/programs/{{program_slug}}",
        f"GET {INSTITUTION_API}/programs/{{program_slug}}/endorsements",
        f"POST {INSTITUTION_API}/programs/{{program_slug}}/endorsements",
    ),
    "institution:manage_keys": (
        f"GET {INSTITUTION_API}/keys",
        f"POST {INSTITUTION_API}/keys/rotate",
        f"POST {INSTITUTION_API}/keys/revoke",
    ),
    "admin or institution:manage_api_keys": (
        f"GET {INSTITUTION_API}/api-keys",
        f"POST {INSTITUTION_API}/api-keys/{{prefix}}/revoke",
    ),
    "institution:issue": (
        f"POST {INSTITUTION_API}/programs/{{program_slug}}/awards",
        f"GET {INSTITUTION_API}/awards",
        f"GET {INSTITUTION_API}/awards/{{award_id}}",
        f"GET {INSTITUTION_API}/awards/{{award_id}}/credential.{{form}}",
        f"POST {INSTITUTION_API}/awards/{{award_id}}/offers",
        f"POST {INSTITUTION_API}/programs/{{program_slug}}/batches",
        f"GET {INSTITUTION_API}/batches/{{batch_id}}",
    ),
    "institution:revoke": (
        f"POST {INSTITUTION_API}/awards/{{award_id}}/status",
        f"GET {INSTITUTION_API}/audit",
    ),
    STAFF: (
        "POST /console/logout",
        "GET /console/programs",
        "GET /console/programs/new",
        "POST /console/programs/new",
        "GET /console/programs/{program_slug}/edit",
        "POST /console/programs/{program_slug}/edit",
        "GET /console/keys",
        "POST /console/keys/rotate",
        "GET /console/awards",
        "GET /console/audit",
        "GET /console/awards/new",
        "POST /console/awards/new",
        "GET /console/batches/new",
        "POST /console/batches/new",
        "GET /console/batches/{batch_id}",
        "GET /console/batches/{batch_id}/progress.json",
        "GET /console/awards/{award_id}",
        "GET /console/awards/{award_id}/credential.{form}",
        "POST /console/awards/{award_id}/offer",
        "GET /console/awards/{award_id}/status",
        "POST /console/awards/{award_id}/status",
    ),
    LEARNER: (
        "POST /passport/logout",
        "GET /passport/account/delete",
        "POST /passport/account/delete",
        "GET /passport",
        "GET /passport/credentials/{credential_id}",
        "GET /passport/credentials/{credential_id}/download/{requested}",
        "POST /passport/credentials/{credential_id}/delete",
        "POST /passport/credentials/{credential_id}/linkedin",
        "POST /passport/credentials/{credential_id}/collections",
        "GET /passport/import",
        "POST /passport/import",
        "GET /passport/claim",
        "POST /passport/claim",
        "POST /passport/collections",
        "GET /passport/collections/{collection_id}",
        "POST /passport/collections/{collection_id}/delete",
        "GET /passport/export.zip",
        "POST /passport/presentation",
        "POST /passport/print",
        "GET /passport/shares",
        "POST /passport/shares",
        "POST /passport/shares/{share_id}/revoke",
        "GET /passport/shares/{share_id}/qr.{kind}",
        "GET /passport/respond/{request_id}",
        "POST /passport/respond/{request_id}",
    ),
    OID4VCI: (
        "POST /oid4vci/token",
        "POST /oid4vci/credential",
    ),
    METRICS: ("GET /metrics",),
}

# Plausible values for the path parameters of the routes that need credentials.
DUMMY_PATH_VALUES: dict[str, str] = {
    "slug": "college-nord",
    "program_slug": "welding-basics",
    "award_id": "0190c3a4-5b6d-7e8f-9a0b-1c2d3e4f5a6b",
    "batch_id": "0190c3a4-5b6d-7e8f-9a0b-1c2d3e4f5a6c",
    "credential_id": "0190c3a4-5b6d-7e8f-9a0b-1c2d3e4f5a6d",
    "collection_id": "0190c3a4-5b6d-7e8f-9a0b-1c2d3e4f5a6e",
    "share_id": "0190c3a4-5b6d-7e8f-9a0b-1c2d3e4f5a6f",
    "request_id": "0190c3a4-5b6d-7e8f-9a0b-1c2d3e4f5a70",
    "form": "json",
    "kind": "png",
    "requested": "json",
    "prefix": "lpk_0123456789ab",
}

# JSON bodies for the routes whose body is validated before the credentials are looked at, so
# the check reaches the credentials (an empty body would be refused with 422 first).
DUMMY_JSON_BODIES: dict[str, object] = {
    f"POST {INSTITUTION_API}/api-keys/{{prefix}}/revoke": {"reason": "leaked"},
    "POST /oid4vci/credential": {"credential_configuration_id": "welding-basics"},
}


# Cross-tenant access (tests/test_route_isolation.py): every route of an institution or a
# learner is requested with ANOTHER tenant's valid credentials. A route with one of these in
# its path is tried with the first tenant's ids; an institution route is also tried on the
# first institution's slug. Every other route of a tenant must be in exactly one of the three
# tables below, so a new route fails the suite until someone decides how it is tried.
RESOURCE_PARAMETERS = frozenset(
    {"program_slug", "award_id", "batch_id", "credential_id", "collection_id", "share_id", "prefix"}
)

# Pages of the caller's own data: 200 for the caller, without a trace of anyone else's.
OWN_DATA_PAGES: tuple[str, ...] = (
    f"GET {INSTITUTION_API}/programs",
    f"GET {INSTITUTION_API}/awards",
    f"GET {INSTITUTION_API}/audit",
    f"GET {INSTITUTION_API}/keys",
    f"GET {INSTITUTION_API}/api-keys",
    "GET /console/programs",
    "GET /console/programs/new",
    "GET /console/keys",
    "GET /console/awards",
    "GET /console/audit",
    "GET /console/awards/new",
    "GET /console/batches/new",
    "GET /passport",
    "GET /passport/account/delete",
    "GET /passport/import",
    "GET /passport/claim",
    "GET /passport/export.zip",
    "GET /passport/shares",
    # The employer's request is anyone's to answer (OpenID4VP); the page lists only the
    # caller's own credentials to choose from.
    "GET /passport/respond/{request_id}",
)

# Actions that change only the caller's own account or institution and name nothing else.
OWN_ACTIONS: dict[str, str] = {
    f"POST {INSTITUTION_API}/programs": "creates a program of the caller's institution",
    f"POST {INSTITUTION_API}/keys/rotate": "rotates the caller's own signing key",
    "POST /console/logout": "ends the caller's own session",
    "POST /console/programs/new": "creates a program of the caller's institution",
    "POST /console/keys/rotate": "rotates the caller's own signing key",
    "POST /passport/logout": "ends the caller's own session",
    "POST /passport/account/delete": "deletes the caller's own account",
    "POST /passport/import": "imports into the caller's own passport",
    "POST /passport/claim": "claims an offer by its secret, a capability (OpenID4VCI 1.0)",
    "POST /passport/collections": "creates a collection of the caller's own",
}

# Bodies that take a request past validation to the ownership check: JSON for the API, form
# fields for pages (bytes are a file upload), query parameters for GET. ``{name}`` is filled
# with the tenant's ids, so the routes without an id in their path that name one here are
# tried with the first tenant's.
TENANT_BODIES: dict[str, dict[str, object]] = {
    "GET /passport/shares/{share_id}/qr.{kind}": {"t": "{share_token}"},
    f"POST {INSTITUTION_API}/programs/{{program_slug}}/awards": {
        "name": "Intruder",
        "email": "intruder@example.ca",
    },
    f"PUT {INSTITUTION_API}/programs/{{program_slug}}": {
        "name_en": "Hijacked",
        "hours": 1,
        "delivery_mode": "online",
    },
    f"POST {INSTITUTION_API}/programs/{{program_slug}}/endorsements": {
        "employer_slug": "acme",
        "comment": "Hijacked",
    },
    f"POST {INSTITUTION_API}/awards/{{award_id}}/offers": {"tx_code": False},
    f"POST {INSTITUTION_API}/awards/{{award_id}}/status": {"action": "revoke", "reason": "x"},
    f"POST {INSTITUTION_API}/api-keys/{{prefix}}/revoke": {"reason": "intrusion"},
    f"POST {INSTITUTION_API}/keys/revoke": {
        "key_id": "{key_id}",
        "compromised_since": "2025-01-01T00:00:00Z",
    },
    "POST /console/programs/{program_slug}/edit": {
        "name_en": "Hijacked",
        "hours": "1",
        "delivery_mode": "online",
    },
    "POST /console/awards/new": {
        "program": "{program_slug}",
        "name": "Intruder",
        "email": "intruder@example.ca",
    },
    "POST /console/batches/new": {
        "program": "{program_slug}",
        "cohort": b"external_id,name,email\nX-1,Intruder,intruder@example.ca\n",
    },
    "POST /console/awards/{award_id}/status": {"action": "revoke", "reason": "not yours"},
    "POST /passport/credentials/{credential_id}/collections": {"collection": ["{collection_id}"]},
    "POST /passport/shares": {"credential": ["{credential_id}"], "expires": "7"},
    "POST /passport/presentation": {"credential": ["{credential_id}"]},
    "POST /passport/print": {"credential": ["{credential_id}"]},
    "POST /passport/respond/{request_id}": {"credential": ["{credential_id}"]},
}
# The API's CSV upload is a text/csv body, not JSON.
TENANT_CSV_BODIES: dict[str, bytes] = {
    f"POST {INSTITUTION_API}/programs/{{program_slug}}/batches": (
        b"external_id,name,email\nX-1,Intruder,intruder@example.ca\n"
    ),
}

# Forms of pages that change nothing, or that no browser session sends: no CSRF token needed.
# Every other POST outside /api/ and /oid4vci/ must refuse a request without one.
CSRF_EXEMPT: dict[str, str] = {
    "POST /verify": "verifying changes nothing and needs no session",
    "POST /presentation-requests/{request_id}/response": (
        "a wallet's direct_post (OpenID4VP 1.0 section 8.2), bound by the request's nonce"
    ),
}
CSRF_FREE_PREFIXES = ("/api/", "/oid4vci/")


def rule_of_every_route() -> dict[str, str]:
    """The table as ``{"METHOD /path": rule}``; raises if a route has two rules."""
    rules: dict[str, str] = {}
    for rule, routes in ACCESS_RULES.items():
        for route in routes:
            if route in rules:
                raise ValueError(f"{route} has two rules: {rules[route]} and {rule}")
            rules[route] = rule
    return rules
