"""Issue 15: every error a person meets is a page in English or French; API clients still get
``application/problem+json``. Over a real server, as a browser (``Accept: text/html``) asks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.passport.wallet.support import served, wallet_settings
from tests.storage import sqlite_url

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory: Path = tmp_path_factory.mktemp("error-pages")
    with served(wallet_settings(sqlite_url(directory))) as (_, base_url):
        yield base_url


def test_a_missing_page_is_a_page_in_the_visitors_language(site: str) -> None:
    english = httpx.get(f"{site}/no/such/page", headers=BROWSER)
    assert english.status_code == 404
    assert english.headers["content-type"].startswith("text/html")
    assert "<h1>Page not found</h1>" in english.text
    french = httpx.get(f"{site}/no/such/page?lang=fr", headers=BROWSER)
    assert french.status_code == 404 and french.headers["content-language"] == "fr"
    assert "<h1>Page introuvable</h1>" in french.text


def test_our_errors_are_pages_with_their_sentence_translated(site: str) -> None:
    # An unknown institution of the public pages: a NotFound of ours.
    french = httpx.get(f"{site}/issuers/no-such-college?lang=fr", headers=BROWSER)
    assert french.status_code == 404
    assert french.headers["content-type"].startswith("text/html")
    assert 'lang="fr"' in french.text and "{" not in french.text.split("<main")[1][:20]


def test_a_bad_program_address_is_a_page_not_json(site: str) -> None:
    answer = httpx.get(f"{site}/api/v1/programs?limit=nope&lang=fr", headers=BROWSER)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Nous n'avons pas pu le faire</h1>" in answer.text.replace("&#39;", "'")


def test_api_clients_still_get_problem_json(site: str) -> None:
    answer = httpx.get(f"{site}/no/such/page", headers={"Accept": "application/json"})
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "not_found"
