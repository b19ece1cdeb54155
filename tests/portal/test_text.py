"""Folding and one-letter edits: the words both backends index and the typos they forgive."""

from __future__ import annotations

import pytest

from portal.text import fold, one_edit_away, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Électricité", "electricite"),
        ("ÉLECTRICITÉ", "electricite"),
        ("cœur Æsop", "coeur aesop"),
        ("Straße", "strasse"),
        ("ﬁche", "fiche"),  # compatibility ligature (NFKD)
    ],
)
def test_fold_removes_case_and_diacritics(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_tokens_are_letters_and_digits_only() -> None:
    assert tokens('NEAR("x" * OR <script>) 72106 🔥 l\'hôpital') == [
        "near",
        "x",
        "or",
        "script",
        "72106",
        "l",
        "hopital",
    ]
    assert tokens("'\"*()<>:^-+") == []


def test_one_edit_away_is_exactly_distance_one() -> None:
    variants = one_edit_away("nurse")
    assert {"nurce", "nure", "nurses", "unrse", "nursr"} <= variants
    assert "nurse" not in variants
    assert "nrcee" not in variants  # two edits
    # n deletions, n-1 transpositions, 36n substitutions, 36(n+1) insertions, minus duplicates
    assert len(variants) <= 5 + 4 + 36 * 5 + 36 * 6
