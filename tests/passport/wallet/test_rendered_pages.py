"""Issue #19: the share and passport pages are rendered once and kept (``passport.wallet.rendered``)
while everything they show is unchanged, and rendered again the moment something is: another
language, a credential added to a shared collection, a collection renamed, a new report. A kept
page with forms is only ever served to the session whose CSRF token it carries. Renders are
counted by a spy on the page renderer the kept pages call."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from credentials import Verdict
from infra import page_html
from passport.wallet import web
from passport.wallet.rendered import RenderedPages
from tests.passport.wallet.support import Learner, Visitor, served_on, signed_credential
from tests.verifier.support import Issuer
from verifier import VerificationReport

ISSUER = Issuer()
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Renders:
    def __init__(self, render: Callable[..., str]) -> None:
        self.render = render
        self.templates: list[str] = []

    def __call__(self, request: Any, template: str, **context: Any) -> str:
        self.templates.append(template)
        return self.render(request, template, **context)

    def of(self, template: str) -> int:
        return self.templates.count(template)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Renders:
    spy = Renders(page_html)
    monkeypatch.setattr(web, "page_html", spy)
    return spy


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[FastAPI, str]]:
    with served_on(tmp_path) as app_and_url:
        yield app_and_url


def test_a_share_page_is_rendered_once_per_language_and_again_when_it_changes(
    running: tuple[FastAPI, str], renders: Renders
) -> None:
    _, base_url = running
    learner, employer = Learner(base_url), Visitor(base_url)
    try:
        first = learner.import_credential(signed_credential(ISSUER))
        collection = learner.post("/passport/collections", {"name": "For welding jobs"})
        assert collection.status_code == 303, collection.text
        collection_id = collection.headers["location"].rsplit("/", 1)[-1]
        learner.post(f"/passport/credentials/{first}/collections", {"collection": [collection_id]})
        made = learner.post("/passport/shares", {"collection": collection_id, "expires": "7"})
        path = re.search(r'id="share-link" readonly value="[^"]*(/s/[^"]+)"', made.text)
        assert path is not None
        share = path[1]

        pages = [employer.get(share).text for _ in range(3)]
        assert pages[0] == pages[1] == pages[2]
        assert renders.of("wallet_share.html") == 1
        assert employer.get(f"{share}?lang=fr").headers["content-language"] == "fr"
        assert renders.of("wallet_share.html") == 2

        second = learner.import_credential(signed_credential(ISSUER))
        learner.post(f"/passport/credentials/{second}/collections", {"collection": [collection_id]})
        assert employer.get(share).text.count('class="shared-credential"') == 2
        assert renders.of("wallet_share.html") == 3
    finally:
        learner.close()
        employer.close()


def test_a_passport_page_is_kept_for_its_own_session_only(
    running: tuple[FastAPI, str], renders: Renders
) -> None:
    _, base_url = running
    learner = Learner(base_url)
    try:
        learner.import_credential(signed_credential(ISSUER))
        before = renders.of("wallet_passport.html")
        first, again = learner.get("/passport").text, learner.get("/passport").text
        assert first == again and renders.of("wallet_passport.html") == before + 1

        made = learner.post("/passport/collections", {"name": "For nursing jobs"})
        assert made.status_code == 303
        assert "For nursing jobs" in learner.get("/passport").text

        # The same learner in a second browser: a page of its own, whose token works there.
        elsewhere = Visitor(base_url)
        try:
            signed_in = elsewhere.post(
                "/passport/login",
                {"email": learner.email, "password": "correct horse battery staple"},
                csrf_from="/passport/login",
            )
            assert signed_in.status_code == 303, signed_in.text
            token_here = CSRF.search(learner.get("/passport").text)
            token_there = CSRF.search(elsewhere.get("/passport").text)
            assert token_here and token_there and token_here[1] != token_there[1]
            renamed = elsewhere.post("/passport/collections", {"name": "Second browser"})
            assert renamed.status_code == 303, renamed.text
            assert "Second browser" in learner.get("/passport").text
        finally:
            elsewhere.close()
    finally:
        learner.close()


def _report() -> VerificationReport:
    return VerificationReport(Verdict.VERIFIED, (), None)


def test_a_kept_page_is_served_only_for_the_very_reports_it_was_made_from() -> None:
    pages = RenderedPages(max_entries=2)
    report = _report()
    made: list[str] = []

    def render(text: str) -> Callable[[], str]:
        def make() -> str:
            made.append(text)
            return text

        return make

    assert pages.html("a", [report], render("one")) == "one"
    assert pages.html("a", [report], render("two")) == "one"
    assert pages.html("a", [_report()], render("three")) == "three"  # equal, not the same
    assert pages.html("a", [], render("four")) == "four"
    pages.html("b", [], render("five"))
    pages.html("c", [], render("six"))
    assert len(pages) == 2 and pages.html("a", [], render("seven")) == "seven"
    assert made == ["one", "three", "four", "five", "six", "seven"]
