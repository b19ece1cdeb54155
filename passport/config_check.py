"""Start-up checks: refuse a configuration that would start and then fail on first use.

``passport serve``, ``passport worker`` and ``passport check-config`` run the same checks
(docs/operations.md, "Checking the configuration"). A *problem* stops the command with exit code
2, one line per problem and no traceback; a *warning* (an unknown ``PASSPORT_*`` name, most often
a typo) is printed and the command goes on. The messages never repeat a secret's value.

>>> from passport.settings import Settings
>>> configuration_problems(Settings(master_key="not-a-key"))
['PASSPORT_MASTER_KEY: the master key is not unpadded base64url text; make one with: python3 -c "import secrets; print(secrets.token_urlsafe(32))"']
>>> unknown_setting_warnings({"PASSPORT_MASTER_KEYFILE": "/run/key"})
['warning: PASSPORT_MASTER_KEYFILE is not a setting of Learner Passport and is ignored; did you mean PASSPORT_MASTER_KEY_FILE?']
"""  # noqa: E501

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path

from credentials import InvalidKey, PassportError
from keys import load_master_key
from passport.settings import Mode, Settings

PREFIX = "PASSPORT_"
# The test suite's own variables (PASSPORT_TEST_DATABASE_URL...) are not settings.
TEST_PREFIX = "PASSPORT_TEST_"
MAKE_A_KEY = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'


class ConfigurationRefused(PassportError):
    """The configuration cannot work; ``problems`` holds one line per reason."""

    code = "configuration_refused"
    status = 500

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def known_setting_names() -> frozenset[str]:
    """Every ``PASSPORT_*`` variable the settings read."""
    return frozenset(PREFIX + name.upper() for name in Settings.model_fields)


def unknown_setting_warnings(environ: Mapping[str, str]) -> list[str]:
    """One warning per ``PASSPORT_*`` variable that no setting reads, naming the nearest one."""
    known = known_setting_names()
    warnings = []
    for name in sorted(environ):
        if not name.startswith(PREFIX) or name.startswith(TEST_PREFIX) or name in known:
            continue
        nearest = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"; did you mean {nearest[0]}?" if nearest else ""
        warnings.append(
            f"warning: {name} is not a setting of Learner Passport and is ignored{hint}"
        )
    return warnings


def _master_key_problem(settings: Settings) -> str | None:
    if settings.master_key is not None:
        try:
            load_master_key(settings.master_key.get_secret_value())
        except InvalidKey as error:
            return f"PASSPORT_MASTER_KEY: {error.message}; make one with: {MAKE_A_KEY}"
        return None
    if settings.master_key_file is None:
        return None
    return _key_file_problem(settings.master_key_file)


def _key_file_problem(path: Path) -> str | None:
    try:
        content = path.read_bytes()
    except OSError as error:
        return f"PASSPORT_MASTER_KEY_FILE: cannot read {path}: {error.strerror}"
    try:
        load_master_key(content)
    except InvalidKey as error:
        return f"PASSPORT_MASTER_KEY_FILE: {path}: {error.message}"
    return None


def _registry_file_problems(settings: Settings) -> list[str]:
    problems = []
    for path in settings.registry_files:
        if not os.access(path, os.R_OK) or not path.is_file():
            problems.append(f"PASSPORT_REGISTRY_FILES: cannot read {path}")
    return problems


def configuration_problems(settings: Settings) -> list[str]:
    """What would break this deployment once running; empty when the configuration is usable."""
    problems = []
    master_key = _master_key_problem(settings)
    if master_key is not None:
        problems.append(master_key)
    problems += _registry_file_problems(settings)
    if settings.mode is Mode.PRODUCTION and not settings.uses_https:
        problems.append(
            f"PASSPORT_BASE_URL: {settings.base_url} is not https; production mode needs the "
            "public https address (the proxy terminates TLS)"
        )
    return problems


def check_configuration(settings: Settings, environ: Mapping[str, str]) -> list[str]:
    """Raise ``ConfigurationRefused`` on any problem; otherwise return the warnings."""
    problems = configuration_problems(settings)
    if problems:
        raise ConfigurationRefused(problems)
    return unknown_setting_warnings(environ)
