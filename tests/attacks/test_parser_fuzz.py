"""Issue #8, "Input": every parser of untrusted input, fuzzed in one place.

Each parser is fed random input and genuine input mutated by hypothesis (a value replaced,
removed or wrapped anywhere in the structure, a byte flipped, a file cut short). It must return
a result or raise ``PassportError`` (the one error root the HTTP layer maps to a 4xx problem),
never another exception, and must answer each input within ``SECONDS_PER_INPUT``.

Parsers: JSON credentials (``verifier.inputs.read_input``, the credential models and the whole
pipeline behind them), compact JWS, PNG and SVG baking, CSV and JSON cohorts, Bitstring Status
Lists, and DID / controller documents. Example counts are bounded; the CI profile
(tests/conftest.py) derandomizes them.
"""

from __future__ import annotations

import base64
import gzip
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials.baking import bake, bake_png, bake_svg, extract
from credentials.did import DocumentResolver, offline_resolver, verification_methods
from credentials.errors import PassportError
from credentials.models import parse_credential
from credentials.multikey import did_key_document, resolve_did_key
from credentials.proofs.jws import parse_compact_jws
from credentials.proofs.vc_jose import verify_jws
from credentials.status_list import decode_list, parse_status_entry, status_of
from issuers.cohorts.cohort_file import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, validate_cohort
from keys.did_web import did_web_url
from tests.conftest import VECTORS
from tests.credentials.test_baking import FRENCH_JSON, JWS, SVG, small_png
from tests.credentials.test_vc_jose import compact
from tests.verifier.support import NOW, Issuer
from verifier.context import OfflineStatusLists, VerificationContext
from verifier.inputs import read_input
from verifier.pipeline import verify_input

T = TypeVar("T")
# Generous for a loaded 2-core machine; a parser that loops or expands a bomb takes far longer.
SECONDS_PER_INPUT = 2.0
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["", "did:key:z6Mk", "https://", "urn:uuid:", "u", "#key-1", "Z"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
ISSUER = Issuer()
STATUS_URL = "https://college.example/status/1"
GENUINE_CREDENTIAL = ISSUER.sign(ISSUER.credential(STATUS_URL))
GENUINE_TOKEN = ISSUER.sign(ISSUER.credential(), "vc+jwt")
GENUINE_LIST = ISSUER.status_list(STATUS_URL)
CONTROLLER_DOCUMENTS = json.loads(
    (VECTORS / "fixtures" / "1edtech-issuer-controller-documents.json").read_text(encoding="utf-8")
)["documents"]
BAKED_PNG = bake_png(small_png(), FRENCH_JSON)
BAKED_SVG = bake_svg(SVG, FRENCH_JSON)
CONTEXT = VerificationContext(
    now=NOW,
    resolver=offline_resolver(CONTROLLER_DOCUMENTS),
    status_lists=OfflineStatusLists({STATUS_URL: GENUINE_LIST}, NOW),
)


def parses_or_refuses(parse: Callable[[], T]) -> T | None:
    """``parse()``'s result, or None when it raised ``PassportError``; any other exception
    fails the test, and so does a parse slower than ``SECONDS_PER_INPUT``."""
    started = time.monotonic()
    try:
        return parse()
    except PassportError:
        return None
    finally:
        elapsed = time.monotonic() - started
        assert elapsed < SECONDS_PER_INPUT, f"{elapsed:.1f} s for one input"


def mutated(data: st.DataObject, value: Any, *, keep_root: bool = False) -> Any:
    """``value`` with one place in it replaced, removed or wrapped in a list, as hypothesis
    chooses: walks down dictionaries and lists, then changes what it stopped at. With
    ``keep_root`` a JSON object stays one, for parsers whose callers only hand them objects."""
    actions = (
        ["descend", "descend", "remove"]
        if keep_root
        else ["descend", "descend", "replace", "remove", "wrap"]
    )
    action = data.draw(st.sampled_from(actions))
    if action == "descend" and isinstance(value, dict) and value:
        key = data.draw(st.sampled_from(sorted(value)))
        return {**value, key: mutated(data, value[key])}
    if action == "descend" and isinstance(value, list) and value:
        index = data.draw(st.integers(0, len(value) - 1))
        return [*value[:index], mutated(data, value[index]), *value[index + 1 :]]
    if action == "remove" and isinstance(value, dict) and value:
        key = data.draw(st.sampled_from(sorted(value)))
        return {name: item for name, item in value.items() if name != key}
    if action == "wrap":
        return [value]
    return data.draw(JSON_VALUES)


def flipped(data: st.DataObject, raw: bytes) -> bytes:
    """``raw`` with a few bytes overwritten, then perhaps cut short."""
    changed = bytearray(raw)
    for position, value in data.draw(
        st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8)
    ):
        changed[position % len(changed)] = value
    return bytes(changed[: data.draw(st.integers(1, len(changed)))])


