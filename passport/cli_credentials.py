"""``passport keys generate | sign | verify | bake | extract``: credentials without a server.

For institutions' IT and developers: everything here works offline. did:key issuers resolve
locally; anything that needs the network (did:web, status lists not given with ``--status-list``)
is reported as "could not check", never guessed.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import (
    Ed25519Signer,
    PassportError,
    bake,
    did_key_for,
    did_key_verification_method,
    ed25519_private_key_from_jwk,
    extract,
    format_datetime,
    parse_json_object,
    private_jwk,
    secure,
)
from passport.cli_verify import DATABASE_VARIABLE, cli_context
from verifier import (
    EmailCheck,
    OfflineStatusLists,
    RegistryOption,
    TrustedKeyOption,
    VerifiableInput,
    VerificationReport,
    check_email,
    claimed_document,
    read_input,
    report_as_json,
    report_as_text,
    verify_input,
)

FORMATS = {"di": "eddsa-rdfc-2022", "jcs": "eddsa-jcs-2022", "jwt": "vc+jwt"}
MAX_FILE_BYTES = 16 * 1024 * 1024


def fail(message: str) -> NoReturn:
    """Exit 2 with a one-line reason: unusable input, never a traceback."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            fail(f"{path}: file is larger than {MAX_FILE_BYTES} bytes")
        return path.read_bytes()
    except OSError as error:
        fail(f"{path}: {error.strerror or error}")


def load_json_file(path: Path) -> dict[str, Any]:
    try:
        return parse_json_object(read_file(path))
    except PassportError as error:
        fail(f"{path}: {error.message}")


def load_signer(path: Path) -> Ed25519Signer:
    try:
        key = ed25519_private_key_from_jwk(load_json_file(path))
    except PassportError as error:
        fail(f"{path}: {error.message}")
    did = did_key_for(key.public_key())
    return Ed25519Signer(key, did_key_verification_method(did))


def generate_key(
    out: Annotated[
        Path | None, typer.Option(help="Write the private JWK here (mode 0600).")
    ] = None,
) -> None:
    """Make a new Ed25519 key as a private JWK and print its did:key."""
    key = Ed25519PrivateKey.generate()
    jwk_text = json.dumps(private_jwk(key), indent=2) + "\n"
    did = did_key_for(key.public_key())
    if out is None:
        sys.stdout.write(jwk_text)
        typer.echo(did, err=True)
        return
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        fail(f"{out} already exists; refusing to overwrite a key")
    except OSError as error:
        fail(f"{out}: {error.strerror or error}")
    with os.fdopen(descriptor, "w") as handle:
        handle.write(jwk_text)
    typer.echo(did)


def fill_missing(credential: dict[str, Any], signer: Ed25519Signer, now: datetime) -> list[str]:
    """Fill only ``issuer``, ``id`` and ``validFrom`` when absent; say what was filled."""
    filled = []
    if "issuer" not in credential:
        credential["issuer"] = signer.verification_method.split("#", 1)[0]
        filled.append(f"issuer set to {credential['issuer']}")
    if "id" not in credential:
        credential["id"] = f"urn:uuid:{uuid.uuid4()}"
        filled.append(f"id set to {credential['id']}")
    if "validFrom" not in credential:
        credential["validFrom"] = format_datetime(now)
        filled.append(f"validFrom set to {credential['validFrom']}")
    return filled


def sign(
    credential_file: Annotated[Path, typer.Argument(help="The unsigned credential (JSON).")],
    key: Annotated[Path, typer.Option(help="A private Ed25519 JWK file.")],
    format: Annotated[str, typer.Option(help="di (eddsa-rdfc-2022), jcs or jwt.")] = "di",
) -> None:
    """Sign a credential as it is; print the signed JSON, or the compact JWS for jwt."""
    mechanism = FORMATS.get(format)
    if mechanism is None:
        fail(f"unknown format {format!r}; use di, jcs or jwt")
    credential = load_json_file(credential_file)
    signer = load_signer(key)
    now = datetime.now(UTC)
    for note in fill_missing(credential, signer, now):
        typer.echo(f"note: {note}", err=True)
    try:
        secured = secure(credential, signer, mechanism, now=now)
    except PassportError as error:
        fail(f"{credential_file}: {error.message}")
    text = (
        secured if isinstance(secured, str) else json.dumps(secured, indent=2, ensure_ascii=False)
    )
    sys.stdout.write(text + "\n")


def _status_lists(specs: list[str], now: datetime) -> OfflineStatusLists:
    """``FILE`` (served at the list's own ``id``) or ``URL=FILE`` (served at ``URL``)."""
    documents: dict[str, dict[str, Any] | str] = {}
    for spec in specs:
        url, separator, file_name = spec.partition("=")
        if not separator or not url.startswith(("https://", "http://")):
            url, file_name = "", spec
        document = load_json_file(Path(file_name))
        list_id = url or document.get("id")
        if not isinstance(list_id, str):
            fail(f"{file_name}: a status list credential needs an 'id' (its URL), or use URL=FILE")
        documents[list_id] = document
    return OfflineStatusLists(documents, now)


