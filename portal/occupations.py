"""Occupations of the National Occupational Classification (NOC 2021) that programs name.

The titles of the unit groups our catalog uses, in English and French, with common job titles
("PSW", "welder", "programmeur") as aliases, are package data (``data/noc2021.json``): a job
title typed by a visitor is matched against them with the same folding and one-letter typo
tolerance as the program search.

>>> occupation("72106").title("fr")
'Soudeurs/soudeuses et opérateurs/opératrices de machines à souder et à braser'
>>> [match.code for match in match_occupations("personal suport worker")][:1]
['33102']
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from credentials import InvalidInput
from portal.text import one_edit_away, tokens

NOC_CODE = re.compile(r"[0-9]{5}")
MIN_FUZZY_LENGTH = 4


@dataclass(frozen=True)
class Occupation:
    code: str
    title_en: str
    title_fr: str
    aliases: tuple[str, ...]

    def title(self, lang: str) -> str:
        return self.title_fr if lang == "fr" else self.title_en

    @property
    def words(self) -> frozenset[str]:
        return frozenset(tokens(" ".join((self.code, self.title_en, self.title_fr, *self.aliases))))


@cache
def occupations() -> dict[str, Occupation]:
    """Every NOC 2021 unit group the portal knows, by code."""
    text = resources.files("portal").joinpath("data/noc2021.json").read_text(encoding="utf-8")
    return {
        row["code"]: Occupation(
            code=row["code"],
            title_en=row["title_en"],
            title_fr=row["title_fr"],
            aliases=(*row["aliases_en"], *row["aliases_fr"]),
        )
        for row in json.loads(text)["unit_groups"]
    }


def require_noc_code(code: str) -> str:
    """``code`` if it has the form of a NOC 2021 unit group (five digits), else ``InvalidInput``."""
    if not NOC_CODE.fullmatch(code):
        raise InvalidInput(f"{code[:20]!r} is not a NOC 2021 code (five digits, e.g. 72106)")
    return code


def occupation(code: str) -> Occupation:
    """The known unit group ``code``; a well-formed but unknown code has the code as title."""
    known = occupations().get(require_noc_code(code))
    return known or Occupation(code, code, code, ())


def _word_matches(query_word: str, words: frozenset[str]) -> bool:
    if query_word in words or any(word.startswith(query_word) for word in words):
        return True
    return len(query_word) >= MIN_FUZZY_LENGTH and bool(one_edit_away(query_word) & words)


def match_occupations(job_title: str) -> list[Occupation]:
    """Unit groups whose code, titles or aliases contain every word of ``job_title`` (each
    word may be the start of a word, or one letter off), most specific titles first."""
    wanted = [word for word in tokens(job_title) if len(word) > 1]
    if not wanted:
        return []
    found = [
        entry
        for entry in occupations().values()
        if all(_word_matches(word, entry.words) for word in wanted)
    ]
    return sorted(found, key=lambda entry: (len(entry.words), entry.code))
