"""W3C Bitstring Status List 1.0 (Recommendation, 15 May 2025): the list codec and status checks.

A credential's ``credentialStatus`` entry (section 2.1) points at a position in a bitstring that
the issuer publishes, GZIP-compressed and multibase base64url-encoded, inside a
``BitstringStatusListCredential`` (section 2.2). Index 0 is the left-most (most significant) bit
of the first byte; an entry of ``statusSize`` bits at index ``i`` occupies bits
``[i * statusSize, (i + 1) * statusSize)``, most significant bit first.

This module neither fetches the list nor verifies its proof: the verifier does both (section 3.2
step 4) and hands the verified list credential to ``status_of``.

>>> bits = Bitstring()
>>> bits.set(23)
>>> decode_list(encode_list(bits)).get(23)
1
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from credentials.contexts import VC_V2
from credentials.errors import InputTooLarge, InvalidInput
from credentials.models.common import format_datetime
from credentials.multibase import decode_multibase, encode_multibase

# Section 3.2 step 2: 131,072 entries, i.e. 16 KB of 1-bit entries, gives herd privacy.
MIN_ENTRIES = 131_072
# Our own limits (the spec sets none): a few KB of GZIP can expand to gigabytes.
MAX_COMPRESSED_BYTES = 2 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 16 * 1024 * 1024
# 2**size status messages must be listed (section 2.1), so large sizes are impractical anyway.
MAX_STATUS_SIZE = 8
# Integers above 2**53 - 1 lose precision in JSON parsers that use doubles.
MAX_STATUS_LIST_INDEX = 2**53 - 1

ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_SUBJECT_TYPE = "BitstringStatusList"
# StatusList2021 (the W3C CCG draft Bitstring Status List grew from) has the same semantics.
LEGACY_ENTRY_TYPE = "StatusList2021Entry"
_LIST_TYPES_FOR_ENTRY = {
    ENTRY_TYPE: (LIST_CREDENTIAL_TYPE, LIST_SUBJECT_TYPE),
    LEGACY_ENTRY_TYPE: ("StatusList2021Credential", "StatusList2021"),
}

_DECIMAL = re.compile(r"[0-9]+")
_HEX_STATUS = re.compile(r"0x[0-9a-fA-F]{1,4}")
# Section 2.1 statusMessage: without the array, 0 and 1 mean "unset" and "set".
_DEFAULT_MESSAGES = MappingProxyType({0: "unset", 1: "set"})


class StatusProblem(StrEnum):
    """Error names of Bitstring Status List section 3.5 and VC Data Model 2.0 section 7.1."""

    STATUS_VERIFICATION_ERROR = "STATUS_VERIFICATION_ERROR"
    STATUS_LIST_LENGTH_ERROR = "STATUS_LIST_LENGTH_ERROR"
    RANGE_ERROR = "RANGE_ERROR"
    MALFORMED_VALUE_ERROR = "MALFORMED_VALUE_ERROR"

    @property
    def problem_type(self) -> str:
        """The RFC 9457 ``type`` URL the specs assign to this error."""
        if self.name.startswith("STATUS_"):
            return f"https://www.w3.org/ns/credentials/status-list#{self.value}"
        return f"https://www.w3.org/TR/vc-data-model#{self.value}"


class StatusListError(InvalidInput):
    """A status entry or status list that cannot be used; ``problem`` names the spec error."""

    def __init__(self, problem: StatusProblem, message: str, *, code: str | None = None) -> None:
        super().__init__(f"{problem.value}: {message}", code=code)
        self.problem = problem


def _malformed(message: str) -> StatusListError:
    return StatusListError(StatusProblem.MALFORMED_VALUE_ERROR, message)


def _too_large(message: str) -> StatusListError:
    return StatusListError(StatusProblem.MALFORMED_VALUE_ERROR, message, code=InputTooLarge.code)


def _check_status_size(size: object) -> int:
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise _malformed("statusSize must be an integer greater than zero (section 2.1)")
    if size > MAX_STATUS_SIZE:
        raise _malformed(f"statusSize {size} is above the supported maximum of {MAX_STATUS_SIZE}")
    return size


def _check_length(length: int, status_size: int) -> int:
    if length < MIN_ENTRIES:
        raise StatusListError(
            StatusProblem.STATUS_LIST_LENGTH_ERROR,
            f"the list holds {length} entries of {status_size} bit(s); "
            f"at least {MIN_ENTRIES} are required",
        )
    return length


class Bitstring:
    """A status list of ``length`` entries of ``status_size`` bits each, all 0 at first.

    A list may not be shorter than 131,072 entries (section 3.2 step 9); a new one may not be
    larger than ``MAX_UNCOMPRESSED_BYTES``.
    """

    def __init__(self, length: int = MIN_ENTRIES, *, status_size: int = 1) -> None:
        self.status_size = _check_status_size(status_size)
        self.length = _check_length(length, self.status_size)
        byte_count = (length * self.status_size + 7) // 8
        if byte_count > MAX_UNCOMPRESSED_BYTES:
            raise _too_large(f"a status list of {length} entries is over the size limit")
        self._bytes = bytearray(byte_count)

    @classmethod
    def from_bytes(cls, data: bytes, *, status_size: int = 1) -> Bitstring:
        """The list that ``data`` holds: every whole entry of ``status_size`` bits in it."""
        bits = cls.__new__(cls)
        bits.status_size = _check_status_size(status_size)
        bits.length = _check_length(len(data) * 8 // bits.status_size, bits.status_size)
        bits._bytes = bytearray(data)
        return bits

    def to_bytes(self) -> bytes:
        return bytes(self._bytes)

    def get(self, index: int) -> int:
        """The value of entry ``index``: its bits read most significant first."""
        first_bit = self._first_bit(index)
        value = 0
        for position in range(first_bit, first_bit + self.status_size):
            bit = self._bytes[position // 8] >> (7 - position % 8) & 1
            value = value << 1 | bit
        return value

    def set(self, index: int, value: int = 1) -> None:
        """Store ``value`` (0 to 2**status_size - 1) at entry ``index``."""
        if not 0 <= value < 1 << self.status_size:
            raise ValueError(f"value {value} does not fit in {self.status_size} bits")
        first_bit = self._first_bit(index)
        for offset in range(self.status_size):
            position = first_bit + offset
            mask = 0x80 >> (position % 8)
            if value >> (self.status_size - 1 - offset) & 1:
                self._bytes[position // 8] |= mask
            else:
                self._bytes[position // 8] &= ~mask

    def clear(self, index: int) -> None:
        self.set(index, 0)

    def _first_bit(self, index: int) -> int:
        if not 0 <= index < self.length:
            raise StatusListError(
                StatusProblem.RANGE_ERROR,
                f"index {index} is outside the status list of {self.length} entries",
            )
        return index * self.status_size


def encode_list(bits: Bitstring) -> str:
    """Section 3.3 step 3: ``u`` + base64url(GZIP(bitstring)), without padding.

    The GZIP header's timestamp is fixed at 0, so an unchanged list always encodes (and
    re-signs) to the same bytes.
    """
    return encode_multibase(gzip.compress(bits.to_bytes(), mtime=0), "u")


def decode_list(
    encoded: str,
    *,
    status_size: int = 1,
    max_compressed: int = MAX_COMPRESSED_BYTES,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> Bitstring:
    """Section 3.4 "Bitstring Expansion", then the length check of section 3.2 step 9.

    Decompression streams with a cap, so a GZIP bomb is refused after ``max_uncompressed``
    bytes of output instead of being expanded in memory.
    """
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise _malformed("encodedList must be multibase base64url (starting with 'u')")
    if len(encoded) - 1 > (max_compressed + 2) // 3 * 4:
        raise _too_large(f"encodedList is over {max_compressed} compressed bytes")
    try:
        compressed = decode_multibase(encoded)
    except InvalidInput as error:
        raise _malformed(f"encodedList: {error.message}") from None
    return Bitstring.from_bytes(_gunzip(compressed, max_uncompressed), status_size=status_size)


def _gunzip(compressed: bytes, max_uncompressed: int) -> bytes:
    # wbits 16 + 15 accepts only the GZIP wrapper (RFC 1952) and checks its CRC-32 and length.
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(compressed, max_uncompressed + 1)
    except zlib.error:
        raise _malformed("encodedList is not valid GZIP data") from None
    if len(data) > max_uncompressed:
        raise _too_large(f"encodedList expands to more than {max_uncompressed} bytes")
    if not inflater.eof:
        raise _malformed("encodedList is truncated GZIP data")
    if inflater.unused_data:
        raise _malformed("encodedList has data after the GZIP stream")
    return data


@dataclass(frozen=True)
class StatusEntry:
    """A parsed ``credentialStatus`` entry (section 2.1)."""

    purpose: str
    index: int
    list_url: str
    size: int = 1
    messages: Mapping[int, str] = field(default_factory=lambda: _DEFAULT_MESSAGES)
    entry_type: str = ENTRY_TYPE


@dataclass(frozen=True)
class StatusValue:
    """Section 3.2 steps 10-14: the status at the entry's index and what it means."""

    purpose: str
    status: int
    message: str | None

    @property
    def valid(self) -> bool:
        return self.status == 0


