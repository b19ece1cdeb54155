"""The French catalog is complete and compiled, and each request gets the right language."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any, cast

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from starlette.requests import Request

from credentials.errors import InvalidInput
from infra.i18n import (
    LOCALES_DIR,
    SUPPORTED,
    accepted_languages,
    negotiate_language,
    translations_for,
)
from passport.pages import PACKAGE_DIR, create_template_environments
from tests.passport.conftest import development_settings

FRENCH = LOCALES_DIR / "fr" / "LC_MESSAGES"
MethodMap = list[tuple[str, str]]
OptionsMap = dict[str, dict[str, Any]]


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file)


def translated(catalog: Catalog) -> dict[str, str]:
    return {str(message.id): str(message.string) for message in catalog if message.id}


def source_messages() -> set[str]:
    """Every translatable string in the Python modules and templates, per babel.cfg."""
    parse_mapping = cast(Callable[[IO[str]], tuple[MethodMap, OptionsMap]], parse_mapping_cfg)
    with (PACKAGE_DIR / "babel.cfg").open() as mapping_file:
        method_map, options_map = parse_mapping(mapping_file)
    root = PACKAGE_DIR.parent
    return {
        str(message)
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), method_map, options_map
        )
    }


def test_every_message_in_the_sources_is_in_the_french_catalog() -> None:
    messages = source_messages()
    assert "Verify a credential" in messages
    missing = messages - translated(read_catalog(FRENCH / "messages.po")).keys()
    assert not missing, f"run the update step of docs/i18n.md; missing: {sorted(missing)}"


def test_every_french_message_is_translated_and_none_is_fuzzy_or_obsolete() -> None:
    catalog = read_catalog(FRENCH / "messages.po")
    untranslated = [message.id for message in catalog if message.id and not message.string]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert not untranslated
    assert not fuzzy
    assert not catalog.obsolete


def test_compiled_catalog_matches_the_po_file() -> None:
    catalog = read_catalog(FRENCH / "messages.po")
    compiled_now = BytesIO()
    write_mo(compiled_now, catalog)
    compiled_now.seek(0)
    with (FRENCH / "messages.mo").open("rb") as committed:
        stale = translated(read_mo(committed)) != translated(read_mo(compiled_now))
    assert not stale, "messages.mo is stale: run the compile step of docs/i18n.md"


def test_french_translations_are_used() -> None:
    french = translations_for("fr")
    assert french.gettext("Learner Passport") == "Passeport d'apprentissage"
    assert french.gettext("Verify a credential") == "Vérifier un titre de compétences"
    assert translations_for("en").gettext("Learner Passport") == "Learner Passport"


def test_unsupported_language_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unsupported language 'de'"):
        translations_for("de")


def test_each_language_has_its_own_template_environment() -> None:
    environments = create_template_environments()
    assert set(environments) == set(SUPPORTED)
    template = '{{ _("My passport") }}'
    assert environments["fr"].from_string(template).render() == "Mon passeport"
    assert environments["en"].from_string(template).render() == "My passport"


def request_with(
    *, query: str = "", cookie: str | None = None, accept: str | None = None, default: str = "en"
) -> Request:
    headers = []
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    if accept is not None:
        headers.append((b"accept-language", accept.encode()))
    settings = development_settings("sqlite://", default_language=default)
    app = SimpleNamespace(state=SimpleNamespace(settings=settings))
    scope = {"type": "http", "query_string": query.encode(), "headers": headers, "app": app}
    return Request(scope)


@pytest.mark.parametrize(
    ("request_kwargs", "expected"),
    [
        ({}, "en"),
        ({"default": "fr"}, "fr"),
        ({"accept": "fr-CA,fr;q=0.9,en;q=0.8"}, "fr"),
        ({"accept": "en;q=0.4, fr;q=0.6"}, "fr"),
        ({"accept": "de-DE, fr;q=0.1"}, "fr"),
        ({"accept": "de-DE", "default": "fr"}, "fr"),
        ({"accept": "fr;q=0, en;q=0.1", "default": "fr"}, "en"),
        ({"cookie": "lang=fr", "accept": "en"}, "fr"),
        ({"cookie": "lang=xx", "accept": "fr"}, "fr"),
        ({"query": "lang=en", "cookie": "lang=fr", "accept": "fr"}, "en"),
        ({"query": "lang=zz", "cookie": "lang=fr"}, "fr"),
    ],
)
def test_language_negotiation_order(request_kwargs: dict[str, str], expected: str) -> None:
    assert negotiate_language(request_with(**request_kwargs)) == expected


@pytest.mark.parametrize(
    ("header", "languages"),
    [
        ("", []),
        ("*", []),
        ("fr-CA", ["fr"]),
        ("en;q=0.5, fr-CA, de;q=0", ["fr", "en"]),
        ("en;q=oops, fr", ["fr"]),
        ("FR-ca;q=0.8, EN;q=0.9", ["en", "fr"]),
    ],
)
def test_accepted_languages(header: str, languages: list[str]) -> None:
    assert accepted_languages(header) == languages
