"""The skill filter in the page's language.

A skill's filter value is one string whatever the language (its English name when it has one,
``portal.facets``); what the filter shows is its name in the page's language, read from
``portal_skill_name``:

- English pages list the skills named in English. A skill only named in French is left out
  (unless chosen): an English reader cannot tell what it is, and it is not theirs to pick.
- French pages list every skill, by its French name where it has one, else by its English name,
  marked ``lang="en"`` so that a screen reader says it in English.

>>> names = SkillNames({"weld metal": {"en": "weld metal", "fr": "souder des métaux"},
...                     "lire des plans": {"fr": "lire des plans"}})
>>> names.label("weld metal", "fr").text, names.label("lire des plans", "en").language
('souder des métaux', 'fr')
>>> listed = names.listed("en", [FacetCount("weld metal", 3, False),
...                              FacetCount("lire des plans", 1, False)])
>>> [item.value for item in listed]
['weld metal']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal.catalog_version import catalog_version
from portal.search import FacetCount
from portal.tables import SkillName
from portal.versioned_cache import VersionedCache


@dataclass(frozen=True)
class SkillLabel:
    text: str
    language: str  # the language of ``text``: the page's, or not when it fell back


@dataclass(frozen=True)
class SkillNames:
    names: Mapping[str, Mapping[str, str]]  # filter value -> language -> name

    def label(self, value: str, language: str) -> SkillLabel:
        """The name to show on a page in ``language``: its own, else the other language's."""
        known = self.names.get(value, {})
        for candidate in (language, *sorted(known)):
            if candidate in known:
                return SkillLabel(known[candidate], candidate)
        return SkillLabel(value, language)

    def other_names(self, value: str, language: str) -> str:
        """The skill's names in the other languages (what type-to-search also matches)."""
        known = self.names.get(value, {})
        return " ".join(name for other, name in sorted(known.items()) if other != language)

    def listed(self, language: str, counts: Iterable[FacetCount]) -> list[FacetCount]:
        """The skill filter's values a page in ``language`` lists, in their order (chosen
        ones are always kept)."""
        return [
            item
            for item in counts
            if language != "en" or "en" in self.names.get(item.value, {}) or item.selected
        ]


def read_skill_names(session: Session) -> SkillNames:
    """Every skill value's names; where programs name one skill differently, the first name
    in sort order, so that the page does not change from one request to the next."""
    statement = select(
        col(SkillName.skill), col(SkillName.language), func.min(col(SkillName.name))
    ).group_by(col(SkillName.skill), col(SkillName.language))
    names: dict[str, dict[str, str]] = {}
    for value, language, name in session.execute(statement).all():
        names.setdefault(value, {})[language] = name
    return SkillNames(names)


class SkillNameCache:
    """The names at the catalog's version, read once per version and process."""

    def __init__(self) -> None:
        self._cache: VersionedCache[str, SkillNames] = VersionedCache(max_entries=4)

    def get(self, session: Session) -> SkillNames:
        version = catalog_version(session)
        return self._cache.get(version, "skills", lambda: read_skill_names(session))
