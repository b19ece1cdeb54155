"""One normal form for an email address, used wherever one is hashed, stored or compared.

Unicode compatibility normalization (NFKC, UAX #15) folds look-alikes such as full-width
letters (``ｊｏ@ｅｘａｍｐｌｅ.ｃａ``) into the characters they stand for, and the address is
lower-cased and trimmed: two spellings that reach the same mailbox are one account, one staff
user and one hashed identifier in a credential (OB 3.0 ``IdentityObject``, ``emailAddress``).

>>> normalize_email("  Ｊo@Example.CA ")
'jo@example.ca'
"""

from __future__ import annotations

import unicodedata


def normalize_email(address: str) -> str:
    """NFKC, then lower case, without surrounding white space."""
    return unicodedata.normalize("NFKC", address).strip().lower()
