"""Folding text for search: the same tokens on SQLite, PostgreSQL and in Python.

Both backends index text that ``fold`` has already folded (lower case, no diacritics, ligatures
spelled out), so "Électricité", "electricite" and "ÉLECTRICITÉ" are one token everywhere and no
database extension (``unaccent``) is needed. Tokens are runs of letters and digits: whatever else
a visitor types (quotes, ``NEAR(``, ``*``, ``<script>``, emoji) separates tokens and never
reaches a query as syntax.

>>> tokens("L'Électricité  industrielle — niveau 2")
['l', 'electricite', 'industrielle', 'niveau', '2']
>>> sorted(one_edit_away("cat") & {"at", "cart", "cut", "act", "cat"})
['act', 'at', 'cart', 'cut']
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD leaves whole; spelled out the way French and English write them without them.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})
_TOKEN = re.compile(r"[^\W_]+")
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def fold(text: str) -> str:
    """Lower-case ``text`` and remove its diacritics (NFKD, then drop the combining marks)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def tokens(text: str) -> list[str]:
    """The folded words of ``text``, in order (duplicates kept)."""
    return _TOKEN.findall(fold(text))


def one_edit_away(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion from ``word``
    (Damerau-Levenshtein distance 1, over ``ALPHABET``); ``word`` itself is not included."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletions = {left + right[1:] for left, right in splits if right}
    transpositions = {
        left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1
    }
    substitutions = {
        left + char + right[1:] for left, right in splits if right for char in ALPHABET
    }
    insertions = {left + char + right for left, right in splits for char in ALPHABET}
    return (deletions | transpositions | substitutions | insertions) - {word}
