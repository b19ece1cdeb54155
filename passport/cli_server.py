"""``passport serve``, ``check-config``, ``db upgrade`` and ``demo``: running the web application.

All read the ``PASSPORT_*`` settings. An unusable setting or database ends the command with
exit code 2 and a one-line reason on stderr (never a traceback), e.g. ``passport serve`` on an
unmigrated PostgreSQL database names ``passport db upgrade``. ``serve`` and ``check-config`` run
the start-up checks of ``passport.config_check`` first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from sqlmodel import Session

from credentials import PassportError
from infra import disposable_engine, redacted_url
from issuers import DEMO_PASSWORD
from passport.app import create_app, master_key_source
from passport.asgi import exec_workers
from passport.config_check import ConfigurationRefused, check_configuration
from passport.database import prepare_database, upgrade_database
from passport.demo_journey import DEMO_LEARNERS, JourneyReport, seed_demo_journey
from passport.log_setup import LOG_FORMATS, LogFormat, logging_config
from passport.settings import Settings
from portal import seed_demo_catalog

UNUSABLE_INPUT_EXIT_CODE = 2
GRACEFUL_SHUTDOWN_SECONDS = 30


@contextmanager
def _unusable_input_exits() -> Iterator[None]:
    """Turn invalid settings and ``PassportError`` into exit code 2 with a one-line reason."""
    try:
        yield
    except ValidationError as error:
        reasons = "; ".join(item["msg"].removeprefix("Value error, ") for item in error.errors())
        typer.echo(f"error: invalid settings: {reasons}", err=True)
        raise typer.Exit(UNUSABLE_INPUT_EXIT_CODE) from None
    except ConfigurationRefused as error:
        for problem in error.problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(UNUSABLE_INPUT_EXIT_CODE) from None
    except PassportError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(UNUSABLE_INPUT_EXIT_CODE) from None


def checked_settings() -> Settings:
    """The settings, refused (``ConfigurationRefused``) when they cannot work; warnings for
    unknown ``PASSPORT_*`` names go to stderr."""
    settings = Settings()
    for warning in check_configuration(settings, os.environ):
        typer.echo(warning, err=True)
    return settings


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (each a whole app).")
    ] = 1,
    graceful_timeout: Annotated[
        int,
        typer.Option(
            min=0,
            help="Seconds to let requests in flight finish at shutdown before closing them.",
        ),
    ] = GRACEFUL_SHUTDOWN_SECONDS,
    log_format: Annotated[
        str | None,
        typer.Option(help="json or text (default: PASSPORT_LOG_FORMAT; json in production)."),
    ] = None,
    access_log: Annotated[
        bool | None,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request (default: PASSPORT_ACCESS_LOG, on).",
        ),
    ] = None,
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
        settings = served_settings(checked_settings(), host, port)
        chosen_format = _log_format(log_format, settings)
        typer.echo(prepare_database(settings))
    typer.echo(f"serving {settings.base_url} ({settings.mode} mode)")
    access = settings.access_log if access_log is None else access_log
    if workers > 1:
        exec_workers(
            host=host,
            port=port,
            workers=workers,
            graceful_timeout=graceful_timeout,
            log_format=chosen_format,
            access=access,
        )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        timeout_graceful_shutdown=graceful_timeout,
        log_config=logging_config(chosen_format, access_log=access),
        access_log=False,  # passport.access logs every request with its route template
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
    )


def _log_format(option: str | None, settings: Settings) -> LogFormat:
    if option is None:
        return settings.effective_log_format
    if option not in LOG_FORMATS:
        raise typer.BadParameter(f"--log-format must be json or text, not {option!r}")
    return "json" if option == "json" else "text"


def check_config() -> None:
    """Check the configuration offline (no database, no network): the same checks as `serve`.

    Exit code 0 when it is usable (warnings may be printed), 2 with one line per problem.
    """
    with _unusable_input_exits():
        settings = checked_settings()
    typer.echo(
        f"configuration is usable: mode {settings.mode}, base URL {settings.base_url}, "
        f"database {redacted_url(settings.database_url)}"
    )


def served_settings(settings: Settings, host: str, port: int) -> Settings:
    """Without ``PASSPORT_BASE_URL``, links name the address served (``--host``, ``--port``):
    claim links and status lists must reach this server, not the default port 8000."""
    if "base_url" in settings.model_fields_set:
        return settings
    # Listening on every interface: links name the loopback address, reachable from here.
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    if ":" in shown:
        shown = f"[{shown}]"
    return settings.model_copy(update={"base_url": f"http://{shown}:{port}"})


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
        now = datetime.now(UTC)
        with disposable_engine(settings.database_url) as engine, Session(engine) as session:
            seeded = seed_demo_catalog(session, master, now, settings.base_url)
            app = create_app(settings)
            try:
                people = seed_demo_journey(session, app, master, now)
            finally:
                app.state.engine.dispose()
    typer.echo(
        f"demo catalog: added {seeded.institutions} institutions, {seeded.programs} programs, "
        f"{seeded.employers} employers, {seeded.endorsements} endorsements"
    )
    _print_demo_people(settings.base_url, people)


def _print_demo_people(base_url: str, people: JourneyReport) -> None:
    typer.echo(
        f"demo people: added {people.learners_added} learners holding "
        f"{people.credentials_claimed} claimed credentials; every password is {DEMO_PASSWORD}"
    )
    typer.echo(f"  registrars sign in at {base_url}/console as:")
    for name, email in people.staff:
        typer.echo(f"    {email}  ({name})")
    typer.echo(f"  learners sign in at {base_url}/passport as:")
    for person in DEMO_LEARNERS:
        typer.echo(f"    {person.email}  ({person.name})")
    typer.echo(f"  an employer's presentation request: {people.employer_request_link}")


def register_server_commands(app: typer.Typer) -> None:
    """Add ``serve``, ``check-config``, ``db upgrade`` and ``demo`` to the command line."""
    app.command("serve")(serve)
    app.command("check-config")(check_config)
    app.command("demo")(demo)
    database = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
    database.command("upgrade")(db_upgrade)
    app.add_typer(database, name="db")
