"""The trust registry: signed files only, most restrictive status wins, and its CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from credentials.jwk import private_jwk
from credentials.multibase import encode_base64url
from passport.cli import app
from tests.verifier.support import COLLEGE_EN, COLLEGE_FR, Issuer, registry_file
from verifier.registry import (
    CompositeRegistry,
    InstitutionRegistry,
    RegistryEntry,
    RegistryRefused,
    RegistryStatus,
    load_registries,
    load_registry,
    load_registry_file,
    new_registry,
    sign_registry,
)

COLLEGE = "did:web:grandslacs.example.ca"


def entry(issuer: str = COLLEGE, status: str = "active") -> dict[str, object]:
    return {
        "id": issuer,
        "legalName": {"en": COLLEGE_EN, "fr": COLLEGE_FR},
        "institutionType": "college",
        "jurisdiction": "CA-ON",
        "status": status,
    }


def signed_bytes(operator: Issuer, *entries: dict[str, object]) -> bytes:
    return json.dumps(
        sign_registry(new_registry("Ontario", list(entries)), operator.signer)
    ).encode()


def test_signed_registry_round_trip_names_in_both_languages() -> None:
    operator = Issuer()
    registry = load_registry(signed_bytes(operator, entry()), [operator.did], "ontario.json")
    found = registry.lookup(COLLEGE)
    assert isinstance(found, RegistryEntry)
    assert (found.name_en, found.name_fr, found.kind) == (COLLEGE_EN, COLLEGE_FR, "college")
    assert (found.jurisdiction, found.status, found.source) == (
        "CA-ON",
        RegistryStatus.ACTIVE,
        "Ontario",  # the registry's own name, never the file's path (issue #13)
    )
    assert registry.lookup("did:web:unknown.example") is None


def test_trusted_key_may_be_given_as_a_did_url() -> None:
    operator = Issuer()
    trusted = [operator.signer.verification_method]
    assert load_registry(signed_bytes(operator, entry()), trusted, "r").entry(COLLEGE)


def test_unsigned_registry_refused() -> None:
    data = json.dumps(new_registry("Ontario", [entry()])).encode()
    with pytest.raises(RegistryRefused, match="is not signed"):
        load_registry(data, [Issuer().did], "r.json")


def test_registry_signed_by_an_untrusted_key_refused() -> None:
    with pytest.raises(RegistryRefused, match="not a trusted registry key"):
        load_registry(signed_bytes(Issuer(), entry()), [Issuer().did], "r.json")


def test_tampered_registry_refused() -> None:
    operator = Issuer()
    document = json.loads(signed_bytes(operator, entry()))
    document["entries"][0]["legalName"]["en"] = "Diploma Mill Inc."
    with pytest.raises(RegistryRefused, match="signature does not verify"):
        load_registry(json.dumps(document).encode(), [operator.did], "r.json")


def test_attack_registry_signature_with_alg_none_refused() -> None:
    operator = Issuer()
    document = json.loads(signed_bytes(operator, entry()))
    header = encode_base64url(json.dumps({"alg": "none", "kid": operator.did}).encode())
    document["signature"] = f"{header}.."
    with pytest.raises(RegistryRefused, match="only an EdDSA signature"):
        load_registry(json.dumps(document).encode(), [operator.did], "r.json")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"institutionType": "diploma mill"}, "institutionType"),
        ({"status": "pending"}, "status must be"),
        ({"legalName": {"en": "Only English"}}, "'fr'"),
        ({"id": ""}, "'id'"),
    ],
)
def test_malformed_entries_refused_with_the_field(change: dict[str, object], reason: str) -> None:
    operator = Issuer()
    with pytest.raises(RegistryRefused, match=reason):
        load_registry(signed_bytes(operator, entry() | change), [operator.did], "r.json")


def test_duplicate_entries_refused() -> None:
    operator = Issuer()
    with pytest.raises(RegistryRefused, match="twice"):
        load_registry(signed_bytes(operator, entry(), entry()), [operator.did], "r.json")


def test_registry_files_without_trusted_keys_refused(tmp_path: Path) -> None:
    path = registry_file(tmp_path, {COLLEGE: COLLEGE_EN}, Issuer())
    with pytest.raises(RegistryRefused, match="no trusted registry key"):
        load_registries([path], [])
    with pytest.raises(RegistryRefused, match="must be a did:key"):
        load_registries([path], ["https://keys.example/registry"])


def test_missing_registry_file_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(RegistryRefused, match="No such file"):
        load_registry_file(tmp_path / "absent.json", [Issuer().did])


def test_composite_registry_most_restrictive_status_wins() -> None:
    operator = Issuer()
    active = load_registry(signed_bytes(operator, entry()), [operator.did], "a")
    withdrawn = load_registry(
        signed_bytes(operator, entry(status="withdrawn")), [operator.did], "b"
    )
    composite = CompositeRegistry([active, withdrawn])
    found = composite.lookup(COLLEGE)
    assert found is not None and found.status is RegistryStatus.WITHDRAWN
    found_active = CompositeRegistry([active]).lookup(COLLEGE)
    assert found_active is not None and found_active.status == "active"


def test_deployment_institutions_join_the_configured_files(tmp_path: Path) -> None:
    operator = Issuer()
    path = registry_file(tmp_path, {COLLEGE: COLLEGE_EN}, operator)
    own = RegistryEntry("did:web:us.example", "Us", "Nous", "university", "CA-ON")
    registry = load_registries([path], [operator.did], [InstitutionRegistry({own.issuer_id: own})])
    assert registry.lookup("did:web:us.example") == own
    assert registry.lookup(COLLEGE) is not None


def test_cli_add_list_check_and_refuse_a_tampered_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = Issuer()
    key_file = tmp_path / "registry-key.jwk"
    key_file.write_text(json.dumps(private_jwk(operator.key)))
    registry = tmp_path / "registry.json"
    runner = CliRunner()
    add = [
        "registry",
        "add",
        COLLEGE,
        "--file",
        str(registry),
        "--key",
        str(key_file),
        "--name-en",
        COLLEGE_EN,
        "--name-fr",
        COLLEGE_FR,
        "--type",
        "college",
        "--jurisdiction",
        "CA-ON",
    ]
    added = runner.invoke(app, add)
    assert added.exit_code == 0, added.output
    assert f"signed by {operator.did}" in added.output
    suspended = runner.invoke(
        app, [*add[:2], "https://u.example/issuers/1", *add[3:], "--status", "suspended"]
    )
    assert suspended.exit_code == 0, suspended.output
    monkeypatch.setenv("PASSPORT_REGISTRY_FILES", str(registry))
    monkeypatch.setenv("PASSPORT_TRUSTED_REGISTRY_KEYS", operator.did)
    listed = runner.invoke(app, ["registry", "list"])
    assert listed.exit_code == 0
    assert COLLEGE_FR in listed.output and "suspended" in listed.output
    assert runner.invoke(app, ["registry", "check", COLLEGE]).exit_code == 0
    assert runner.invoke(app, ["registry", "check", "https://u.example/issuers/1"]).exit_code == 1
    assert runner.invoke(app, ["registry", "check", "did:web:nobody.example"]).exit_code == 1
    registry.write_text(registry.read_text().replace("Great Lakes", "Grate Lakes"))
    tampered = runner.invoke(app, ["registry", "list"])
    assert tampered.exit_code == 2
    assert "signature does not verify" in tampered.output