def _types(value: object) -> list[str]:
    types = [value] if isinstance(value, str) else value
    if not isinstance(types, list) or not all(isinstance(item, str) for item in types):
        raise _malformed("type must be a string or a list of strings")
    return types


def _non_empty_string(entry: Mapping[str, Any], name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _malformed(f"{name} must be a non-empty string")
    return value


def _parse_index(value: object) -> int:
    """``statusListIndex``: a base-10 string (section 2.1), or an integer as 1EdTech emits."""
    if isinstance(value, str):
        if not _DECIMAL.fullmatch(value):
            raise _malformed("statusListIndex must be a base-10 string of digits")
        # A huge digit string is never converted (int() is quadratic); the range check refuses it.
        index = int(value) if len(value) <= 20 else MAX_STATUS_LIST_INDEX + 1
    elif isinstance(value, int) and not isinstance(value, bool):
        index = value
    else:
        raise _malformed("statusListIndex must be a base-10 string or an integer")
    if not 0 <= index <= MAX_STATUS_LIST_INDEX:
        raise _malformed(f"statusListIndex must be between 0 and {MAX_STATUS_LIST_INDEX}")
    return index


def _parse_messages(value: object, size: int) -> Mapping[int, str]:
    """``statusMessage``: exactly one message per possible value, ``0x``-prefixed hex."""
    if value is None:
        if size > 1:
            raise _malformed("statusMessage is required when statusSize is greater than 1")
        return _DEFAULT_MESSAGES
    if not isinstance(value, list) or len(value) != 1 << size:
        raise _malformed(f"statusMessage must be a list of {1 << size} messages")
    messages: dict[int, str] = {}
    for item in value:
        status = item.get("status") if isinstance(item, Mapping) else None
        message = item.get("message") if isinstance(item, Mapping) else None
        if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status):
            raise _malformed('each statusMessage needs a status like "0x1"')
        if not isinstance(message, str):
            raise _malformed("each statusMessage needs a message string")
        number = int(status, 16)
        if number >= 1 << size or number in messages:
            raise _malformed(f"statusMessage status {status} is out of range or repeated")
        messages[number] = message
    return MappingProxyType(messages)


