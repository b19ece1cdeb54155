"""Open Badges 3.0 baking: 1EdTech's baked badges, round trips, replacement and hostile images."""

from __future__ import annotations

import base64
import io
import json
import struct
import time
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image

from credentials.baking import (
    MAX_IMAGE_BYTES,
    bake,
    bake_png,
    bake_svg,
    extract,
    extract_png,
    extract_svg,
)
from credentials.errors import InputTooLarge, InvalidInput
from credentials.jsonio import parse_json_object

EXAMPLES = Path(__file__).parents[1] / "vectors" / "examples" / "1edtech-validator"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4"/></svg>'
FRENCH_JSON = json.dumps(
    {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Attestation de réussite « Soudage à l'arc » — niveau 2",
        "description": "Délivrée par le Collège Boréal; évaluée à 95 %. Test: ]]> fin",
    },
    ensure_ascii=False,
    indent=2,
)
JWS = "eyJhbGciOiJFZERTQSJ9.eyJuYW1lIjoiw4l0dWRpYW50ZSJ9.c2lnbmF0dXJl"


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def small_png() -> bytes:
    output = io.BytesIO()
    Image.new("RGBA", (4, 4), (200, 30, 30, 255)).save(output, format="PNG")
    return output.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def with_chunk_before_iend(png: bytes, extra: bytes) -> bytes:
    return png[:-12] + extra + png[-12:]


def credential_chunks(png: bytes) -> list[bytes]:
    found, position = [], 8
    while position < len(png):
        length, kind = struct.unpack_from(">I4s", png, position)
        data = png[position + 8 : position + 8 + length]
        if kind == b"iTXt" and data.startswith(b"openbadgecredential\0"):
            found.append(data)
        position += 12 + length
    return found


# 1EdTech's baked badges -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ob30-baked-json.png", "ob30-baked-json.svg"])
def test_1edtech_json_badge_extracts_to_a_credential(name: str) -> None:
    credential = parse_json_object(extract(example(name)))
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == "http://example.com/credentials/3527"


@pytest.mark.parametrize("name", ["ob30-baked-jwt.png", "ob30-baked-jwt.svg"])
def test_1edtech_jwt_badge_extracts_to_a_compact_jws(name: str) -> None:
    parts = extract(example(name)).split(".")
    assert len(parts) == 3
    header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    assert header["alg"] == "RS256"
    assert "OpenBadgeCredential" in payload["type"]


def test_format_specific_readers_match_dispatch() -> None:
    assert extract_png(example("ob30-baked-json.png")) == extract(example("ob30-baked-json.png"))
    assert extract_svg(example("ob30-baked-jwt.svg")) == extract(example("ob30-baked-jwt.svg"))


# Round trips ------------------------------------------------------------------------------------


@pytest.mark.parametrize("credential", [FRENCH_JSON, JWS])
def test_png_round_trip(credential: str) -> None:
    baked = bake_png(small_png(), credential)
    assert extract(baked) == credential
    # An independent PNG reader sees one uncompressed iTXt chunk holding the same text.
    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        assert image.text["openbadgecredential"] == credential  # type: ignore[attr-defined]
    (data,) = credential_chunks(baked)
    assert data[:24] == b"openbadgecredential\0\0\0\0\0"


@pytest.mark.parametrize("credential", [FRENCH_JSON, JWS])
def test_svg_round_trip(credential: str) -> None:
    baked = bake_svg(SVG, credential)
    assert extract(baked) == credential
    root = ElementTree.fromstring(baked)
    first = root[0]
    assert first.tag == f"{{{OB_NAMESPACE}}}credential"
    assert (first.get("verify") or first.text) == credential
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert root[1].tag == "{http://www.w3.org/2000/svg}rect"


def test_json_is_carried_in_cdata_and_a_jws_in_verify() -> None:
    assert b"<openbadges:credential><![CDATA[{" in bake_svg(SVG, FRENCH_JSON)
    # The element is written as in the spec's examples, with an explicit end tag.
    expected = f'<openbadges:credential verify="{JWS}"></openbadges:credential>'
    assert expected.encode() in bake_svg(SVG, JWS)


def test_self_closing_and_prefixed_svg_roots() -> None:
    baked = bake(b'<s:svg xmlns:s="http://www.w3.org/2000/svg" />', JWS)
    assert baked.endswith(b"</s:svg>")
    assert extract(baked) == JWS


def test_windows_line_endings_survive_as_the_same_json() -> None:
    baked = bake_svg(SVG, FRENCH_JSON.replace("\n", "\r\n"))
    assert json.loads(extract(baked)) == json.loads(FRENCH_JSON)


def test_svg_that_already_declares_the_namespace_is_not_given_it_twice() -> None:
    svg = example("ob30-baked-json.svg")
    baked = bake_svg(svg, JWS)
    assert baked.count(b"xmlns:openbadges=") == 1
    assert extract(baked) == JWS


# Baking twice -----------------------------------------------------------------------------------


def test_baking_a_png_twice_keeps_one_credential() -> None:
    baked = bake(bake(small_png(), FRENCH_JSON), JWS)
    assert len(credential_chunks(baked)) == 1
    assert extract(baked) == JWS
    rebaked = bake(example("ob30-baked-json.png"), JWS)
    assert len(credential_chunks(rebaked)) == 1
    assert extract(rebaked) == JWS


