"""``passport backup OUT`` and ``passport restore IN``: operations on a whole deployment.

Both read ``PASSPORT_DATABASE_URL`` (docs/operations.md, "Backup and restore"). A refused backup
or restore ends with exit code 2 and a one-line reason; nothing is written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from infra import disposable_engine, redacted_url
from passport.backup import Manifest, write_backup
from passport.cli_server import _unusable_input_exits
from passport.database import prepare_database
from passport.restore import restore_backup
from passport.settings import Settings


def _summary(manifest: Manifest) -> str:
    rows = sum(entry.rows for entry in manifest.tables)
    return (
        f"{len(manifest.tables)} tables, {rows} rows, deployment {manifest.instance_id}, "
        f"revision {manifest.alembic_revision}"
    )


def backup(
    out: Annotated[Path, typer.Argument(help="The backup file to create (a new .zip file).")],
) -> None:
    """Back up the whole deployment (every table, in one consistent read) to one file.

    The master key is NOT in the backup: keep it separately (docs/operations.md).
    """
    with _unusable_input_exits():
        settings = Settings()
        with disposable_engine(settings.database_url) as engine:
            manifest = write_backup(engine, out, datetime.now(UTC))
    typer.echo(f"backed up {redacted_url(settings.database_url)} to {out}: {_summary(manifest)}")


def restore(
    backup_file: Annotated[Path, typer.Argument(help="A file written by `passport backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the data of a database that holds some.")
    ] = False,
) -> None:
    """Restore a backup into the configured database, all or nothing.

    A SQLite database is created and migrated first; a PostgreSQL one must have been migrated
    with `passport db upgrade`. Refused: a damaged backup, one from another schema revision,
    and a target that already holds data (unless --force).
    """
    with _unusable_input_exits():
        settings = Settings()
        prepare_database(settings)
        with disposable_engine(settings.database_url) as engine:
            manifest = restore_backup(engine, backup_file, force=force)
    target = redacted_url(settings.database_url)
    typer.echo(f"restored {backup_file} into {target}: {_summary(manifest)}")


def register_ops_commands(app: typer.Typer) -> None:
    """Add ``backup`` and ``restore`` to the ``passport`` command line."""
    app.command("backup")(backup)
    app.command("restore")(restore)
