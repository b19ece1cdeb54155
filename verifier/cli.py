"""``passport registry list | check ISSUER | add ISSUER``: the trust registry from the shell.

The flow (docs/verification.md, "Trust registry"):

1. ``passport keys generate --out registry-key.jwk`` makes the registry signing key and prints its
   did:key; keep the key file offline.
2. ``passport registry add did:web:college.example --file registry.json --key registry-key.jwk
   --name-en ... --name-fr ... --type college --jurisdiction CA-ON`` adds (or updates) an entry
   and re-signs the file; the same with ``--status suspended`` or ``withdrawn`` later.
3. The server is told ``PASSPORT_REGISTRY_FILES=registry.json`` and
   ``PASSPORT_TRUSTED_REGISTRY_KEYS=<that did:key>``; it refuses to start on a file whose
   signature does not verify.

``list`` and ``check`` read the same two variables (or ``--registry`` / ``--trusted-key``) and
verify every file first. Exit codes: 0 success (``check``: the issuer is recognized), 1 the issuer
is not recognized, 2 unusable input with a one-line reason.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from credentials import (
    Ed25519Signer,
    PassportError,
    did_key_for,
    did_key_verification_method,
    ed25519_private_key_from_jwk,
    parse_json_object,
)
from verifier.registry import (
    INSTITUTION_TYPES,
    CompositeRegistry,
    InstitutionRegistry,
    RegistryEntry,
    RegistrySource,
    RegistryStatus,
    load_registries,
    load_registry_file,
    new_registry,
    parse_entry,
    sign_registry,
)

FILES_VARIABLE = "PASSPORT_REGISTRY_FILES"
KEYS_VARIABLE = "PASSPORT_TRUSTED_REGISTRY_KEYS"

RegistryOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--registry", help=f"A signed registry file (repeatable; default ${FILES_VARIABLE})."
    ),
]
TrustedKeyOption = Annotated[
    list[str] | None,
    typer.Option("--trusted-key", help=f"A trusted registry did:key (default ${KEYS_VARIABLE})."),
]


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _from_environment(variable: str) -> list[str]:
    # The same comma-separated form as passport.settings.
    return [item.strip() for item in os.environ.get(variable, "").split(",") if item.strip()]


def _registry(files: list[Path] | None, keys: list[str] | None) -> CompositeRegistry:
    paths = files or [Path(item) for item in _from_environment(FILES_VARIABLE)]
    if not paths:
        _fail(f"no registry file: pass --registry or set {FILES_VARIABLE}")
    try:
        return load_registries(paths, keys or _from_environment(KEYS_VARIABLE))
    except PassportError as error:
        _fail(error.message)


def configured_registry(
    files: list[Path] | None, keys: list[str] | None, own: Sequence[RegistrySource] = ()
) -> CompositeRegistry:
    """The registry of ``--registry`` / ``--trusted-key``, else of the server's two variables,
    after ``own`` (the deployment's own institutions); no file at all is allowed here.
    ``RegistryRefused`` names a file that cannot be trusted."""
    paths = files or [Path(item) for item in _from_environment(FILES_VARIABLE)]
    return load_registries(paths, keys or _from_environment(KEYS_VARIABLE), own)


def _describe(entry: RegistryEntry) -> str:
    return (
        f"{entry.issuer_id}\t{entry.status.value}\t{entry.kind}\t{entry.jurisdiction}\t"
        f"{entry.name_en} / {entry.name_fr}"
    )


def list_entries(files: RegistryOption = None, trusted_key: TrustedKeyOption = None) -> None:
    """Verify the registry files and print every entry (tab-separated)."""
    for source in _registry(files, trusted_key).sources:
        assert isinstance(source, InstitutionRegistry)
        typer.echo(f"# {source.name}: {len(source.entries)} entries")
        for entry in source.entries.values():
            typer.echo(_describe(entry))


def check_entry(
    issuer: Annotated[str, typer.Argument(help="The issuer id: a DID or an issuer URL.")],
    files: RegistryOption = None,
    trusted_key: TrustedKeyOption = None,
) -> None:
    """Is ISSUER a recognized institution? Exit 0 if so, 1 if not (unknown, suspended...)."""
    entry = _registry(files, trusted_key).entry(issuer)
    if entry is None:
        typer.echo(f"{issuer} is not in the registry")
        raise typer.Exit(1)
    typer.echo(_describe(entry))
    raise typer.Exit(0 if entry.status is RegistryStatus.ACTIVE else 1)


def _signer(path: Path) -> Ed25519Signer:
    try:
        key = ed25519_private_key_from_jwk(parse_json_object(path.read_bytes()))
    except OSError as error:
        _fail(f"{path}: {error.strerror or error}")
    except PassportError as error:
        _fail(f"{path}: {error.message}")
    return Ed25519Signer(key, did_key_verification_method(did_key_for(key.public_key())))


def add_entry(
    issuer: Annotated[str, typer.Argument(help="The issuer id: a DID or an issuer URL.")],
    *,
    file: Annotated[Path, typer.Option(help="The registry file to create or update.")],
    key: Annotated[Path, typer.Option(help="The registry signing key (a private JWK file).")],
    name_en: Annotated[str, typer.Option(help="Legal name in English.")],
    name_fr: Annotated[str, typer.Option(help="Legal name in French.")],
    institution_type: Annotated[
        str, typer.Option("--type", help=", ".join(sorted(INSTITUTION_TYPES)))
    ],
    jurisdiction: Annotated[str, typer.Option(help="e.g. CA-ON.")],
    status: Annotated[RegistryStatus, typer.Option()] = RegistryStatus.ACTIVE,
    registry_name: Annotated[str, typer.Option(help="Name of a new registry.")] = "Registry",
) -> None:
    """Add or update ISSUER in FILE and re-sign it with KEY (the file must verify first)."""
    signer = _signer(key)
    signer_did = signer.verification_method.partition("#")[0]
    item = {
        "id": issuer,
        "legalName": {"en": name_en, "fr": name_fr},
        "institutionType": institution_type,
        "jurisdiction": jurisdiction,
        "status": status.value,
    }
    try:
        parse_entry(item, "the new entry")
        trusted = [signer_did, *_from_environment(KEYS_VARIABLE)]
        existing = load_registry_file(file, trusted) if file.exists() else None
    except PassportError as error:
        _fail(error.message)
    entries = dict(existing.entries) if existing else {}
    verb = "updated" if issuer in entries else "added"
    items = [entry.as_json() for entry_id, entry in entries.items() if entry_id != issuer]
    document = new_registry(existing.name if existing else registry_name, [*items, item])
    signed = sign_registry(document, signer)
    temporary = file.with_name(file.name + ".tmp")
    try:
        temporary.write_text(json.dumps(signed, ensure_ascii=False, indent=2) + "\n")
        temporary.replace(file)
    except OSError as error:
        _fail(f"{file}: {error.strerror or error}")
    typer.echo(f"{verb} {issuer}; {file} is signed by {signer_did}")
    sys.stderr.write(f"the server trusts it when {KEYS_VARIABLE} includes {signer_did}\n")


def register_verifier_commands(app: typer.Typer) -> None:
    registry = typer.Typer(help="The trust registry of recognized issuers.", no_args_is_help=True)
    registry.command("list")(list_entries)
    registry.command("check")(check_entry)
    registry.command("add")(add_entry)
    app.add_typer(registry, name="registry")
