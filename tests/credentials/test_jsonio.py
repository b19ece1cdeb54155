"""Untrusted JSON: size, depth, duplicate keys, encodings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credentials.errors import InputTooLarge, InvalidInput
from credentials.jsonio import parse_json, parse_json_object


def test_parses_object_and_strips_bom() -> None:
    assert parse_json_object('\ufeff{"name": "Électricité"}'.encode()) == {"name": "Électricité"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{", "malformed JSON"),
        (b'{"a": NaN}', "does not allow NaN"),
        (b'{"proof": 1, "proof": 2}', "duplicate key 'proof'"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[1, 2]", "expected a JSON object"),
    ],
)
def test_bad_json_gets_clear_reason(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_json_object(data)


def test_oversized_document_refused() -> None:
    with pytest.raises(InputTooLarge, match="limit is 1048576"):
        parse_json(b'"' + b"a" * (1024 * 1024) + b'"')


def test_json_bomb_refused_quickly_at_depth_65() -> None:
    with pytest.raises(InputTooLarge, match="deeper than 64"):
        parse_json("[" * 200_000 + "]" * 200_000)
    assert parse_json("[" * 64 + "]" * 64) is not None
    with pytest.raises(InputTooLarge):
        parse_json("[" * 65 + "]" * 65)


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    assert parse_json(json.dumps({"text": "[" * 500 + '\\"{'})) == {"text": "[" * 500 + '\\"{'}


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists, max_leaves=20))
def test_round_trips_any_shallow_json(value: object) -> None:
    assert parse_json(json.dumps(value)) == value
