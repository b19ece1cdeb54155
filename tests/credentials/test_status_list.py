"""Bitstring Status List 1.0: published lists, round trips, bit order and refused inputs."""

from __future__ import annotations

import base64
import gzip
import json
import time
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.errors import InvalidInput
from credentials.status_list import (
    MIN_ENTRIES,
    Bitstring,
    StatusEntry,
    StatusListError,
    StatusProblem,
    decode_list,
    encode_list,
    new_status_list_credential,
    parse_status_entry,
    status_of,
)

EXAMPLES = Path(__file__).parents[1] / "vectors" / "examples" / "1edtech-validator"
# Bitstring Status List 1.0 (W3C Recommendation), section 2.2, example 3: an all-zero list.
SPEC_EXAMPLE_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
LIST_URL = "https://example.com/credentials/status/3"


def load(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return result


def u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def entry(**overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    value.update(overrides)
    return {key: item for key, item in value.items() if item is not None}


def list_credential(bits: Bitstring, purpose: str = "revocation") -> dict[str, Any]:
    return new_status_list_credential(
        LIST_URL,
        "did:example:12345",
        purpose,
        encode_list(bits),
        valid_from=datetime(2021, 4, 5, 14, 27, 40, tzinfo=UTC),
    )


def problem_of(error: pytest.ExceptionInfo[StatusListError]) -> StatusProblem:
    return error.value.problem


# Published lists --------------------------------------------------------------------------------


def test_1edtech_list_has_exactly_bit_23_set() -> None:
    subject = load("ob30-status-list-credential.json")["credentialSubject"]
    bits = decode_list(subject["encodedList"])
    assert bits.length == MIN_ENTRIES
    # Index 23 is byte 2, least significant bit: 0x80 >> 7 (MSB-first, section 2.2).
    expected = bytearray(MIN_ENTRIES // 8)
    expected[2] = 0x01
    assert bits.to_bytes() == bytes(expected)
    assert (bits.get(22), bits.get(23), bits.get(24)) == (0, 1, 0)


def test_1edtech_revoked_credential_resolves_to_revoked() -> None:
    credential = load("ob30-status-revoked-bitstring.json")
    status_entry = parse_status_entry(credential["credentialStatus"])
    assert status_entry.index == 23  # an integer in the fixture (standards.md pitfall 4)
    assert status_entry.purpose == "revocation"
    result = status_of(status_entry, load("ob30-status-list-credential.json"))
    assert (result.status, result.valid, result.purpose, result.message) == (
        1,
        False,
        "revocation",
        "set",
    )


def test_spec_example_list_is_all_zero() -> None:
    bits = decode_list(SPEC_EXAMPLE_LIST)
    assert bits.to_bytes() == bytes(MIN_ENTRIES // 8)


def test_string_and_integer_index_are_the_same_entry() -> None:
    list_vc = load("ob30-status-list-credential.json")
    for index in ("23", 23):
        status_entry = parse_status_entry(entry(statusListIndex=index))
        assert status_of(status_entry, list_vc).status == 1
    assert status_of(parse_status_entry(entry(statusListIndex="22")), list_vc).valid


# Round trips and bit order ----------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(0, MIN_ENTRIES - 1), max_size=64))
def test_encode_decode_round_trip(indexes: set[int]) -> None:
    bits = Bitstring()
    for index in indexes:
        bits.set(index)
    decoded = decode_list(encode_list(bits))
    assert decoded.to_bytes() == bits.to_bytes()
    assert int.from_bytes(decoded.to_bytes(), "big").bit_count() == len(indexes)
    assert all(decoded.get(index) == 1 for index in indexes)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_set_get_multi_bit(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, 8), label="size")
    index = data.draw(st.integers(1, MIN_ENTRIES - 2), label="index")
    value = data.draw(st.integers(0, (1 << size) - 1), label="value")
    bits = Bitstring(status_size=size)
    full = (1 << size) - 1
    bits.set(index - 1, full)
    bits.set(index + 1, full)
    bits.set(index, value)
    assert (bits.get(index - 1), bits.get(index), bits.get(index + 1)) == (full, value, full)
    assert int.from_bytes(bits.to_bytes(), "big").bit_count() == 2 * size + value.bit_count()
    bits.clear(index)
    assert bits.get(index) == 0
    assert bits.get(index - 1) == full


def test_bit_order_is_most_significant_first() -> None:
    bits = Bitstring()
    bits.set(0)
    assert bits.to_bytes()[:2] == b"\x80\x00"
    bits.set(7)
    bits.set(8)
    assert bits.to_bytes()[:2] == b"\x81\x80"
    two = Bitstring(status_size=2)
    two.set(0, 0b10)
    two.set(1, 0b11)
    assert two.to_bytes()[0] == 0b1011_0000
    three = Bitstring(status_size=3)
    three.set(2, 0b101)  # bits 6, 7, 8: straddles the first byte boundary
    assert three.to_bytes()[:2] == bytes([0b0000_0010, 0b1000_0000])


def test_encoding_is_deterministic() -> None:
    bits = Bitstring()
    bits.set(94567)
    first = encode_list(bits)
    assert first == encode_list(bits)
    header = base64.urlsafe_b64decode(first[1:17])
    assert header[:2] == b"\x1f\x8b" and header[4:8] == b"\0\0\0\0"  # GZIP, mtime 0


def test_set_refuses_value_wider_than_status_size() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        Bitstring().set(0, 2)


# Refused lists ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "reason"),
    [
        ("z" + SPEC_EXAMPLE_LIST[1:], "starting with 'u'"),
        ("", "starting with 'u'"),
        ("uH4sI!AAA", "base64url"),
        ("uH4sIA=", "base64url"),
        (u(b"not gzip at all, just text"), "not valid GZIP"),
        (u(zlib.compress(bytes(MIN_ENTRIES // 8))), "not valid GZIP"),
        (u(gzip.compress(bytes(MIN_ENTRIES // 8), mtime=0)[:-12]), "truncated"),
        (u(gzip.compress(bytes(MIN_ENTRIES // 8), mtime=0) + b"extra"), "after the GZIP"),
    ],
)
def test_malformed_lists_are_refused(encoded: str, reason: str) -> None:
    with pytest.raises(StatusListError, match=reason) as error:
        decode_list(encoded)
    assert problem_of(error) is StatusProblem.MALFORMED_VALUE_ERROR


def test_short_list_is_a_length_error() -> None:
    with pytest.raises(StatusListError) as error:
        decode_list(u(gzip.compress(bytes(MIN_ENTRIES // 8 - 1))))
    assert problem_of(error) is StatusProblem.STATUS_LIST_LENGTH_ERROR
    # Two bits per entry: a 16 KB list holds only 65,536 entries (section 3.2 step 9).
    with pytest.raises(StatusListError) as error:
        decode_list(SPEC_EXAMPLE_LIST, status_size=2)
    assert problem_of(error) is StatusProblem.STATUS_LIST_LENGTH_ERROR
    with pytest.raises(StatusListError) as error:
        Bitstring(MIN_ENTRIES - 1)
    assert problem_of(error) is StatusProblem.STATUS_LIST_LENGTH_ERROR


def gzip_bomb(megabytes: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    parts = [compressor.compress(zeros) for _ in range(megabytes)]
    return b"".join(parts) + compressor.flush()


def test_gzip_bomb_is_refused_fast_without_expanding_it() -> None:
    bomb = u(gzip_bomb(100))
    assert len(bomb) < 200_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(StatusListError, match="expands to more than") as error:
            decode_list(bomb)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.value.code == "input_too_large"
    assert elapsed < 2.0
    assert peak < 40 * 1024 * 1024  # the 16 MiB cap plus the input, never the 100 MB


def test_oversized_encoded_list_is_refused_before_decoding() -> None:
    with pytest.raises(StatusListError, match="compressed bytes") as error:
        decode_list("u" + "A" * 4000, max_compressed=1000)
    assert error.value.code == "input_too_large"


# Entries ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "index",
    [" 23", "23 ", "+23", "-1", -1, "0x17", "1e3", "2 3", "٢٣", "", 23.0, True, None, [23]],
)
def test_malformed_index_is_refused(index: Any) -> None:
    with pytest.raises(StatusListError) as error:
        parse_status_entry(entry(statusListIndex=index))
    assert problem_of(error) is StatusProblem.MALFORMED_VALUE_ERROR


@pytest.mark.parametrize("index", ["9" * 17, "1" * 5000, 2**53, "9007199254740992"])
def test_absurd_index_is_refused(index: Any) -> None:
    with pytest.raises(StatusListError, match="between 0 and"):
        parse_status_entry(entry(statusListIndex=index))


def test_largest_index_is_parsed() -> None:
    assert parse_status_entry(entry(statusListIndex="9007199254740991")).index == 2**53 - 1
    assert parse_status_entry(entry(statusListIndex="0")).index == 0


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"type": "RevocationList2020Status"}, "type must be"),
        ({"type": None}, "type must be"),
        ({"statusPurpose": None}, "statusPurpose"),
        ({"statusPurpose": 1}, "statusPurpose"),
        ({"statusListCredential": None}, "statusListCredential"),
        ({"id": LIST_URL}, "must not be the status list URL"),
        ({"statusSize": 0}, "greater than zero"),
        ({"statusSize": True}, "greater than zero"),
        ({"statusSize": "2"}, "greater than zero"),
        ({"statusSize": 9}, "supported maximum"),
        ({"statusSize": 2}, "statusMessage is required"),
        ({"statusSize": 1, "statusMessage": [{"status": "0x0", "message": "ok"}]}, "list of 2"),
        (
            {
                "statusMessage": [
                    {"status": "0x0", "message": "a"},
                    {"status": "0x0", "message": "b"},
                ]
            },
            "repeated",
        ),
        (
            {
                "statusMessage": [
                    {"status": "0x0", "message": "a"},
                    {"status": "0x2", "message": "b"},
                ]
            },
            "out of range",
        ),
        ({"statusMessage": [{"status": "0", "message": "a"}, {"status": "0x1"}]}, "0x1"),
        ({"statusMessage": [{"status": "0x0", "message": "a"}, {"status": "0x1"}]}, "message"),
    ],
)
def test_malformed_entry_is_refused(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(StatusListError, match=reason) as error:
        parse_status_entry(entry(**overrides))
    assert problem_of(error) is StatusProblem.MALFORMED_VALUE_ERROR


def test_entry_must_be_an_object() -> None:
    with pytest.raises(StatusListError, match="must be an object"):
        parse_status_entry(["not", "an", "object"])  # type: ignore[arg-type]


def test_multi_bit_entry_reports_its_message() -> None:
    # Section 2.1, example 2 (statusPurpose "message", statusSize 2), completed to 4 messages.
    messages = [
        {"status": "0x0", "message": "pending_review"},
        {"status": "0x1", "message": "accepted"},
        {"status": "0x2", "message": "rejected"},
        {"status": "0x3", "message": "undefined"},
    ]
    status_entry = parse_status_entry(
        entry(
            statusPurpose="message", statusListIndex="492847", statusSize=2, statusMessage=messages
        )
    )
    bits = Bitstring(MIN_ENTRIES * 4, status_size=2)
    bits.set(492847, 2)
    result = status_of(status_entry, list_credential(bits, "message"))
    assert (result.status, result.message, result.valid) == (2, "rejected", False)


# Checking an entry against a list ---------------------------------------------------------------


def test_purpose_mismatch_is_a_verification_error() -> None:
    status_entry = parse_status_entry(entry(statusPurpose="suspension"))
    with pytest.raises(StatusListError, match="suspension") as error:
        status_of(status_entry, list_credential(Bitstring()))
    assert problem_of(error) is StatusProblem.STATUS_VERIFICATION_ERROR


def test_list_with_several_purposes_serves_each() -> None:
    bits = Bitstring()
    bits.set(94567)
    list_vc = list_credential(bits)
    list_vc["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    for purpose in ("revocation", "suspension"):
        assert status_of(parse_status_entry(entry(statusPurpose=purpose)), list_vc).status == 1


def test_index_beyond_the_list_is_a_range_error() -> None:
    status_entry = parse_status_entry(entry(statusListIndex=str(MIN_ENTRIES)))
    with pytest.raises(StatusListError) as error:
        status_of(status_entry, load("ob30-status-list-credential.json"))
    assert problem_of(error) is StatusProblem.RANGE_ERROR
    with pytest.raises(StatusListError) as error:
        Bitstring().get(-1)
    assert problem_of(error) is StatusProblem.RANGE_ERROR


def test_list_credential_of_the_wrong_type_is_refused() -> None:
    status_entry = parse_status_entry(entry())
    list_vc = list_credential(Bitstring())
    list_vc["type"] = ["VerifiableCredential"]
    with pytest.raises(StatusListError) as error:
        status_of(status_entry, list_vc)
    assert problem_of(error) is StatusProblem.STATUS_VERIFICATION_ERROR
    list_vc = list_credential(Bitstring())
    list_vc["credentialSubject"]["type"] = "StatusList2021"
    with pytest.raises(StatusListError, match="BitstringStatusList") as error:
        status_of(status_entry, list_vc)
    assert problem_of(error) is StatusProblem.MALFORMED_VALUE_ERROR


def test_legacy_status_list_2021_has_the_same_semantics() -> None:
    bits = Bitstring()
    bits.set(94567)
    legacy_entry = parse_status_entry(entry(type="StatusList2021Entry"))
    legacy_list = list_credential(bits)
    legacy_list["type"] = ["VerifiableCredential", "StatusList2021Credential"]
    legacy_list["credentialSubject"]["type"] = "StatusList2021"
    assert status_of(legacy_entry, legacy_list).status == 1
    with pytest.raises(StatusListError):
        status_of(legacy_entry, list_credential(bits))


def test_status_value_without_messages_uses_set_and_unset() -> None:
    status_entry = StatusEntry("revocation", 1, LIST_URL)
    result = status_of(status_entry, list_credential(Bitstring()))
    assert (result.status, result.valid, result.message) == (0, True, "unset")


# The list credential ----------------------------------------------------------------------------


def test_new_list_credential_follows_spec_example_3() -> None:
    moment = datetime(2021, 4, 5, 16, 27, 40, 123456, tzinfo=timezone(timedelta(hours=2)))
    credential = new_status_list_credential(
        LIST_URL, "did:example:12345", "revocation", SPEC_EXAMPLE_LIST, valid_from=moment
    )
    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:12345",
        "validFrom": "2021-04-05T14:27:40Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": SPEC_EXAMPLE_LIST,
        },
    }


def test_new_list_credential_ttl_and_refusals() -> None:
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    credential = new_status_list_credential(
        LIST_URL, "did:example:1", "suspension", SPEC_EXAMPLE_LIST, valid_from=moment, ttl_ms=300000
    )
    assert credential["credentialSubject"]["ttl"] == 300000
    with pytest.raises(InvalidInput, match="ttl"):
        new_status_list_credential(
            LIST_URL, "did:example:1", "revocation", SPEC_EXAMPLE_LIST, valid_from=moment, ttl_ms=0
        )
    with pytest.raises(InvalidInput, match="timezone"):
        new_status_list_credential(
            LIST_URL,
            "did:example:1",
            "revocation",
            SPEC_EXAMPLE_LIST,
            valid_from=datetime(2025, 1, 1),
        )
    with pytest.raises(StatusListError, match="STATUS_LIST_LENGTH_ERROR"):
        new_status_list_credential(
            LIST_URL, "did:example:1", "revocation", u(gzip.compress(b"\0")), valid_from=moment
        )
    with pytest.raises(InvalidInput, match="statusPurpose"):
        new_status_list_credential(
            LIST_URL, "did:example:1", "", SPEC_EXAMPLE_LIST, valid_from=moment
        )


def test_problem_types_are_the_spec_urls() -> None:
    assert (
        StatusProblem.STATUS_LIST_LENGTH_ERROR.problem_type
        == "https://www.w3.org/ns/credentials/status-list#STATUS_LIST_LENGTH_ERROR"
    )
    assert (
        StatusProblem.RANGE_ERROR.problem_type == "https://www.w3.org/TR/vc-data-model#RANGE_ERROR"
    )
    error = StatusListError(StatusProblem.RANGE_ERROR, "index 5 is outside")
    assert isinstance(error, InvalidInput)
    assert error.code == "invalid_input"
    assert str(error) == "RANGE_ERROR: index 5 is outside"
