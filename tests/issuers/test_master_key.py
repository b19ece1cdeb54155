"""The master key: configured, from a file, or (development only) generated with a warning."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import pytest

from credentials.errors import InvalidKey
from credentials.multibase import encode_base64url
from issuers.master_key import MasterKeySource, MasterKeyUnavailable
from keys.crypto_envelope import load_master_key


def test_development_key_is_generated_once_with_a_loud_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    key_file = tmp_path / "var" / "development-master.key"
    source = MasterKeySource(None, None, allow_development_key=True, development_key_file=key_file)
    with caplog.at_level(logging.WARNING, logger="issuers.master_key"):
        first = source.get()
    assert "DEVELOPMENT master key" in capsys.readouterr().err
    assert "DEVELOPMENT master key" in caplog.text
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert source.get() is first
    again = MasterKeySource(None, None, allow_development_key=True, development_key_file=key_file)
    assert again.get().kek_id == first.kek_id
    assert [path.name for path in key_file.parent.iterdir()] == [key_file.name]


def test_configured_key_wins_and_makes_no_file(tmp_path: Path) -> None:
    value = encode_base64url(secrets.token_bytes(32))
    key_file = tmp_path / "dev.key"
    source = MasterKeySource(value, None, allow_development_key=True, development_key_file=key_file)
    assert source.get().kek_id == load_master_key(value).kek_id
    assert not key_file.exists()
    assert value not in repr(source)


def test_key_file_is_read(tmp_path: Path) -> None:
    value = encode_base64url(secrets.token_bytes(32))
    key_file = tmp_path / "master.key"
    key_file.write_text(value + "\n")
    source = MasterKeySource(None, key_file, allow_development_key=False)
    assert source.get().kek_id == load_master_key(value).kek_id


def test_without_a_key_outside_development_it_refuses(tmp_path: Path) -> None:
    key_file = tmp_path / "dev.key"
    source = MasterKeySource(None, None, allow_development_key=False, development_key_file=key_file)
    with pytest.raises(InvalidKey, match="no master key"):
        source.get()
    assert not key_file.exists()


def test_an_unreadable_key_file_is_a_server_fault_whose_path_goes_only_to_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Issue 20, problem 1: the path of the missing file was in every issue call's 400 body.
    missing = MasterKeySource(None, tmp_path / "absent.key", allow_development_key=False)
    with pytest.raises(MasterKeyUnavailable) as refused:
        missing.get()
    assert refused.value.status == 503
    assert str(tmp_path) not in refused.value.message
    assert f"cannot read the master key file {tmp_path / 'absent.key'}" in caplog.text
