"""Every kind of credential this component signs, counted per signing key (for key revocation).

``passport keys revoke`` and the key revocation API report how many credentials a compromised
key signed after the compromise; each signing component contributes a ``CounterFactory`` here.
"""

from __future__ import annotations

from issuers.awards import awards_signed_after
from issuers.clr_records import clrs_signed_after
from issuers.endorsements import endorsements_signed_after
from issuers.holder_copies import copies_signed_after
from issuers.identity import CounterFactory

SIGNED_CREDENTIAL_COUNTERS: tuple[CounterFactory, ...] = (
    endorsements_signed_after,
    awards_signed_after,
    copies_signed_after,
    clrs_signed_after,
)
