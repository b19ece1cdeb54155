"""``passport restore``: a backup written by ``passport.backup`` back into a database.

Restore checks everything before writing anything (format, revision equal to this code's head,
the table set, every checksum and row count), then writes in one transaction: all or nothing.
It refuses a target holding data unless ``force`` (then the data is replaced), and on PostgreSQL
moves each id sequence past the restored ids. Indexes that no model declares (the portal's
full-text index) are not in the backup: restore rebuilds them from the restored rows, which also
gives the catalog a new version (``portal.catalog_version``, not in the backup either), so no
running process keeps filter counts of the catalog that was replaced.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, Table, func, select, text
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from issuers import Program
from passport.backup import (
    DEPLOYMENT_TABLE,
    INSERT_CHUNK_ROWS,
    MANIFEST_NAME,
    BackupRefused,
    Manifest,
    TableEntry,
    backed_up_tables,
    decode_value,
)
from passport.database import UPGRADE_COMMAND, head_revision, require_current_database
from portal import reindex_programs


@contextmanager
def _opened(path: Path) -> Iterator[zipfile.ZipFile]:
    """The backup archive; damage found while reading it becomes ``BackupRefused``."""
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except FileNotFoundError:
        raise BackupRefused(f"{path} does not exist") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError) as error:
        raise BackupRefused(
            f"{path} is damaged or not a backup ({error}); nothing was restored"
        ) from None


def _member_lines(archive: zipfile.ZipFile, entry: TableEntry) -> Iterator[bytes]:
    """The table's lines; raises ``BackupRefused`` at the end unless checksum and count match."""
    digest, rows = hashlib.sha256(), 0
    try:
        member: IO[bytes] = archive.open(entry.member)
    except KeyError:
        raise BackupRefused(f"the backup has no data for table {entry.name}") from None
    with member:
        for line in member:
            digest.update(line)
            rows += 1
            yield line
    if rows != entry.rows or digest.hexdigest() != entry.sha256:
        raise BackupRefused(
            f"the data of table {entry.name} does not match the checksum in {MANIFEST_NAME}: "
            "the backup is damaged; nothing was restored"
        )


def _readable_manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        manifest = Manifest.from_json(archive.read(MANIFEST_NAME))
    except KeyError:
        raise BackupRefused(f"no {MANIFEST_NAME}: this is not a Learner Passport backup") from None
    head = head_revision()
    if manifest.alembic_revision != head:
        raise BackupRefused(
            f"the backup is of database revision {manifest.alembic_revision}, but this version "
            f"of Learner Passport is at revision {head}: restore it with the version that wrote "
            f"it, then run `{UPGRADE_COMMAND}` (or take the backup again after upgrading)"
        )
    return manifest


def _check_contents(archive: zipfile.ZipFile, manifest: Manifest) -> None:
    for entry in manifest.tables:
        for _line in _member_lines(archive, entry):
            pass


def verify_backup(path: Path) -> Manifest:
    """Check a backup without restoring it: format, revision, checksums and row counts."""
    with _opened(path) as archive:
        manifest = _readable_manifest(archive)
        _check_contents(archive, manifest)
    return manifest


def _require_same_tables(manifest: Manifest, tables: Sequence[Table]) -> None:
    expected = {table.name for table in tables}
    found = {entry.name for entry in manifest.tables}
    if found != expected:
        difference = ", ".join(sorted(found ^ expected))
        raise BackupRefused(f"the backup's tables differ from the database's: {difference}")


def _tables_with_data(connection: Connection, tables: Sequence[Table]) -> list[str]:
    # deployment_info always has its one row (the first migration writes it); it is replaced.
    return [
        table.name
        for table in tables
        if table.name != DEPLOYMENT_TABLE
        and connection.execute(select(text("1")).select_from(table).limit(1)).first() is not None
    ]


def _insert_rows(connection: Connection, table: Table, lines: Iterator[bytes]) -> None:
    columns = {column.name: column for column in table.columns}
    chunk: list[dict[str, Any]] = []
    for line in lines:
        values = json.loads(line)
        chunk.append(
            {columns[name].key: decode_value(columns[name], v) for name, v in values.items()}
        )
        if len(chunk) == INSERT_CHUNK_ROWS:
            connection.execute(table.insert(), chunk)
            chunk = []
    if chunk:
        connection.execute(table.insert(), chunk)


def _reset_sequences(connection: Connection, tables: Sequence[Table]) -> None:
    """Move each PostgreSQL id sequence past the ids that were inserted explicitly."""
    preparer = connection.dialect.identifier_preparer
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = connection.execute(
            select(func.pg_get_serial_sequence(preparer.format_table(table), column.name))
        ).scalar_one_or_none()
        if sequence is None:
            continue
        highest = select(func.coalesce(func.max(column), 0)).scalar_subquery()
        connection.execute(select(func.setval(sequence, highest + 1, False)))


def _rebuild_derived_indexes(connection: Connection) -> None:
    """Indexes declared by no model (the portal's full-text index) are rebuilt from the rows;
    the portal's own tables are restored as they were, so the result equals the original."""
    rows = connection.execute(select(col(Program.id))).scalars()
    ids = [program_id for program_id in rows if program_id is not None]
    with Session(bind=connection) as session:
        reindex_programs(session, ids)


def restore_backup(engine: Engine, path: Path, *, force: bool = False) -> Manifest:
    """Restore ``path`` into the migrated database of ``engine``, in one transaction.

    Refuses (``BackupRefused``, nothing written) a damaged or incompatible backup, and a target
    that holds data unless ``force``, which replaces that data.
    """
    require_current_database(engine)
    with _opened(path) as archive:
        manifest = _readable_manifest(archive)
        _check_contents(archive, manifest)
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                # Take the write lock first, so the emptiness check and the writes are atomic.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            tables = backed_up_tables(connection)
            _require_same_tables(manifest, tables)
            occupied = _tables_with_data(connection, tables)
            if occupied and not force:
                raise BackupRefused(
                    f"the target database already holds data ({', '.join(occupied)}); restore "
                    "into an empty database, or pass --force to replace its data"
                )
            for table in reversed(tables):
                connection.execute(table.delete())
            for table in tables:
                _insert_rows(connection, table, _member_lines(archive, manifest.table(table.name)))
            if engine.dialect.name == "postgresql":
                _reset_sequences(connection, tables)
            _rebuild_derived_indexes(connection)
            connection.commit()
    return manifest
