"""The catalog's skill filter in the page's language, and a skill's two names kept by the
console (issue #16), on the served deployment of tests/passport/look_world.py: a bilingual
program whose skill has a French name, and a French-only program whose skill has none in
English.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.issuers.test_award_console import logged_in
from tests.passport.look_world import (
    API,
    SLUG,
    World,
    world_fixture,  # noqa: F401  (fixture "world")
)


def _skill_labels(html: str) -> list[str]:
    fieldset = re.search(
        r"<fieldset[^>]*>\s*<legend>(Skill|Compétence)</legend>.*?</fieldset>", html, re.S
    )
    assert fieldset is not None
    labels = re.findall(r'<label for="f-skill-\d+">(.*?) <span class="count">', fieldset[0])
    return [re.sub(r"<[^>]+>", "", label) for label in labels]


def test_the_skill_filter_speaks_the_pages_language(world: World) -> None:
    english = _skill_labels(world.api.get("/programs", params={"lang": "en"}).text)
    french_page = world.api.get("/programs", params={"lang": "fr"}).text
    french = _skill_labels(french_page)
    assert english == ["weld metal parts"]  # the French-only skill is not an English choice
    assert sorted(french) == ["lire des plans de construction", "souder des pièces métalliques"]
    # One filter value whatever the language: the French label filters the same programs.
    assert 'value="weld metal parts"' in french_page
    assert 'data-names="weld metal parts"' in french_page  # type-to-search finds it in English
    chosen = world.api.get(
        "/programs", params={"lang": "en", "skill": "lire des plans de construction"}
    ).text
    assert sorted(_skill_labels(chosen)) == ["lire des plans de construction", "weld metal parts"]
    assert '<span lang="fr">lire des plans de construction</span>' in chosen


def test_the_catalog_api_names_skills_in_both_languages(world: World) -> None:
    facets = world.api.get("/api/v1/programs").json()["facets"]
    [skills] = [facet["values"] for facet in facets if facet["name"] == "skill"]
    labels = {item["value"]: (item["label_en"], item["label_fr"]) for item in skills}
    assert labels["weld metal parts"] == ("weld metal parts", "souder des pièces métalliques")


class _Form(HTMLParser):
    """The fields a browser would send back from a page's form, as they are filled in."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        kind = found.get("type", "text")
        if tag == "input" and "name" in found and (kind not in ("checkbox",) or "checked" in found):
            self.fields.append((found["name"], found.get("value", "on")))
        elif tag == "textarea":
            self._textarea = found["name"]
            self.fields.append((found["name"], ""))
        elif tag == "select":
            self._select = found["name"]
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found["value"]))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, text = self.fields.pop()
            self.fields.append((name, text + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def test_the_console_keeps_a_skills_names_when_a_program_is_saved(world: World) -> None:
    staff = logged_in(world.base_url, SLUG)
    try:
        page = staff.get("/console/programs/soudage/edit")
        assert "weld metal parts | https://esco" in page.text
        assert "| souder des pièces métalliques" in page.text
        form = _Form()
        form.feed(page.text)
        fields: dict[str, list[str]] = {}
        for name, value in form.fields:
            fields.setdefault(name, []).append(value)
        saved = staff.post("/console/programs/soudage/edit", data=fields)
        assert saved.status_code == 303, saved.text
    finally:
        staff.close()
    [skill] = world.api.get(f"{API}/programs/soudage").json()["fields"]["skills"]
    assert skill["names"]["fr"] == "souder des pièces métalliques"