def parse_status_entry(entry: Mapping[str, Any]) -> StatusEntry:
    """Read a ``BitstringStatusListEntry`` (or legacy ``StatusList2021Entry``), section 2.1."""
    if not isinstance(entry, Mapping):
        raise _malformed("credentialStatus must be an object")
    known = [kind for kind in _types(entry.get("type")) if kind in _LIST_TYPES_FOR_ENTRY]
    if not known:
        raise _malformed(f"credentialStatus type must be {ENTRY_TYPE}")
    list_url = _non_empty_string(entry, "statusListCredential")
    if entry.get("id") == list_url:
        raise _malformed("the entry id must not be the status list URL")
    size = _check_status_size(entry.get("statusSize", 1))
    return StatusEntry(
        purpose=_non_empty_string(entry, "statusPurpose"),
        index=_parse_index(entry.get("statusListIndex")),
        list_url=list_url,
        size=size,
        messages=_parse_messages(entry.get("statusMessage"), size),
        entry_type=known[0],
    )


def _list_subject(list_credential: Mapping[str, Any], subject_type: str) -> Mapping[str, Any]:
    subject = list_credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, Mapping) or subject_type not in _types(subject.get("type")):
        raise _malformed(f"the status list's credentialSubject must be a {subject_type}")
    return subject


def status_of(entry: StatusEntry, list_credential: Mapping[str, Any]) -> StatusValue:
    """Section 3.2 steps 5-14 for a list credential whose proof the caller has verified."""
    credential_type, subject_type = _LIST_TYPES_FOR_ENTRY[entry.entry_type]
    if not isinstance(list_credential, Mapping) or credential_type not in _types(
        list_credential.get("type")
    ):
        raise StatusListError(
            StatusProblem.STATUS_VERIFICATION_ERROR,
            f"the status list credential is not a {credential_type}",
        )
    subject = _list_subject(list_credential, subject_type)
    list_purposes = subject.get("statusPurpose")
    purposes = [list_purposes] if isinstance(list_purposes, str) else list_purposes
    if not isinstance(purposes, list) or entry.purpose not in purposes:
        raise StatusListError(
            StatusProblem.STATUS_VERIFICATION_ERROR,
            f"the entry's statusPurpose {entry.purpose!r} is not the list's {list_purposes!r}",
        )
    bits = decode_list(_non_empty_string(subject, "encodedList"), status_size=entry.size)
    status = bits.get(entry.index)
    return StatusValue(entry.purpose, status, entry.messages.get(status))


def new_status_list_credential(
    list_id: str,
    issuer: str,
    purpose: str,
    encoded_list: str,
    *,
    valid_from: datetime,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` of section 2.2 (its example 3).

    ``encoded_list`` is decoded once here so that a list we would refuse is never signed.
    """
    if not isinstance(purpose, str) or not purpose:
        raise InvalidInput("statusPurpose must be a non-empty string")
    decode_list(encoded_list)
    subject: dict[str, Any] = {
        "id": f"{list_id}#list",
        "type": LIST_SUBJECT_TYPE,
        "statusPurpose": purpose,
        "encodedList": encoded_list,
    }
    if ttl_ms is not None:
        if isinstance(ttl_ms, bool) or ttl_ms <= 0:
            raise InvalidInput("ttl must be a positive number of milliseconds")
        subject["ttl"] = ttl_ms
    return {
        "@context": [VC_V2],
        "id": list_id,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": format_datetime(valid_from),
        "credentialSubject": subject,
    }
