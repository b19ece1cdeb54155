"""Every kind of credential this component signs, counted per signing key (for key revocation).

``passport keys revoke`` and the key revocation API report how many credentials a compromised
key signed after the compromise; each signing component contributes a ``CounterFactory`` here.
"""

from __future__ import annotations

from issuers.awards.holder_copies import copies_signed_after
from issuers.awards.service import awards_signed_after
from issuers.clr.records import clrs_signed_after
from issuers.identity import CounterFactory
from issuers.programs.endorsements import endorsements_signed_after

SIGNED_CREDENTIAL_COUNTERS: tuple[CounterFactory, ...] = (
    endorsements_signed_after,
    awards_signed_after,
    copies_signed_after,
    clrs_signed_after,
)
