"""Untrusted JSON: size, depth, duplicate keys, encodings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credentials.errors import InputTooLarge, InvalidInput
from credentials.jsonio import member_text, parse_json, parse_json_object


def test_parses_object() -> None:
    assert parse_json_object('{"name": "Électricité"}'.encode()) == {"name": "Électricité"}


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


def test_member_text_is_the_senders_text_byte_for_byte() -> None:
    credential = '{ "name":"Amélie \\u00e9\\"x\\"" ,"n" : 1.0E3, "list":[ {"a":[]}, "}" ] }'
    response = f'{{"c_nonce": "{{[", "credentials" : [\n  {{ "credential" :{credential}\t}} ] }}'
    parse_json(response)  # the caller parses first: no duplicate names, well formed
    assert member_text(response, ["credentials", 0, "credential"]) == credential
    assert member_text(response, ["credentials", 0, "credential", "list", 1]) == '"}"'
    with pytest.raises(InvalidInput, match="no 1 in"):
        member_text(response, ["credentials", 1])
    with pytest.raises(InvalidInput, match="not a JSON"):
        member_text(response, ["c_nonce", "x"])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(_JSON, _JSON, st.sampled_from([None, 0, 2]), st.booleans())
def test_member_text_finds_any_member_however_the_document_is_written(
    credential: object, neighbour: object, indent: int | None, ascii_only: bool
) -> None:
    response = {"before": neighbour, "credentials": [{"credential": credential}], "z": neighbour}
    text = json.dumps(response, indent=indent, ensure_ascii=ascii_only)
    member = member_text(text, ["credentials", 0, "credential"])
    assert member in text
    assert json.loads(member) == credential