def _encoded(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", errors="surrogatepass")


# JSON credentials ------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=2048), st.sampled_from([b"", b"{", b'{"@context":', b"\xef\xbb\xbf"]))
def test_credential_reading_of_random_bytes(data: bytes, prefix: bytes) -> None:
    parses_or_refuses(lambda: read_input(prefix + data))


@FUZZ
@given(st.data())
def test_credential_reading_and_verifying_of_mutated_credentials(data: st.DataObject) -> None:
    raw = _encoded(mutated(data, GENUINE_CREDENTIAL))
    item = parses_or_refuses(lambda: read_input(raw))
    if item is None:
        return
    report = parses_or_refuses(lambda: verify_input(item, CONTEXT))
    assert report is None or report.checks
    if isinstance(item.document, dict):
        parses_or_refuses(lambda: parse_credential(item.document or {}))


# Compact JWS -----------------------------------------------------------------------------


BASE64URL = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=.", max_size=80
)


def read_token(token: str) -> None:
    parses_or_refuses(lambda: parse_compact_jws(token))
    parses_or_refuses(lambda: verify_jws(token, CONTEXT.resolver, now=NOW))


@FUZZ
@given(st.one_of(st.text(max_size=200), BASE64URL, st.builds("ey{}".format, BASE64URL)))
def test_compact_jws_parsing_of_random_text(token: str) -> None:
    read_token(token)


@FUZZ
@given(st.data())
def test_compact_jws_with_mutated_header_payload_or_bytes(data: st.DataObject) -> None:
    genuine = parse_compact_jws(GENUINE_TOKEN)
    header, payload = mutated(data, genuine.header), mutated(data, genuine.payload)
    resigned = compact(header, payload, ISSUER.key.sign)
    garbled = flipped(data, GENUINE_TOKEN.encode("ascii")).decode("latin-1")
    for token in (resigned, garbled):
        read_token(token)


# PNG and SVG baking ----------------------------------------------------------------------


def extract_or_invalid(data: bytes) -> None:
    """``extract`` returns text or refuses; what ``bake`` accepts extracts back."""
    found = parses_or_refuses(lambda: extract(data))
    assert found is None or isinstance(found, str)
    baked = parses_or_refuses(lambda: bake(data, JWS))
    if baked is not None:
        assert extract(baked) == JWS


@settings(FUZZ, max_examples=300)
@given(st.binary(max_size=2048), st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"<svg", b"<?xml "]))
def test_baked_image_extraction_of_random_bytes(data: bytes, prefix: bytes) -> None:
    extract_or_invalid(prefix + data)


@settings(FUZZ, max_examples=300)
@given(st.sampled_from([BAKED_PNG, BAKED_SVG]), st.data())
def test_baked_image_extraction_of_mutated_badges(image: bytes, data: st.DataObject) -> None:
    extract_or_invalid(flipped(data, image))


# CSV and JSON cohorts --------------------------------------------------------------------


CELLS = st.one_of(
    st.text(max_size=16),
    st.sampled_from(
        ["", "Zoé Martin", "zoe@example.ca", "2024-02-30", "1949-12-31", "did:key:z6Mk", '"', "\r"]
    ),
)
COLUMNS = st.sampled_from([*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, "junk", "", " Email "])


