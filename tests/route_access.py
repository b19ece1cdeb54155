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
- ``staff``: a console session cookie (``issuers.console.staff``: ``StaffDep`` for pages,
  ``StaffFormDep`` for forms, which also checks the CSRF token);
- ``learner``: a wallet session cookie (``passport.wallet.web.signed_in``);
- ``oid4vci``: the pre-authorized code or the access token (OpenID4VCI 1.0 sections 6 and 8);
- ``metrics``: the metrics bearer token, or a loopback client when none is configured;
- ``oauth-client``: a client registered with the Open Badges API's authorization server, by
  HTTP Basic (``client_secret_basic``, OB 3.0 section 7.1.2);
- ``obapi:<scope>``: an OB 3.0 API access token that carries that scope (OB 3.0 section 6.1),
  which also names the one learner whose passport it opens.
"""

from __future__ import annotations

PUBLIC = "public"
ADMIN = "admin"
STAFF = "staff"
LEARNER = "learner"
OID4VCI = "oid4vci"
METRICS = "metrics"
OAUTH_CLIENT = "oauth-client"
OBAPI = "obapi:"
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
        # Issue 20 (operability): readiness for load balancers; the answer names no file or host.
        "GET /readyz",
        # issue 15 (journey): the demo and the claim page
        "GET /console",
        "GET /claim/{secret}",
        "GET /dev/mail",
        "GET /s/{token}/report.pdf",
        # Issue 17: the Open Badges API. Discovery MUST NOT be protected, registration is
        # open (OB 3.0 section 7.1.1, 7.1.2), the policy page is what discovery links to.
        "GET /ims/ob/v3p0/discovery",
        "POST /oauth2/register",
        "GET /passport/api-policy",
        # issue 15 (mailflows): confirming the e-mail address and resetting a forgotten
        # password; the token in the path is the capability (issuers.mail.tokens).
        "GET /passport/forgot",
        "POST /passport/forgot",
        "GET /passport/confirm/{email_token}",
        "POST /passport/confirm/{email_token}",
        "GET /passport/reset/{email_token}",
        "POST /passport/reset/{email_token}",
        "GET /console/forgot",
        "POST /console/forgot",
        "GET /console/confirm/{email_token}",
        "POST /console/confirm/{email_token}",
        "GET /console/reset/{email_token}",
        "POST /console/reset/{email_token}",
        # issue 13: the link mailed at sign-up makes the account; the token in the path and the
        # password chosen at sign-up are the capability (passport.wallet.signups).
        "GET /passport/signup/{email_token}",
        "POST /passport/signup/{email_token}",
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
        # Issue 16: the logo of the institution's badges.
        f"PUT {INSTITUTION_API}/logo",
        f"DELETE {INSTITUTION_API}/logo",
    ),
    "institution:manage_keys": (
        f"GET {INSTITUTION_API}/keys",
        f"POST {INSTITUTION_API}/keys/rotate",
        f"POST {INSTITUTION_API}/keys/revoke",
        # Issue 12: the awards of a compromised key, listed, revoked in bulk, re-issued.
        f"GET {INSTITUTION_API}/keys/affected-awards",
        f"POST {INSTITUTION_API}/keys/affected-awards/revoke",
        f"POST {INSTITUTION_API}/keys/affected-awards/reissue",
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
        # Issue 14 (portable): a learner's Comprehensive Learner Record.
        f"POST {INSTITUTION_API}/clr",
    ),
    "institution:revoke": (
        f"POST {INSTITUTION_API}/awards/{{award_id}}/status",
        f"GET {INSTITUTION_API}/audit",
    ),
    STAFF: (
        # issue 15 (mailflows): send the confirmation link again
        "POST /console/account/confirm",
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
        # issue 15 (journey): a cohort's claim links, a claim link emailed again
        "POST /console/batches/{batch_id}/claim-links.csv",
        "POST /console/awards/{award_id}/resend",
        "GET /console/batches/{batch_id}/progress.json",
        "GET /console/awards/{award_id}",
        "GET /console/awards/{award_id}/credential.{form}",
        "POST /console/awards/{award_id}/offer",
        # Issue 14 (portable): the award's learner's Comprehensive Learner Record.
        "POST /console/awards/{award_id}/clr",
        "GET /console/awards/{award_id}/status",
        "POST /console/awards/{award_id}/status",
    ),
    LEARNER: (
        # issue 15 (mailflows): send the confirmation link again
        "POST /passport/account/confirm",
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
        # issue 15 (journey): PDFs
        "POST /passport/credentials/{credential_id}/pdf",
        "POST /passport/summary.pdf",
        "GET /passport/shares",
        "POST /passport/shares",
        "POST /passport/shares/{share_id}/revoke",
        "GET /passport/shares/{share_id}/qr.{kind}",
        "GET /passport/respond/{request_id}",
        "POST /passport/respond/{request_id}",
        # Issue 17: the consent page and the learner's connected applications.
        "GET /oauth2/authorize",
        "POST /oauth2/authorize",
        "GET /passport/apps",
        "POST /passport/apps/revoke",
        # Issue 17: the learner's connections to other Hosts (the passport as a client).
        "GET /passport/hosts",
        "POST /passport/hosts",
        "GET /passport/hosts/callback",
        "GET /passport/hosts/connection",
        "POST /passport/hosts/pull",
        "POST /passport/hosts/push",
    ),
    OID4VCI: (
        "POST /oid4vci/token",
        "POST /oid4vci/credential",
    ),
    METRICS: ("GET /metrics",),
    # Issue 17: the OB 3.0 API, each operation with its scope (OB 3.0 section 6.1).
    OAUTH_CLIENT: ("POST /oauth2/token", "POST /oauth2/revoke"),
    f"{OBAPI}credential.readonly": ("GET /ims/ob/v3p0/credentials",),
    f"{OBAPI}credential.upsert": ("POST /ims/ob/v3p0/credentials",),
    f"{OBAPI}profile.readonly": ("GET /ims/ob/v3p0/profile",),
    f"{OBAPI}profile.update": ("PUT /ims/ob/v3p0/profile",),
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
    # Issue 17: the caller's own connected applications and connections to other Hosts.
    "GET /passport/apps",
    "GET /passport/hosts",
)

# Actions that change only the caller's own account or institution and name nothing else.
OWN_ACTIONS: dict[str, str] = {
    f"POST {INSTITUTION_API}/programs": "creates a program of the caller's institution",
    f"POST {INSTITUTION_API}/keys/rotate": "rotates the caller's own signing key",
    f"PUT {INSTITUTION_API}/logo": "sets the logo of the caller's own institution",
    f"DELETE {INSTITUTION_API}/logo": "removes the logo of the caller's own institution",
    # Issue 14: a CLR holds only the caller's institution's own awards of that email.
    f"POST {INSTITUTION_API}/clr": "issues a record of the caller's institution's own awards",
    "POST /console/logout": "ends the caller's own session",
    "POST /console/programs/new": "creates a program of the caller's institution",
    "POST /console/keys/rotate": "rotates the caller's own signing key",
    "POST /passport/logout": "ends the caller's own session",
    "POST /passport/account/delete": "deletes the caller's own account",
    # issue 15 (mailflows)
    "POST /passport/account/confirm": "mails a confirmation link to the caller's own address",
    "POST /console/account/confirm": "mails a confirmation link to the caller's own address",
    "POST /passport/import": "imports into the caller's own passport",
    "POST /passport/claim": "claims an offer by its secret, a capability (OpenID4VCI 1.0)",
    "POST /passport/collections": "creates a collection of the caller's own",
    # Issue 17. The authorization server's pages need https, which this plain-HTTP world has
    # not: tests/passport/obapi/test_isolation.py tries them with two learners over TLS.
    "GET /oauth2/authorize": "asks the caller's consent for the caller's own passport",
    "POST /oauth2/authorize": "grants access to the caller's own passport only",
    "POST /passport/apps/revoke": "disconnects an application from the caller's own passport",
    # A connection is found by the caller's learner id and its own id (another's is 404):
    # tests/passport/obapi/test_two_deployments.py and test_client_isolation.py.
    "POST /passport/hosts": "connects the caller's own passport to another Host",
    "GET /passport/hosts/callback": "finishes a connection by its state, the caller's own",
    "GET /passport/hosts/connection": "shows one of the caller's own connections",
    "POST /passport/hosts/pull": "pulls into the caller's own passport",
    "POST /passport/hosts/push": "pushes the caller's own credentials",
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
    # Issue 14: another institution's learner, by the email their award was issued to.
    f"POST {INSTITUTION_API}/clr": {"email": "learner@{slug}.example.ca"},
    f"POST {INSTITUTION_API}/awards/{{award_id}}/status": {"action": "revoke", "reason": "x"},
    f"POST {INSTITUTION_API}/api-keys/{{prefix}}/revoke": {"reason": "intrusion"},
    f"POST {INSTITUTION_API}/keys/revoke": {
        "key_id": "{key_id}",
        "compromised_since": "2025-01-01T00:00:00Z",
    },
    # Issue 12: another institution's key is 404, as for revoking it.
    f"GET {INSTITUTION_API}/keys/affected-awards": {"key_id": "{key_id}"},
    f"POST {INSTITUTION_API}/keys/affected-awards/revoke": {"key_id": "{key_id}", "reason": "x"},
    f"POST {INSTITUTION_API}/keys/affected-awards/reissue": {"key_id": "{key_id}"},
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
    "POST /passport/summary.pdf": {"credential": ["{credential_id}"]},
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
# Issue 17: the OB 3.0 API and the OAuth endpoints take a bearer token or client credentials,
# never a browser's cookie; the consent form (/oauth2/authorize) carries the wallet's token.
CSRF_FREE_PREFIXES = (
    "/api/",
    "/oid4vci/",
    "/ims/",
    "/oauth2/register",
    "/oauth2/token",
    "/oauth2/revoke",
)


def rule_of_every_route() -> dict[str, str]:
    """The table as ``{"METHOD /path": rule}``; raises if a route has two rules."""
    rules: dict[str, str] = {}
    for rule, routes in ACCESS_RULES.items():
        for route in routes:
            if route in rules:
                raise ValueError(f"{route} has two rules: {rules[route]} and {rule}")
            rules[route] = rule
    return rules
