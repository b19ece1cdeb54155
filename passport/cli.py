"""The ``passport`` command line: one Typer app composed from the component command modules.

Exit codes: 0 success, 1 a verification that did not pass, 2 unusable input (with a one-line
reason on stderr, never a traceback).
"""

from __future__ import annotations

import typer

from passport.cli_credentials import register_credential_commands
from passport.cli_server import register_server_commands
from verifier.cli import register_verifier_commands

app = typer.Typer(
    name="passport",
    help="Learner Passport: issue, hold and verify Open Badges 3.0 micro-credentials.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
register_credential_commands(app)
register_server_commands(app)
register_verifier_commands(app)