def test_baking_an_svg_twice_keeps_one_credential() -> None:
    baked = bake(bake(SVG, JWS), FRENCH_JSON)
    assert baked.count(b"<openbadges:credential") == 1
    assert extract(baked) == FRENCH_JSON
    rebaked = bake(example("ob30-baked-jwt.svg"), FRENCH_JSON)
    assert rebaked.count(b"<openbadges:credential") == 1
    assert extract(rebaked) == FRENCH_JSON


# Refused images and credentials -----------------------------------------------------------------


def test_truncated_png_is_refused() -> None:
    baked = bake_png(small_png(), JWS)
    for cut in (8, 20, len(baked) // 2, len(baked) - 1):
        with pytest.raises(InvalidInput, match="truncated"):
            extract(baked[:cut])
    with pytest.raises(InvalidInput, match="PNG signature"):
        extract_png(baked[:7])


def test_png_with_a_bad_crc_is_refused() -> None:
    baked = bytearray(bake_png(small_png(), JWS))
    baked[-30] ^= 0x01  # inside the iTXt text
    with pytest.raises(InvalidInput, match="bad CRC in PNG chunk iTXt"):
        extract(bytes(baked))


def test_png_without_a_credential_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no baked credential"):
        extract(small_png())


def test_open_badges_2_png_is_named() -> None:
    ob2 = chunk(b"iTXt", b"openbadges\0\0\0\0\0https://example.org/assertion")
    with pytest.raises(InvalidInput, match=r"Open Badges 2\.0"):
        extract(with_chunk_before_iend(small_png(), ob2))


def test_compressed_credential_chunk_is_refused() -> None:
    text = b"openbadgecredential\0\x01\0\0\0" + zlib.compress(JWS.encode())
    with pytest.raises(InvalidInput, match="compressed"):
        extract(with_chunk_before_iend(small_png(), chunk(b"iTXt", text)))


def test_two_credential_chunks_are_refused() -> None:
    one = chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0" + JWS.encode())
    with pytest.raises(InvalidInput, match="more than one"):
        extract(with_chunk_before_iend(small_png(), one + one))


def test_png_not_starting_with_ihdr_is_refused() -> None:
    png = small_png()
    with pytest.raises(InvalidInput, match="IHDR"):
        extract(png[:8] + chunk(b"tEXt", b"a\0b") + png[8:])


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
  <openbadges:credential>&lol9;</openbadges:credential>
</svg>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
  <openbadges:credential>&secret;</openbadges:credential>
</svg>"""


@pytest.mark.parametrize("svg", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_svg_entity_declarations_are_refused_fast(svg: bytes) -> None:
    started = time.perf_counter()
    for operation in (extract, lambda image: bake(image, JWS)):
        with pytest.raises(InvalidInput, match="internal subset"):
            operation(svg)
    assert time.perf_counter() - started < 1.0


def test_undefined_entity_behind_an_external_dtd_is_refused() -> None:
    svg = example("ob30-baked-jwt.svg").replace(b"<g>", b"<g>&nbsp;", 1)
    with pytest.raises(InvalidInput, match="undefined entity 'nbsp'"):
        extract(svg)


@pytest.mark.parametrize(
    ("svg", "reason"),
    [
        (b"<html><body/></html>", "root element is not <svg>"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "not well-formed"),
        (b"<?xml version='1.0' encoding='ISO-8859-1'?><svg/>", "must be UTF-8"),
        (SVG, "no baked credential"),
        (
            bake_svg(SVG, JWS).replace(
                b"<rect", f'<openbadges:credential verify="{JWS}"/><rect'.encode()
            ),
            "more than one",
        ),
        (
            b'<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
            b"<openbadges:credential><b/></openbadges:credential></svg>",
            "only text",
        ),
        (
            b'<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
            b"<openbadges:credential>  </openbadges:credential></svg>",
            "empty",
        ),
    ],
)
def test_bad_svg_is_refused(svg: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        extract(svg)


def test_svg_binding_the_prefix_elsewhere_is_not_baked() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="urn:other"/>'
    with pytest.raises(InvalidInput, match="another namespace"):
        bake_svg(svg, JWS)


@pytest.mark.parametrize("data", [b"", b"GIF89a\x01\x00", b"%PDF-1.7", b"\x00" * 64, b"{}"])
def test_non_images_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="not a PNG or SVG"):
        extract(data)
    with pytest.raises(InvalidInput, match="not a PNG or SVG"):
        bake(data, JWS)


def test_oversized_image_is_refused() -> None:
    with pytest.raises(InputTooLarge):
        extract(b"<svg>" + b" " * MAX_IMAGE_BYTES + b"</svg>")


@pytest.mark.parametrize("credential", ["", "hello", "[1, 2]", "a.b", "{broken", "a.b.c d"])
def test_only_json_objects_and_compact_jws_are_baked(credential: str) -> None:
    for image in (small_png(), SVG):
        with pytest.raises(InvalidInput):
            bake(image, credential)


def test_credential_xml_cannot_carry_is_refused_for_svg_only() -> None:
    credential = json.dumps({"name": "\ufffe"}, ensure_ascii=False)
    with pytest.raises(InvalidInput, match="XML cannot carry"):
        bake_svg(SVG, credential)
    assert extract(bake_png(small_png(), credential)) == credential
