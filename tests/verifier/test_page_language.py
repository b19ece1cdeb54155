"""Issue 15: a result on the employer's page survives a switch of language. The page's language
links are plain links (a GET would lose a result made from a form), so the result offers a form
per other language that checks the same input again: pasted text, a baked PNG or a link."""

from __future__ import annotations

import html
import re

import httpx

from tests.verifier.conftest import Serve
from tests.verifier.support import Issuer, png_badge, settings_for

AGAIN = re.compile(
    r'<form class="verify-again" method="post" action="(/verify\?lang=fr)"[^>]*>(.*?)</form>', re.S
)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def read_again_in_french(client: httpx.Client, english: httpx.Response) -> httpx.Response:
    found = AGAIN.search(english.text)
    assert found is not None, "no French form on the result"
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(found[2])}
    assert "Read this result in English" not in english.text
    return client.post(found[1], data=fields, files={"file": ("", b"", "application/octet-stream")})


def test_a_pasted_result_reads_again_in_french(serve: Serve, database: str) -> None:
    issuer = Issuer()
    token = issuer.sign(issuer.credential(), "vc+jwt")
    with serve(settings_for(database)) as client:
        english = client.post("/verify?lang=en", data={"credential": token})
        assert '<h2 id="verdict-headline" class="headline">Verified, with warnings</h2>' in (
            english.text
        )
        french = read_again_in_french(client, english)
        assert french.headers["content-language"] == "fr"
        assert "Vérifié, avec des avertissements" in french.text
        assert 'id="verify-again-en"' in french.text


def test_a_baked_badge_result_reads_again_in_french(serve: Serve, database: str) -> None:
    issuer = Issuer()
    token = issuer.sign(issuer.credential(), "vc+jwt")
    with serve(settings_for(database)) as client:
        upload = {"file": ("badge.png", png_badge(token), "image/png")}
        english = client.post("/verify?lang=en", files=upload)
        assert "Verified, with warnings" in english.text
        french = read_again_in_french(client, english)
        assert "Vérifié, avec des avertissements" in french.text
