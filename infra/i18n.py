"""English and French: choosing the language of a page, and the gettext catalogs.

The language is chosen per request, in this order:

1. the ``lang`` query parameter (``/?lang=fr``): links stay shareable and every page has one URL
   per language that search engines index through ``<link rel="alternate" hreflang>``;
2. the ``lang`` cookie, set whenever a ``lang`` parameter was used, so the choice sticks
   while the learner browses links that do not carry it;
3. the browser's ``Accept-Language`` header (RFC 9110 section 12.5.4);
4. ``Settings.default_language``.

A path prefix (``/fr/...``) was not chosen: every component's routes, share links and QR codes
would need a second URL, and the API paths are not language-specific.

Messages are written in English in the source (so English needs no catalog) and translated in
``infra/locales/fr/LC_MESSAGES/messages.po``; see ``docs/i18n.md`` for the extraction and
compilation commands. The catalog is the deployment's one catalog, for every component's pages;
the shell builds one Jinja environment per language from it (``passport.pages``), so concurrent
requests in different languages never share translation state.

Errors stay English where they are raised (logs, the CLI, problem+json); a page shows
``error_text(error, lang)``. Services mark their messages with ``N_`` so that extraction finds
them; a message from elsewhere (a verifier or fetcher reason, not in the catalog) is data, and a
French page frames it in a French sentence that says it is in English.

>>> translations_for("fr").gettext("Learner Passport")
"Passeport d'apprentissage"
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from babel.support import NullTranslations, Translations
from starlette.requests import Request

from credentials import InvalidInput, PassportError

SUPPORTED = ("en", "fr")
SOURCE_LANGUAGE = "en"
LANGUAGE_PARAMETER = "lang"
LANGUAGE_COOKIE = "lang"
# Each language is named in itself, the way a reader of that language looks for it.
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
MESSAGE_DOMAIN = "messages"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"


@cache
def translations_for(lang: str) -> NullTranslations:
    """The gettext translations for a supported language (English is the source language)."""
    if lang not in SUPPORTED:
        raise InvalidInput(f"unsupported language {lang!r}; supported: {', '.join(SUPPORTED)}")
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    with (LOCALES_DIR / lang / "LC_MESSAGES" / f"{MESSAGE_DOMAIN}.mo").open("rb") as compiled:
        return Translations(fp=compiled, domain=MESSAGE_DOMAIN)


def N_(message: str) -> str:  # noqa: N802 (the name xgettext and pybabel look for)
    """Mark ``message`` for extraction without translating it: it is translated where it is
    shown, in the reader's language (``error_text``)."""
    return message


def error_text(error: PassportError, lang: str) -> str:
    """The error's message in ``lang``: its template translated, then its data filled in.

    >>> error_text(InvalidInput("give the collection a name"), "fr")
    'donnez un nom à la collection'
    >>> error_text(InvalidInput("unsupported cryptosuite 'x'"), "fr").split(": ")[1]
    "unsupported cryptosuite 'x'"
    """
    translations = translations_for(lang)
    template = translations.gettext(error.template)
    if lang != SOURCE_LANGUAGE and template == error.template:
        # Not in the catalog: another component's reason, which is data (every passport error
        # has a French text, and none is word for word its English).
        return translations.gettext("technical reason, in English: %(reason)s") % {
            "reason": error.message
        }
    return template % error.params if error.params else template


def accepted_languages(header: str) -> list[str]:
    """Primary language tags from an ``Accept-Language`` value, most preferred first.

    >>> accepted_languages("en;q=0.5, fr-CA, de;q=0")
    ['fr', 'en']
    """
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, parameters = item.strip().partition(";")
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].lower()
        if primary and primary != "*" and quality > 0:
            weighted.append((-quality, position, primary))
    return [primary for _, _, primary in sorted(weighted)]


def requested_language(request: Request) -> str | None:
    """The supported language named by the ``lang`` query parameter, if any."""
    requested = request.query_params.get(LANGUAGE_PARAMETER)
    return requested if requested in SUPPORTED else None


def negotiate_language(request: Request) -> str:
    """The page language: query parameter, then cookie, then Accept-Language, then the default."""
    requested = requested_language(request)
    if requested is not None:
        return requested
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in SUPPORTED:
        return remembered
    for lang in accepted_languages(request.headers.get("accept-language", "")):
        if lang in SUPPORTED:
            return lang
    default: str = request.app.state.settings.default_language
    return default


@dataclass(frozen=True)
class LanguageLink:
    """A link to the current page in another language."""

    lang: str
    name: str
    href: str


def language_links(request: Request, *, exclude: str | None = None) -> list[LanguageLink]:
    """Links to this same path (and query) in each supported language but ``exclude``."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != LANGUAGE_PARAMETER]
    return [
        LanguageLink(
            lang=lang,
            name=LANGUAGE_NAMES[lang],
            href=f"{request.url.path}?{urlencode([*kept, (LANGUAGE_PARAMETER, lang)])}",
        )
        for lang in SUPPORTED
        if lang != exclude
    ]
