"""Importing credential files: verified first, stored as received, refused with reasons."""

from __future__ import annotations

import copy
import html
import json

from credentials.baking import bake, extract
from tests.passport.wallet.support import Learner, signed_credential
from tests.verifier.support import Issuer, png_badge
from verifier.inputs import MAX_IMAGE_BYTES

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'


def stored_count(learner: Learner) -> int:
    return learner.get("/passport").text.count('class="timeline-entry"')


def test_json_from_an_unknown_issuer_is_kept_with_its_warning_visible(learner: Learner) -> None:
    credential = signed_credential(Issuer())
    stored = learner.import_credential(credential)
    page = learner.get(f"/passport/credentials/{stored}")
    assert "Verified, with warnings" in page.text
    assert "is not in our registry of recognized institutions" in page.text
    timeline = learner.get("/passport").text
    assert "Robotic Welding: Programming and Safety" in timeline
    assert "Not in our registry" in timeline
    # Stored exactly as received.
    download = learner.get(f"/passport/credentials/{stored}/download/json")
    assert download.content == json.dumps(credential).encode()


OTHER_HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def test_credential_issued_to_another_holder_is_kept_with_a_warning_in_both_languages(
    learner: Learner,
) -> None:
    others = learner.import_credential(signed_credential(Issuer(), subject=OTHER_HOLDER))
    learner.import_credential(signed_credential(Issuer(), subject=learner.did))
    learner.import_credential(signed_credential(Issuer()))  # names no subject id: no key to bind
    timeline = learner.get("/passport?lang=en").text
    assert stored_count(learner) == 3
    assert timeline.count("Issued to another holder") == 1
    assert learner.get("/passport?lang=fr").text.count("Délivré à un autre titulaire") == 1
    page = learner.get(f"/passport/credentials/{others}?lang=en").text
    assert f"This credential names {OTHER_HOLDER} as its holder" in page
    french = learner.get(f"/passport/credentials/{others}?lang=fr").text
    assert "Délivré à un autre titulaire" in french
    assert f"Ce titre désigne {OTHER_HOLDER} comme titulaire" in french


def test_compact_jws_is_imported_and_given_back_as_issued(learner: Learner) -> None:
    token = signed_credential(Issuer(), mechanism="vc+jwt")
    stored = learner.import_credential(token)
    assert learner.get(f"/passport/credentials/{stored}/download/jws").text == token
    assert learner.get(f"/passport/credentials/{stored}/download/json").status_code == 404


def test_baked_png_and_svg_are_imported_and_kept_in_their_images(learner: Learner) -> None:
    png = png_badge(json.dumps(signed_credential(Issuer())))
    svg = bake(SVG, json.dumps(signed_credential(Issuer())))
    for data, name, kind in ((png, "badge.png", "png"), (svg, "badge.svg", "svg")):
        response = learner.import_bytes(data, name)
        assert response.status_code == 303, response.text
        stored = response.headers["location"].split("?")[0]
        assert learner.get(f"{stored}/download/{kind}").content == data
    assert stored_count(learner) == 2


def test_tampered_credential_is_refused_with_the_reasons_and_not_stored(learner: Learner) -> None:
    tampered = copy.deepcopy(signed_credential(Issuer()))
    tampered["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    response = learner.import_bytes(json.dumps(tampered).encode())
    assert response.status_code == 400
    assert "Not verified" in response.text
    assert "The digital signature does not match" in response.text
    assert stored_count(learner) == 0


def test_duplicates_are_refused_by_bytes_and_by_credential_id(learner: Learner) -> None:
    credential = signed_credential(Issuer())
    learner.import_credential(credential)
    again = learner.import_bytes(json.dumps(credential).encode())
    assert again.status_code == 409
    assert "already in your passport" in again.text
    same_credential_baked = learner.import_bytes(png_badge(json.dumps(credential)), "b.png")
    assert same_credential_baked.status_code == 409
    assert stored_count(learner) == 1


def test_upload_that_is_not_a_credential_is_refused(learner: Learner) -> None:
    response = learner.import_bytes(b"%PDF-1.7 not a credential", "cv.pdf")
    assert response.status_code == 400
    assert "not a credential" in response.text
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
    }
    refused = learner.import_bytes(json.dumps(presentation).encode())
    assert refused.status_code == 400
    assert "this is a presentation, not a credential" in refused.text
    assert stored_count(learner) == 0


def test_refusals_give_their_reason_in_french_on_a_french_page(learner: Learner) -> None:
    def refused_in_french(data: bytes, name: str = "c.json") -> str:
        files = {"file": (name, data)}
        response = learner.post("/passport/import?lang=fr", files=files)
        assert response.status_code >= 400
        return html.unescape(response.text)

    tampered = copy.deepcopy(signed_credential(Issuer()))
    tampered["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    page = refused_in_french(json.dumps(tampered).encode())
    assert "le titre n'a pas passé la vérification\u202f; il n'a pas été ajouté" in page
    assert "the credential did not verify" not in page
    # A reason from the verifier is data: kept as it is, in a French sentence that says so.
    page = refused_in_french(b"%PDF-1.7 not a credential", "cv.pdf")
    assert "motif technique, en anglais\u00a0: not a credential: expected JSON" in page
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_IMAGE_BYTES  # one file over, one request under
    assert "le fichier dépasse la limite de 8388608 octets" in refused_in_french(big, "big.png")
    files = {"file": ("c.json", json.dumps(tampered).encode())}
    english = learner.post("/passport/import?lang=en", files=files)
    assert "the credential did not verify; it was not added" in english.text


def test_huge_upload_is_refused_with_413(learner: Learner) -> None:
    response = learner.import_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (9 * 1024 * 1024), "big.png")
    assert response.status_code == 413
    assert stored_count(learner) == 0


def test_import_without_the_csrf_token_is_refused(learner: Learner) -> None:
    credential = json.dumps(signed_credential(Issuer())).encode()
    response = learner.client.post("/passport/import", files={"file": ("c.json", credential)})
    assert response.status_code == 403
    assert "reload the page and try again" in response.text
    forged = learner.client.post(
        "/passport/import",
        data={"csrf_token": "a" * 64},
        files={"file": ("c.json", credential)},
    )
    assert forged.status_code == 403
    assert stored_count(learner) == 0


def test_baked_download_of_a_json_credential_carries_it(learner: Learner) -> None:
    credential = signed_credential(Issuer())
    stored = learner.import_credential(credential)
    for kind in ("png", "svg"):
        image = learner.get(f"/passport/credentials/{stored}/download/{kind}").content
        assert json.loads(extract(image)) == credential
