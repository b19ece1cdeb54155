"""``passport backup`` / ``passport restore``: a portable, consistent copy of a whole deployment.

A backup is one zip file: ``manifest.json`` (format version, Alembic revision, creation time, the
deployment's instance id, and per table its row count and the SHA-256 of its data) and one JSON
Lines file per table under ``tables/``. It is read in ONE transaction (``REPEATABLE READ``, read
only, on PostgreSQL; one ``BEGIN`` on SQLite, whose WAL gives that transaction one snapshot), so
it shows the deployment at one instant. Tables come from ``SQLModel.metadata`` after importing
``passport.tables``, so every component's tables are included without a list here, in foreign key
order (``sorted_tables``), which is also the order restore inserts them in.

Values are written per column type so they read back exactly: bytes as base64, datetimes as
ISO 8601 with their offset, text as JSON strings (signed credentials stay byte-identical).
Private keys are in the backup still sealed under the master key, which is NOT in it.

``passport.restore`` reads a backup back, all or nothing.

>>> BACKUP_FORMAT, BACKUP_FORMAT_VERSION
('learner-passport-backup', 1)
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Table, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import SQLModel

import passport.tables  # noqa: F401  (registers every component's tables on SQLModel.metadata)
from credentials import PassportError
from passport.database import UPGRADE_COMMAND, DeploymentInfo, head_revision

BACKUP_FORMAT = "learner-passport-backup"
BACKUP_FORMAT_VERSION = 1
BACKUP_FILE_MODE = 0o600
MANIFEST_NAME = "manifest.json"
TABLES_DIR = "tables"
INSERT_CHUNK_ROWS = 500
READ_CHUNK_ROWS = 1000
DEPLOYMENT_TABLE = DeploymentInfo.__tablename__


class BackupRefused(PassportError):
    """A backup cannot be taken, or a backup file cannot be restored; nothing was written."""

    code = "backup_refused"


@dataclass(frozen=True)
class TableEntry:
    name: str
    rows: int
    sha256: str

    @property
    def member(self) -> str:
        return f"{TABLES_DIR}/{self.name}.jsonl"


@dataclass(frozen=True)
class Manifest:
    format_version: int
    alembic_revision: str
    created_at: str
    instance_id: str
    backend: str
    tables: tuple[TableEntry, ...]

    def to_json(self) -> bytes:
        body = {"format": BACKUP_FORMAT, **asdict(self)}
        return json.dumps(body, indent=2, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            body = json.loads(data)
            if body.pop("format") != BACKUP_FORMAT:
                raise ValueError("wrong format")
            tables = tuple(TableEntry(**entry) for entry in body.pop("tables"))
            manifest = cls(**body, tables=tables)
        except (ValueError, TypeError, KeyError, AttributeError):
            raise BackupRefused(f"{MANIFEST_NAME} is not a Learner Passport manifest") from None
        if manifest.format_version != BACKUP_FORMAT_VERSION:
            raise BackupRefused(
                f"backup format version {manifest.format_version} is not supported "
                f"(this version reads version {BACKUP_FORMAT_VERSION})"
            )
        return manifest

    def table(self, name: str) -> TableEntry:
        return next(entry for entry in self.tables if entry.name == name)


def backed_up_tables(connection: Connection) -> list[Table]:
    """Every model's table that the database has, parents before children.

    The database is at this code's head revision (checked first), so a model without a table
    is one whose migration has not been written yet: it cannot hold data.
    """
    present = set(inspect(connection).get_table_names())
    return [table for table in SQLModel.metadata.sorted_tables if table.name in present]


def _python_type(type_: TypeEngine[Any]) -> type:
    if isinstance(type_, TypeDecorator):
        return _python_type(type_.impl_instance)
    try:
        return type_.python_type
    except NotImplementedError:
        # SQLAlchemy's documented answer for types without one; their values go as JSON.
        return object


def encode_value(column: Column[Any], value: Any) -> Any:
    """A column value as JSON that ``decode_value`` turns back into the same value."""
    if value is None:
        return None
    kind = _python_type(column.type)
    if kind is bytes:
        return base64.b64encode(value).decode("ascii")
    if kind in (datetime, date, time):
        return value.isoformat()
    if kind is timedelta:
        return value.total_seconds()
    if kind in (Decimal, UUID):
        return str(value)
    return value


def decode_value(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = _python_type(column.type)
    if kind is bytes:
        return base64.b64decode(value, validate=True)
    if kind in (datetime, date, time):
        return kind.fromisoformat(value)
    if kind is timedelta:
        return timedelta(seconds=value)
    if kind in (Decimal, UUID):
        return kind(value)
    return value


def _ordered_select(table: Table) -> Any:
    order = list(table.primary_key.columns) or list(table.columns)
    return select(table).order_by(*order)


def _row_line(table: Table, row: Any) -> bytes:
    values = {column.name: encode_value(column, row[column.name]) for column in table.columns}
    return (json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _member_info(name: str, now: datetime) -> zipfile.ZipInfo:
    stamp = (now.year, now.month, now.day, now.hour, now.minute, now.second)
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _dump_table(
    connection: Connection, table: Table, archive: zipfile.ZipFile, now: datetime
) -> TableEntry:
    digest, rows = hashlib.sha256(), 0
    result = connection.execution_options(yield_per=READ_CHUNK_ROWS).execute(_ordered_select(table))
    info = _member_info(f"{TABLES_DIR}/{table.name}.jsonl", now)
    with archive.open(info, "w", force_zip64=True) as member:
        for row in result.mappings():
            line = _row_line(table, row)
            digest.update(line)
            member.write(line)
            rows += 1
    return TableEntry(table.name, rows, digest.hexdigest())


@contextmanager
def _read_snapshot(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction that sees the whole database at one instant."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        if engine.dialect.name == "sqlite":
            # pysqlite opens no transaction for SELECTs: without BEGIN each would see its own
            # moment. In WAL mode the first read fixes the snapshot for the whole transaction.
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


def _require_head(connection: Connection) -> str:
    found = set(MigrationContext.configure(connection).get_current_heads())
    head = head_revision()
    if found != {head}:
        current = ", ".join(sorted(found)) or "none (never migrated)"
        raise BackupRefused(
            f"the database is at revision {current}, but this version of Learner Passport "
            f"backs up revision {head}; run `{UPGRADE_COMMAND}` first"
        )
    return head


def _instance_id(connection: Connection) -> str:
    table = SQLModel.metadata.tables[DEPLOYMENT_TABLE]
    instance = connection.execute(select(table.c.instance_id)).scalar_one_or_none()
    return str(instance or "")


def write_backup(engine: Engine, out: Path, now: datetime) -> Manifest:
    """Write the whole deployment to ``out`` (a new file; an existing one is never replaced).

    The file appears only when complete: it is written beside ``out`` and renamed at the end.
    It is created readable by its owner only (mode 0600, whatever the umask): it holds every
    learner's personal data and the sealed private keys.
    """
    if out.exists():
        raise BackupRefused(f"{out} already exists; choose a new file name")
    partial = out.with_name(f"{out.name}.partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, BACKUP_FILE_MODE)
        os.fchmod(descriptor, BACKUP_FILE_MODE)  # an existing partial file kept its old mode
        with (
            os.fdopen(descriptor, "wb") as file,
            _read_snapshot(engine) as connection,
            zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            revision = _require_head(connection)
            entries = tuple(
                _dump_table(connection, table, archive, now)
                for table in backed_up_tables(connection)
            )
            manifest = Manifest(
                format_version=BACKUP_FORMAT_VERSION,
                alembic_revision=revision,
                created_at=now.isoformat(),
                instance_id=_instance_id(connection),
                backend=engine.dialect.name,
                tables=entries,
            )
            archive.writestr(_member_info(MANIFEST_NAME, now), manifest.to_json())
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return manifest
