"""Claiming OpenID4VCI offers against a fake issuer on loopback: success and every refusal."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from credentials.multikey import DID_KEY_PREFIX
from passport.wallet.claim import ClaimRefused, offer_from_json, read_offer, well_known
from passport.wallet.issuer_http import IssuerAnswer
from tests.passport.wallet.fake_issuer import FakeIssuer, fake_issuer
from tests.passport.wallet.support import Learner


@pytest.fixture(scope="module")
def issuer() -> Iterator[FakeIssuer]:
    with fake_issuer() as running:
        yield running


def claim(learner: Learner, link: str, tx_code: str = "") -> httpx.Response:
    return learner.post("/passport/claim", {"offer": link, "tx_code": tx_code})


def count_credentials(learner: Learner) -> int:
    return learner.get("/passport").text.count('class="timeline-entry"')


def test_claim_an_offer_by_value_stores_the_issued_credential(
    learner: Learner, issuer: FakeIssuer
) -> None:
    response = claim(learner, issuer.link_by_value(issuer.offer()))
    assert response.status_code == 303, response.text
    page = learner.get(response.headers["location"])
    assert "Verified, with warnings" in page.text  # a did:key issuer is in no registry
    stored = learner.get(response.headers["location"].split("?")[0] + "/download/json")
    credential = json.loads(stored.content)
    assert credential["id"] == issuer.issued[-1]["id"]
    assert credential["credentialSubject"]["id"] == learner.did  # bound to the learner's key


def test_claim_uses_the_credential_identifier_of_the_token_response(
    learner: Learner, issuer: FakeIssuer
) -> None:
    """OpenID4VCI 1.0 section 8.2: with identifiers in the token response, the request must
    name one (``credential_identifier``) and not the configuration."""
    response = claim(learner, issuer.link_by_value(issuer.offer(identifiers=True)))
    assert response.status_code == 303, response.text
    assert count_credentials(learner) == 1


def test_claim_retries_once_with_a_fresh_nonce_after_invalid_nonce(
    learner: Learner, issuer: FakeIssuer
) -> None:
    """Section 8.3.1.2: invalid_nonce means get a new c_nonce and send a new proof."""
    response = claim(learner, issuer.link_by_value(issuer.offer(stale_nonce=True)))
    assert response.status_code == 303, response.text
    assert count_credentials(learner) == 1


def test_claim_by_reference_with_its_transaction_code(learner: Learner, issuer: FakeIssuer) -> None:
    offer = issuer.offer(tx_code="493817")
    response = claim(learner, issuer.link_by_reference(offer), tx_code="493817")
    assert response.status_code == 303, response.text
    assert count_credentials(learner) == 1


def test_claim_without_the_required_transaction_code_is_refused(
    learner: Learner, issuer: FakeIssuer
) -> None:
    response = claim(learner, issuer.link_by_value(issuer.offer(tx_code="493817")))
    assert response.status_code == 400
    assert "needs the transaction code" in response.text
    assert count_credentials(learner) == 0


def test_claim_with_a_wrong_transaction_code_is_refused(
    learner: Learner, issuer: FakeIssuer
) -> None:
    link = issuer.link_by_value(issuer.offer(tx_code="493817"))
    response = claim(learner, link, tx_code="000000")
    assert response.status_code == 400
    assert "the transaction code is wrong, or this offer has expired or is locked" in response.text
    assert count_credentials(learner) == 0


def test_claim_with_a_wrong_code_is_refused(learner: Learner, issuer: FakeIssuer) -> None:
    offer = issuer.offer()
    offer["grants"][next(iter(offer["grants"]))]["pre-authorized_code"] = "guessed-code"
    response = claim(learner, issuer.link_by_value(offer))
    assert response.status_code == 400
    assert "the claim code is wrong, has expired or was already used" in response.text
    assert count_credentials(learner) == 0


def test_claim_refusals_are_given_in_french_on_a_french_page(
    learner: Learner, issuer: FakeIssuer
) -> None:
    def refused_in_french(link: str) -> str:
        response = learner.post("/passport/claim?lang=fr", {"offer": link, "tx_code": ""})
        assert response.status_code == 400
        return html.unescape(response.text)

    expired = refused_in_french(issuer.link_by_value(issuer.offer(expired=True)))
    assert "le code de réclamation n'est pas correct, a expiré ou a déjà servi" in expired
    # The fetcher's reason is data: English inside the French sentence.
    forbidden = "openid-credential-offer://?credential_offer_uri=http%3A%2F%2F169.254.169.254%2Fo"
    assert (
        "l'offre n'a pas pu être obtenue\u00a0: plain http is not allowed for 169.254.169.254"
        in refused_in_french(forbidden)
    )


def test_claim_with_an_expired_code_is_refused(learner: Learner, issuer: FakeIssuer) -> None:
    response = claim(learner, issuer.link_by_value(issuer.offer(expired=True)))
    assert response.status_code == 400
    assert "has expired" in response.text
    assert count_credentials(learner) == 0


def test_reused_one_time_code_is_refused(
    new_learner: Callable[[], Learner], issuer: FakeIssuer
) -> None:
    link = issuer.link_by_value(issuer.offer())
    first, second = new_learner(), new_learner()
    assert claim(first, link).status_code == 303
    again = claim(first, link)
    assert again.status_code == 400
    assert "already used" in again.text
    stolen = claim(second, link)
    assert stolen.status_code == 400
    assert count_credentials(first) == 1
    assert count_credentials(second) == 0


def test_credential_issued_to_someone_else_is_kept_with_a_warning_in_both_languages(
    learner: Learner, issuer: FakeIssuer
) -> None:
    someone_else = f"{DID_KEY_PREFIX}z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    response = claim(learner, issuer.link_by_value(issuer.offer(issue_to=someone_else)))
    assert response.status_code == 303, response.text
    assert count_credentials(learner) == 1
    assert "Issued to another holder" in learner.get("/passport?lang=en").text
    assert "Délivré à un autre titulaire" in learner.get("/passport?lang=fr").text


def test_offer_uri_to_a_forbidden_address_is_not_fetched(learner: Learner) -> None:
    link = "openid-credential-offer://?credential_offer_uri=http%3A%2F%2F169.254.169.254%2Foffer"
    response = claim(learner, link)
    assert response.status_code == 400
    assert "the offer could not be fetched" in response.text


def test_links_that_are_not_offers_are_refused_with_a_reason() -> None:
    http = _NoNetwork()
    with pytest.raises(ClaimRefused, match="not a claim link"):
        read_offer("javascript:alert(1)", http)
    with pytest.raises(ClaimRefused, match="carries no credential offer"):
        read_offer("openid-credential-offer://?nothing=here", http)
    with pytest.raises(ClaimRefused, match="no pre-authorized code"):
        offer_from_json({"credential_issuer": "https://x", "credential_configuration_ids": ["a"]})


def test_well_known_urls_put_the_segment_between_host_and_path() -> None:
    assert (
        well_known("https://college.example/issuers/7", "openid-credential-issuer")
        == "https://college.example/.well-known/openid-credential-issuer/issuers/7"
    )
    assert (
        well_known("https://college.example", "oauth-authorization-server")
        == "https://college.example/.well-known/oauth-authorization-server"
    )


class _NoNetwork:
    def get_json(self, url: str) -> dict[str, object]:
        raise AssertionError(f"no fetch expected, got {url}")

    def post(self, url: str, **_: object) -> IssuerAnswer:
        raise AssertionError(f"no post expected, got {url}")
