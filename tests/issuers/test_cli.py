"""``passport institutions add`` and ``passport keys rotate | revoke`` on a real database."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import typer
from sqlmodel import Session
from typer.testing import CliRunner

from credentials.multibase import encode_base64url
from infra.database import create_database_engine
from issuers.cli import Workspace, register_issuer_commands
from issuers.institutions import get_institution
from issuers.master_key import MasterKeySource
from keys.store import KeyStore
from keys.tables import KeyStatus
from passport.database import migrate_to_head
from tests.storage import database_url  # noqa: F401  (fixture)


@pytest.fixture
def cli(database_url: str) -> Iterator[tuple[typer.Typer, Workspace]]:  # noqa: F811
    engine = create_database_engine(database_url)
    migrate_to_head(engine)
    master_keys = MasterKeySource(
        encode_base64url(secrets.token_bytes(32)), None, allow_development_key=False
    )
    inspector = Workspace(Session(engine), master_keys, "http://localhost:8000")

    @contextmanager
    def open_workspace() -> Iterator[Workspace]:
        with Session(engine) as session:
            yield Workspace(session, master_keys, "http://localhost:8000")

    app = typer.Typer()
    app.command("noop")(lambda: None)
    register_issuer_commands(app, open_workspace)
    try:
        yield app, inspector
    finally:
        inspector.session.close()
        engine.dispose()


ADD = [
    "institutions",
    "add",
    "college-a",
    "--name-en",
    "College A",
    "--name-fr",
    "Collège A",
    "--kind",
    "college",
    "--website",
    "https://a.example.ca",
    "--email",
    "r@a.example.ca",
]


def test_add_rotate_and_revoke(cli: tuple[typer.Typer, Workspace], tmp_path: Path) -> None:
    app, inspector = cli
    runner = CliRunner()
    added = runner.invoke(app, ADD)
    assert added.exit_code == 0, added.output
    assert "did:web:localhost%3A8000:issuers:college-a" in added.output
    duplicate = runner.invoke(app, ADD)
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output
    rotated = runner.invoke(app, ["keys", "rotate", "college-a"])
    assert rotated.exit_code == 0 and "#key-2" in rotated.output
    key_id = "did:web:localhost%3A8000:issuers:college-a#key-1"
    revoked = runner.invoke(
        app, ["keys", "revoke", key_id, "--compromised-since", "2025-01-01T00:00:00Z"]
    )
    assert revoked.exit_code == 0, revoked.output
    assert "0 credential(s) signed with it since 2025-01-01 00:00:00+00:00" in revoked.output
    institution = get_institution(inspector.session, "college-a")
    store = KeyStore(inspector.session, inspector.master_keys.get(), institution.created_at)
    statuses = [key.status for key in store.keys_for("issuer:college-a")]
    assert statuses == [KeyStatus.REVOKED, KeyStatus.ACTIVE]


def test_bad_input_exits_2_with_a_reason(cli: tuple[typer.Typer, Workspace]) -> None:
    app, _ = cli
    runner = CliRunner()
    bad_kind = runner.invoke(app, [*ADD[:8], "bakery", *ADD[9:]])
    assert bad_kind.exit_code == 2 and "kind" in bad_kind.output
    unknown = runner.invoke(app, ["keys", "rotate", "nobody"])
    assert unknown.exit_code == 2 and "no institution 'nobody'" in unknown.output
    bad_time = runner.invoke(app, ["keys", "revoke", "x", "--compromised-since", "yesterday"])
    assert bad_time.exit_code == 2 and "ISO 8601" in bad_time.output


def test_api_key_is_printed_once(cli: tuple[typer.Typer, Workspace]) -> None:
    app, _ = cli
    runner = CliRunner()
    runner.invoke(app, ADD)
    created = runner.invoke(
        app, ["institutions", "add-api-key", "college-a", "--label", "sis", "--action", "issue"]
    )
    assert created.exit_code == 0 and created.output.startswith("lpk_")
    wrong = runner.invoke(
        app, ["institutions", "add-api-key", "college-a", "--label", "sis", "--action", "fly"]
    )
    assert wrong.exit_code == 2