@st.composite
def cohort_files(draw: st.DrawFn) -> tuple[bytes, str]:
    """A CSV (quoted or not, any separators inside cells) or a JSON cohort, and its name."""
    header = draw(st.lists(COLUMNS, max_size=8))
    rows = draw(st.lists(st.lists(CELLS, max_size=8), max_size=6))
    if draw(st.booleans()):
        learners = [dict(zip(header, row, strict=False)) for row in rows]
        return _encoded(draw(st.sampled_from([learners, {"learners": learners}]))), "c.json"
    quote = draw(st.sampled_from(['"', ""]))
    lines = [",".join(f"{quote}{cell}{quote}" for cell in line) for line in [header, *rows]]
    return "\n".join(lines).encode("utf-8", errors="surrogatepass"), "c.csv"


@FUZZ
@given(st.one_of(cohort_files(), st.tuples(st.binary(max_size=512), st.just("c.csv"))))
def test_cohort_file_parsing(cohort: tuple[bytes, str]) -> None:
    data, filename = cohort
    report = parses_or_refuses(lambda: validate_cohort(data, filename, "welding", NOW))
    assert report is None or report.row_count >= 0


# Bitstring Status Lists ------------------------------------------------------------------


def _multibase(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


@FUZZ
@given(
    st.one_of(
        st.text(max_size=64),
        st.binary(max_size=256).map(_multibase),
        st.binary(max_size=256).map(lambda raw: _multibase(gzip.compress(raw))),
        st.integers(1, 2**20).map(lambda size: _multibase(gzip.compress(b"\xff" * size))),
    ),
    st.integers(-1, 9),
)
def test_status_list_decoding(encoded: str, status_size: int) -> None:
    parses_or_refuses(lambda: decode_list(encoded, status_size=status_size))


@FUZZ
@given(st.data())
def test_status_entry_and_list_reading_of_mutated_documents(data: st.DataObject) -> None:
    entry = parses_or_refuses(
        lambda: parse_status_entry(
            mutated(data, GENUINE_CREDENTIAL["credentialStatus"], keep_root=True)
        )
    )
    if entry is None:
        entry = parse_status_entry(GENUINE_CREDENTIAL["credentialStatus"])
    status_list = mutated(data, GENUINE_LIST, keep_root=True)
    value = parses_or_refuses(lambda: status_of(entry, status_list))
    assert value is None or value.valid in (True, False)


# DID and controller documents ------------------------------------------------------------


DOCUMENTS = [*CONTROLLER_DOCUMENTS.values(), did_key_document(ISSUER.did)]


@FUZZ
@given(st.sampled_from(DOCUMENTS), st.data())
def test_did_document_reading_of_mutated_documents(
    document: dict[str, Any], data: st.DataObject
) -> None:
    changed = mutated(data, document, keep_root=True)
    methods = parses_or_refuses(lambda: verification_methods(changed))
    assert methods is None or all(method.id for method in methods.values())
    method_id = data.draw(st.sampled_from([*verification_methods(document), "#key-1", ""]))
    document_id = document["id"]
    parses_or_refuses(lambda: DocumentResolver({document_id: changed}).resolve(method_id))


@FUZZ
@given(
    st.one_of(
        st.text(max_size=80),
        st.builds("did:web:{}".format, st.text(max_size=60)),
        st.builds("did:key:z{}".format, BASE64URL),
    )
)
def test_did_identifier_parsing(identifier: str) -> None:
    parses_or_refuses(lambda: did_web_url(identifier))
    parses_or_refuses(lambda: resolve_did_key(identifier))


def test_the_genuine_inputs_parse() -> None:
    """The seeds of the mutations are valid, so the fuzzing starts from real shapes."""
    assert read_input(_encoded(GENUINE_CREDENTIAL)).document == GENUINE_CREDENTIAL
    assert verify_input(read_input(GENUINE_TOKEN.encode()), CONTEXT).verified
    entry = parse_status_entry(GENUINE_CREDENTIAL["credentialStatus"])
    assert status_of(entry, GENUINE_LIST).valid
    assert all(verification_methods(document) for document in DOCUMENTS)
    assert extract(BAKED_PNG) == extract(BAKED_SVG) == FRENCH_JSON
    cohort = validate_cohort(
        "external_id,name,email\n1,Zoé,zoe@example.ca\n".encode(), "c.csv", "w", NOW
    )
    assert cohort.valid and cohort.row_count == 1
