"""The README's CLI tour, run as written: keys generate, sign, verify, bake, extract; exit codes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from passport.cli import app
from tests.conftest import VECTORS

EXAMPLES = VECTORS / "examples" / "1edtech-validator"
AWARD = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Soins palliatifs : notions de base",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "id": "did:example:learner-1",
        "achievement": {
            "id": "https://college.example.ca/programs/palliative-care",
            "type": ["Achievement"],
            "achievementType": "MicroCredential",
            "name": "Palliative Care Foundations",
            "description": "Comfort care, communication with families, and end-of-life ethics.",
            "criteria": {"narrative": "Completed 40 hours and a supervised practicum."},
        },
    },
}

runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "award.json").write_text(json.dumps(AWARD, ensure_ascii=False), "utf-8")
    result = runner.invoke(app, ["keys", "generate", "--out", "college.jwk"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("did:key:z6Mk")
    return tmp_path


def sign(fmt: str) -> str:
    result = runner.invoke(app, ["sign", "award.json", "--key", "college.jwk", "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_generated_key_file_is_private_and_never_overwritten(workdir: Path) -> None:
    key_file = workdir / "college.jwk"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    jwk = json.loads(key_file.read_text())
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519") and "d" in jwk
    again = runner.invoke(app, ["keys", "generate", "--out", "college.jwk"])
    assert again.exit_code == 2
    assert json.loads(key_file.read_text()) == jwk


@pytest.mark.parametrize(
    ("fmt", "mechanism"), [("di", "eddsa-rdfc-2022"), ("jcs", "eddsa-jcs-2022"), ("jwt", "vc+jwt")]
)
def test_sign_then_verify_every_format(workdir: Path, fmt: str, mechanism: str) -> None:
    result = runner.invoke(app, ["sign", "award.json", "--key", "college.jwk", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "note: issuer set to did:key:" in result.stderr
    assert "note: validFrom set to" in result.stderr
    (workdir / "signed").write_text(result.stdout, "utf-8")
    verified = runner.invoke(app, ["verify", "signed", "--json"])
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.stdout)
    assert report["verified"] is True
    proof = next(check for check in report["checks"] if check["id"] == "proof")
    assert proof["outcome"] == "passed" and mechanism in proof["message"]


def test_sign_keeps_what_is_given_and_fills_only_what_is_missing(workdir: Path) -> None:
    award = {**AWARD, "id": "urn:uuid:00000000-0000-4000-8000-000000000001"}
    (workdir / "award.json").write_text(json.dumps(award), "utf-8")
    signed = json.loads(sign("di"))
    assert signed["id"] == award["id"]
    assert signed["name"] == "Soins palliatifs : notions de base"
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_tampered_credential_exits_1_with_a_failed_proof(workdir: Path) -> None:
    (workdir / "tampered.json").write_text(sign("di").replace("Palliative", "Pa1liative"), "utf-8")
    result = runner.invoke(app, ["verify", "tampered.json"])
    assert result.exit_code == 1
    assert "Not verified" in result.stdout
    assert "[FAILED] proof" in result.stdout


def test_french_report(workdir: Path) -> None:
    (workdir / "signed.json").write_text(sign("di"), "utf-8")
    result = runner.invoke(app, ["verify", "signed.json", "--lang", "fr"])
    assert result.exit_code == 0
    assert "Vérifié, avec des avertissements" in result.stdout


def test_bake_extract_and_verify_png_and_svg(workdir: Path) -> None:
    (workdir / "signed.json").write_text(sign("di"), "utf-8")
    Image.new("RGB", (64, 64), "navy").save(workdir / "badge.png")
    (workdir / "badge.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")
    for image in ("badge.png", "badge.svg"):
        out = "baked" + image[-4:]
        baked = runner.invoke(app, ["bake", "signed.json", "--image", image, "--out", out])
        assert baked.exit_code == 0, baked.output
        extracted = runner.invoke(app, ["extract", out])
        assert json.loads(extracted.stdout) == json.loads((workdir / "signed.json").read_text())
        assert runner.invoke(app, ["verify", out]).exit_code == 0


def test_published_revoked_example_with_its_status_list_exits_1(workdir: Path) -> None:
    fixtures = json.loads(
        (VECTORS / "fixtures" / "1edtech-issuer-controller-documents.json").read_text()
    )
    document = fixtures["documents"]["https://1edtech.edu/issuers/565049"]
    (workdir / "did.json").write_text(json.dumps(document), "utf-8")
    status_list = json.loads((EXAMPLES / "ob30-status-list-credential.json").read_text())
    revoked = json.loads((EXAMPLES / "ob30-status-revoked-bitstring.json").read_text())
    (workdir / "list.json").write_text(json.dumps(status_list), "utf-8")
    list_url = revoked["credentialStatus"]["statusListCredential"]
    args = [
        "verify",
        str(EXAMPLES / "ob30-status-revoked-bitstring.json"),
        "--json",
        "--allow-test-keys",
        "--did-document",
        "did.json",
        "--status-list",
        f"{list_url}=list.json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    status = next(c for c in json.loads(result.stdout)["checks"] if c["id"] == "status")
    assert status["outcome"] == "failed", status
    assert "revoked" in status["message"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a credential at all", "not a credential"),
        (b'{"a": 1, "a": 2}', "duplicate key"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b'{"a": ' + b"[" * 100 + b"]" * 100 + b"}", "deeper than 64"),
    ],
)
def test_unusable_input_exits_2_with_one_line_and_no_traceback(
    workdir: Path, content: bytes, reason: str
) -> None:
    (workdir / "bad").write_bytes(content)
    result = runner.invoke(app, ["verify", "bad"])
    assert result.exit_code == 2
    assert reason in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_missing_file_and_bad_key_exit_2(workdir: Path) -> None:
    assert runner.invoke(app, ["verify", "nowhere.json"]).exit_code == 2
    (workdir / "bad.jwk").write_text('{"kty": "RSA"}', "utf-8")
    result = runner.invoke(app, ["sign", "award.json", "--key", "bad.jwk"])
    assert result.exit_code == 2 and "Ed25519" in result.stderr
    unknown = runner.invoke(app, ["sign", "award.json", "--key", "college.jwk", "--format", "x"])
    assert unknown.exit_code == 2 and "unknown format" in unknown.stderr
