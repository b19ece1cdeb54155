"""``passport serve``, ``passport db upgrade`` and ``passport demo``: running the web application.

All three read the ``PASSPORT_*`` settings. An unusable setting or database ends the command with
exit code 2 and a one-line reason on stderr (never a traceback), e.g. ``passport serve`` on an
unmigrated PostgreSQL database names ``passport db upgrade``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from sqlmodel import Session

from credentials.errors import PassportError
from passport.app import create_app, master_key_source
from passport.database import _engine_for, prepare_database, redacted_url, upgrade_database
from passport.settings import Settings
from portal.demo import seed_demo_catalog

UNUSABLE_INPUT_EXIT_CODE = 2


@contextmanager
def _unusable_input_exits() -> Iterator[None]:
    """Turn invalid settings and ``PassportError`` into exit code 2 with a one-line reason."""
    try:
        yield
    except ValidationError as error:
        reasons = "; ".join(item["msg"].removeprefix("Value error, ") for item in error.errors())
        typer.echo(f"error: invalid settings: {reasons}", err=True)
        raise typer.Exit(UNUSABLE_INPUT_EXIT_CODE) from None
    except PassportError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(UNUSABLE_INPUT_EXIT_CODE) from None


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    ssl_certfile: Annotated[
        str | None, typer.Option(help="Serve HTTPS with this certificate (PEM).")
    ] = None,
    ssl_keyfile: Annotated[str | None, typer.Option(help="The certificate's key (PEM).")] = None,
) -> None:
    """Run the web application (a SQLite database is created and migrated automatically).

    A PostgreSQL database must first be migrated with `passport db upgrade`. The Open Badges
    API answers only over HTTPS: here with --ssl-certfile, or behind a TLS proxy.
    """
    with _unusable_input_exits():
        settings = Settings()
        typer.echo(prepare_database(settings))
    if ssl_certfile is None:
        uvicorn.run(create_app(settings), host=host, port=port)
        return
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
    )


def db_upgrade() -> None:
    """Migrate the configured database (PASSPORT_DATABASE_URL) to this version's schema."""
    with _unusable_input_exits():
        settings = Settings()
        revision = upgrade_database(settings)
    typer.echo(f"database {redacted_url(settings.database_url)} is at revision {revision}")


def demo() -> None:
    """Prepare the configured database for a demonstration: migrate it and seed the portal's
    catalog (institutions, programs, employer endorsements); running it again adds nothing."""
    with _unusable_input_exits():
        settings = Settings()
        revision = upgrade_database(settings)
        typer.echo(f"migrated {redacted_url(settings.database_url)} to revision {revision}")
        master = master_key_source(settings).get()
        with _engine_for(settings.database_url) as engine, Session(engine) as session:
            seeded = seed_demo_catalog(session, master, datetime.now(UTC), settings.base_url)
    typer.echo(
        f"demo catalog: added {seeded.institutions} institutions, {seeded.programs} programs, "
        f"{seeded.employers} employers, {seeded.endorsements} endorsements"
    )


def register_server_commands(app: typer.Typer) -> None:
    """Add ``serve``, ``db upgrade`` and ``demo`` to the ``passport`` command line."""
    app.command("serve")(serve)
    app.command("demo")(demo)
    database = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
    database.command("upgrade")(db_upgrade)
    app.add_typer(database, name="db")