def _controller_documents(paths: list[Path]) -> dict[str, dict[str, Any]]:
    documents = {}
    for path in paths:
        document = load_json_file(path)
        if not isinstance(document.get("id"), str):
            fail(f"{path}: a DID or controller document needs an 'id'")
        documents[document["id"]] = document
    return documents


def verify(
    files: Annotated[list[Path], typer.Argument(help="Credentials: JSON, JWS, or baked PNG/SVG.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per input.")] = False,
    status_list: Annotated[
        list[str],
        typer.Option(
            help="A status list credential to use offline: FILE or URL=FILE (repeatable)."
        ),
    ] = [],  # noqa: B006 - Typer reads list defaults; never mutated.
    did_document: Annotated[
        list[Path], typer.Option(help="A DID/controller document to trust offline (repeatable).")
    ] = [],  # noqa: B006
    lang: Annotated[str, typer.Option(help="Language of the messages: en or fr.")] = "en",
    allow_test_keys: Annotated[
        bool, typer.Option(help="Accept the published 1EdTech test key (test suites only).")
    ] = False,
    registry: RegistryOption = None,
    trusted_key: TrustedKeyOption = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            help=f"The deployment's database, for its own issuers (default ${DATABASE_VARIABLE})."
        ),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(help="A candidate's email: say whether the credential's hashed one matches."),
    ] = None,
) -> None:
    """Verify each FILE; exit 0 when all verified, 1 when any did not, 2 on unusable input.

    With a database, the deployment's own credentials are checked against its records as the
    server checks them; with a registry, issuers are named from it (``passport.cli_verify``)."""
    now = datetime.now(UTC)
    inputs = []
    for path in files:
        try:
            inputs.append((path, read_input(read_file(path))))
        except PassportError as error:
            fail(f"{path}: {error.message}")
    sources = cli_context(
        now,
        documents=_controller_documents(did_document),
        status_lists=_status_lists(status_list, now),
        registry_files=registry,
        trusted_keys=trusted_key,
        database_url=database_url,
        allow_published_test_keys=allow_test_keys,
    )
    all_verified = True
    try:
        with sources as context:
            for path, item in inputs:
                report = verify_input(item, context)
                all_verified = all_verified and report.verified
                checked = _email_check(item, email) if email else None
                sys.stdout.write(_rendered(path, report, checked, as_json, lang))
    except PassportError as error:
        fail(error.message)
    raise typer.Exit(0 if all_verified else 1)


def _rendered(
    path: Path, report: VerificationReport, checked: EmailCheck | None, as_json: bool, lang: str
) -> str:
    if as_json:
        result = report_as_json(report, lang)
        if checked is not None:
            result["email_check"] = checked.value
        return json.dumps(result, ensure_ascii=False) + "\n"
    text = f"{path}: {report_as_text(report, lang)}\n"
    if checked is not None:
        text += f"{path}: email {checked.value}\n"
    return text


def _email_check(item: VerifiableInput, email: str) -> EmailCheck:
    """The candidate's email against the credential's hashed identifier (never printed)."""
    try:
        return check_email(claimed_document(item), email)
    except PassportError:
        return EmailCheck.COULD_NOT_CHECK  # a token too malformed to read


def bake_command(
    credential_file: Annotated[Path, typer.Argument(help="A signed credential: JSON or JWS.")],
    image: Annotated[Path, typer.Option(help="The badge image, PNG or SVG.")],
    out: Annotated[Path, typer.Option(help="Where to write the baked image.")],
) -> None:
    """Put a credential into a PNG iTXt chunk or an SVG <openbadges:credential> (OB 3.0 5.3)."""
    try:
        credential_text = read_file(credential_file).decode("utf-8").strip()
        read_input(credential_text.encode("utf-8"))
        baked = bake(read_file(image), credential_text)
    except UnicodeDecodeError:
        fail(f"{credential_file}: not UTF-8 text")
    except PassportError as error:
        fail(error.message)
    try:
        out.write_bytes(baked)
    except OSError as error:
        fail(f"{out}: {error.strerror or error}")


def extract_command(
    baked: Annotated[Path, typer.Argument(help="A baked PNG or SVG badge.")],
) -> None:
    """Print the credential baked into a PNG or SVG badge."""
    try:
        sys.stdout.write(extract(read_file(baked)) + "\n")
    except PassportError as error:
        fail(f"{baked}: {error.message}")


def register_credential_commands(app: typer.Typer) -> None:
    keys = typer.Typer(help="Signing keys.", no_args_is_help=True)
    keys.command("generate")(generate_key)
    app.add_typer(keys, name="keys")
    app.command("sign")(sign)
    app.command("verify")(verify)
    app.command("bake")(bake_command)
    app.command("extract")(extract_command)
