"""The Open Badges API's scopes (OB 3.0 section 6.1, "Scopes") and its URL prefix.

>>> OB_V3P0.scope("credential.readonly")
'https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly'
>>> OB_V3P0.path("/credentials")
'/ims/ob/v3p0/credentials'
"""

from __future__ import annotations

from dataclasses import dataclass

CREDENTIAL_READONLY = "credential.readonly"
CREDENTIAL_UPSERT = "credential.upsert"
PROFILE_READONLY = "profile.readonly"
PROFILE_UPDATE = "profile.update"
SCOPE_NAMES = (CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE)
# Asked for in the spec's own registration example (section 7.1.2): it only says "give me a
# refresh token", which this server does for every grant, so it is accepted and ignored.
OFFLINE_ACCESS = "offline_access"


@dataclass(frozen=True)
class ServiceFamily:
    """One 1EdTech REST API: its path prefix and scope URI base (OB 3.0 now, CLR 2.0 later)."""

    name: str
    prefix: str
    scope_base: str

    def scope(self, name: str) -> str:
        return f"{self.scope_base}/{name}"

    def path(self, suffix: str) -> str:
        return f"{self.prefix}{suffix}"

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(self.scope(name) for name in SCOPE_NAMES)


OB_V3P0 = ServiceFamily(
    name="Open Badges 3.0",
    prefix="/ims/ob/v3p0",
    scope_base="https://purl.imsglobal.org/spec/ob/v3p0/scope",
)
FAMILIES = (OB_V3P0,)
ALL_SCOPES = frozenset(scope for family in FAMILIES for scope in family.scopes)
