"""Open Badges 3.0 baking (OB 3.0 section 5.3 "Baking"): a credential inside its badge image.

- PNG (section 5.3.1): one uncompressed ``iTXt`` chunk with keyword ``openbadgecredential``
  whose text is the credential (JSON or a compact JWS), here placed just before ``IEND``.
- SVG (section 5.3.2): ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` on the root
  ``<svg>`` and one ``<openbadges:credential>`` as its first child, holding the JSON in CDATA or
  the JWS in a ``verify`` attribute.

The spec allows one credential per image and lets a baker either refuse or overwrite: baking
again here replaces the old one. Images come from outside, so both readers are strict and
bounded: a second credential is refused rather than silently ignored, PNG chunks are
CRC-checked, and SVG is parsed by expat with any DTD internal subset (where entity bombs and
external entities live) refused.

>>> baked = bake(b'<svg xmlns="http://www.w3.org/2000/svg"/>', "eyJhbGciOiJFZERTQSJ9.e30.c2ln")
>>> extract(baked)
'eyJhbGciOiJFZERTQSJ9.e30.c2ln'
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from credentials.errors import InputTooLarge, InvalidInput
from credentials.jsonio import parse_json_object
from credentials.proofs.jws import looks_like_compact_jws

MAX_IMAGE_BYTES = 8 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
# Open Badges 2.0 baked its assertion under this keyword; we say so instead of "no credential".
OB2_PNG_KEYWORD = b"openbadges"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_CREDENTIAL_ELEMENT = f"{OB_NAMESPACE} credential"
_MAX_CHUNK_LENGTH = 2**31 - 1  # PNG section 5.3: chunk lengths are limited to 2^31 - 1.
# Characters XML 1.0 (section 2.2 "Char") cannot hold, even in CDATA.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_UTF8_NAMES = {"utf-8", "utf8", "us-ascii", "ascii"}


def _check_size(image: bytes) -> None:
    if not isinstance(image, bytes | bytearray):
        raise InvalidInput("an image must be bytes")
    if len(image) > MAX_IMAGE_BYTES:
        raise InputTooLarge(f"the image is {len(image)} bytes; the limit is {MAX_IMAGE_BYTES}")


def _is_compact_jws(credential: str) -> bool:
    """Whether ``credential`` is a compact JWS; otherwise it must be a JSON object."""
    if not isinstance(credential, str):
        raise InvalidInput("a credential to bake must be text")
    text = credential.strip()
    if looks_like_compact_jws(text):
        return True
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("the credential is not valid Unicode text") from None
    parse_json_object(encoded)
    return False


# PNG (W3C Recommendation / ISO/IEC 15948) section 5.3: a chunk is length, type, data and the
# CRC-32 of type + data.


def _png_chunks(image: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) chunks of ``image`` up to ``IEND``; bytes after ``IEND`` are ignored."""
    _check_size(image)
    if not image.startswith(PNG_SIGNATURE):
        raise InvalidInput("not a PNG image (the PNG signature is missing)")
    chunks: list[tuple[bytes, bytes]] = []
    position = len(PNG_SIGNATURE)
    while True:
        if position + 12 > len(image):
            raise InvalidInput(f"truncated PNG: no complete chunk at byte {position}")
        length, kind = struct.unpack_from(">I4s", image, position)
        data_end = position + 8 + length
        if length > _MAX_CHUNK_LENGTH or data_end + 4 > len(image):
            raise InvalidInput(f"truncated PNG: chunk at byte {position} runs past the end")
        if not kind.isalpha():
            raise InvalidInput(f"invalid PNG chunk type at byte {position}")
        data = bytes(image[position + 8 : data_end])
        (crc,) = struct.unpack_from(">I", image, data_end)
        if zlib.crc32(kind + data) != crc:
            raise InvalidInput(f"bad CRC in PNG chunk {kind.decode('ascii')} at byte {position}")
        if not chunks and kind != b"IHDR":
            raise InvalidInput("malformed PNG: the first chunk is not IHDR")
        chunks.append((kind, data))
        position = data_end + 4
        if kind == b"IEND":
            return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _keyword(kind: bytes, data: bytes) -> bytes | None:
    return data.split(b"\0", 1)[0] if kind == b"iTXt" else None


def _itxt_text(data: bytes) -> str:
    """The text of an ``iTXt`` chunk: keyword, 0, compression flag and method, language tag, 0,
    translated keyword, 0, text (PNG section 11.3.4.5)."""
    fields = data[len(PNG_KEYWORD) + 1 :]
    if len(fields) < 2:
        raise InvalidInput("malformed openbadgecredential iTXt chunk")
    if fields[0] != 0:
        raise InvalidInput("the openbadgecredential iTXt chunk is compressed; OB 3.0 forbids it")
    parts = fields[2:].split(b"\0", 2)
    if len(parts) != 3:
        raise InvalidInput("malformed openbadgecredential iTXt chunk")
    try:
        return parts[2].decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the baked credential is not UTF-8 text") from None


def bake_png(image: bytes, credential: str) -> bytes:
    """``image`` with ``credential`` in one ``openbadgecredential`` iTXt chunk before IEND."""
    _is_compact_jws(credential)
    chunks = _png_chunks(image)
    kept = [chunk for chunk in chunks[:-1] if _keyword(*chunk) != PNG_KEYWORD]
    # Keyword, separator, compression flag and method 0, empty language tag and translation.
    header = PNG_KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0"
    baked = [*kept, (b"iTXt", header + credential.encode("utf-8")), chunks[-1]]
    return PNG_SIGNATURE + b"".join(_chunk(kind, data) for kind, data in baked)


def extract_png(image: bytes) -> str:
    """The credential baked into a PNG image."""
    chunks = _png_chunks(image)
    found = [data for kind, data in chunks if _keyword(kind, data) == PNG_KEYWORD]
    if len(found) > 1:
        raise InvalidInput("the PNG holds more than one openbadgecredential chunk")
    if not found:
        if any(_keyword(*chunk) == OB2_PNG_KEYWORD for chunk in chunks):
            raise InvalidInput("the PNG holds an Open Badges 2.0 assertion, not an OB 3.0 one")
        raise InvalidInput("the PNG holds no baked credential")
    return _non_empty(_itxt_text(found[0]))


def _non_empty(credential: str) -> str:
    if not credential.strip():
        raise InvalidInput("the baked credential is empty")
    return credential.strip()


# SVG: expat with byte offsets, so baking edits the original bytes instead of re-serializing.


@dataclass
class _BakedElement:
    start: int
    end: int = -1
    text: list[str] = field(default_factory=list)
    verify: str | None = None


@dataclass
class _SvgScan:
    root_name: bytes = b"svg"
    root_tag_end: int = -1
    root_self_closing: bool = False
    prefix_uri: str | None = None
    baked: list[_BakedElement] = field(default_factory=list)


def _tag_end(svg: bytes, start: int) -> int:
    """The offset just after the tag starting at ``start`` (the document is well-formed)."""
    quote = 0
    for position in range(start, len(svg)):
        char = svg[position]
        if quote:
            quote = 0 if char == quote else quote
        elif char in b"\"'":
            quote = char
        elif char == ord(">"):
            return position + 1
    raise InvalidInput("unterminated SVG tag")


class _SvgScanner:
    """One pass of expat over an SVG: where the root tag ends and any baked credentials are."""

    def __init__(self, svg: bytes) -> None:
        self._svg = svg
        self._depth = 0
        self._inside: _BakedElement | None = None
        self._root_namespaces: dict[str, str] = {}
        self.scan = _SvgScan()
        parser = expat.ParserCreate("utf-8", " ")
        parser.XmlDeclHandler = self._xml_declaration
        parser.StartDoctypeDeclHandler = self._doctype
        parser.SkippedEntityHandler = self._skipped_entity
        parser.StartNamespaceDeclHandler = self._namespace
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        self._parser = parser

    def run(self) -> _SvgScan:
        try:
            self._parser.Parse(self._svg, True)
        except expat.ExpatError as error:
            raise InvalidInput(
                f"not well-formed SVG: {expat.errors.messages[error.code]}"
            ) from None
        return self.scan

    def _xml_declaration(self, _version: str, encoding: str | None, _standalone: int) -> None:
        if encoding is not None and encoding.lower() not in _UTF8_NAMES:
            raise InvalidInput(f"SVG must be UTF-8, not {encoding}")

    def _doctype(self, _name: str, _system: str | None, _public: str | None, subset: int) -> None:
        # Entity declarations (billion laughs, external entities) only live in an internal subset.
        if subset:
            raise InvalidInput("SVG with a DTD internal subset (entity declarations) is refused")

    def _skipped_entity(self, name: str, _is_parameter: int) -> None:
        raise InvalidInput(f"SVG refers to the undefined entity {name!r}")

    def _namespace(self, prefix: str | None, uri: str) -> None:
        if self._depth == 0 and prefix is not None:
            self._root_namespaces[prefix] = uri

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        start = self._parser.CurrentByteIndex
        if self._inside is not None:
            raise InvalidInput("openbadges:credential must hold only text")
        if self._depth == 0:
            if name not in {"svg", f"{SVG_NAMESPACE} svg"}:
                raise InvalidInput("not an SVG image (the root element is not <svg>)")
            self.scan.root_name = re.split(rb"[\s/>]", self._svg[start + 1 : start + 256])[0]
            self.scan.root_tag_end = _tag_end(self._svg, start)
            self.scan.root_self_closing = self._svg[self.scan.root_tag_end - 2] == ord("/")
            self.scan.prefix_uri = self._root_namespaces.get("openbadges")
        elif name == _CREDENTIAL_ELEMENT:
            self._inside = _BakedElement(start, verify=attributes.get("verify"))
            self.scan.baked.append(self._inside)
        self._depth += 1

    def _end(self, _name: str) -> None:
        self._depth -= 1
        if self._inside is not None:
            # expat reports an empty element's end after its tag, any other before its end tag.
            tag_end = _tag_end(self._svg, self._inside.start)
            empty = self._svg[tag_end - 2] == ord("/")
            self._inside.end = (
                tag_end if empty else _tag_end(self._svg, self._parser.CurrentByteIndex)
            )
            self._inside = None

    def _text(self, text: str) -> None:
        if self._inside is not None:
            self._inside.text.append(text)


def _scan_svg(svg: bytes) -> _SvgScan:
    _check_size(svg)
    return _SvgScanner(bytes(svg)).run()


def extract_svg(svg: bytes) -> str:
    """The credential baked into an SVG image."""
    baked = _scan_svg(svg).baked
    if len(baked) > 1:
        raise InvalidInput("the SVG holds more than one openbadges:credential")
    if not baked:
        raise InvalidInput("the SVG holds no baked credential")
    element = baked[0]
    return _non_empty(element.verify if element.verify is not None else "".join(element.text))


def _credential_element(credential: str) -> bytes:
    if _is_compact_jws(credential):
        jws = credential.strip()
        return f'<openbadges:credential verify="{jws}"></openbadges:credential>'.encode()
    # Raw CRs can only be whitespace between JSON tokens; XML would turn them into LFs anyway.
    text = credential.replace("\r\n", "\n").replace("\r", "\n")
    if _NOT_XML_CHAR.search(text):
        raise InvalidInput("the credential holds a character that XML cannot carry")
    cdata = text.replace("]]>", "]]]]><![CDATA[>")
    return f"<openbadges:credential><![CDATA[{cdata}]]></openbadges:credential>".encode()


def bake_svg(svg: bytes, credential: str) -> bytes:
    """``svg`` with ``credential`` as the first child of its root, replacing any baked before."""
    element = _credential_element(credential)
    scan = _scan_svg(svg)
    if scan.prefix_uri not in {None, OB_NAMESPACE}:
        raise InvalidInput("the SVG binds the openbadges prefix to another namespace")
    result = bytes(svg)
    for old in sorted(scan.baked, key=lambda baked: baked.start, reverse=True):
        result = result[: old.start] + result[old.end :]
    tag_end = scan.root_tag_end
    declaration = b"" if scan.prefix_uri else f' xmlns:openbadges="{OB_NAMESPACE}"'.encode()
    if scan.root_self_closing:
        opening = result[: tag_end - 2].rstrip() + declaration + b">"
        return opening + element + b"</" + scan.root_name + b">" + result[tag_end:]
    opening = result[: tag_end - 1] + declaration + b">"
    return opening + element + result[tag_end:]


def bake(image: bytes, credential: str) -> bytes:
    """Bake ``credential`` into a PNG or SVG image, whichever ``image`` is."""
    return bake_png(image, credential) if _is_png(image) else bake_svg(image, credential)


def extract(data: bytes) -> str:
    """The credential baked into a PNG or SVG image."""
    return extract_png(data) if _is_png(data) else extract_svg(data)


def _is_png(data: bytes) -> bool:
    """PNG by its signature, SVG by a leading ``<``; anything else is refused here."""
    _check_size(data)
    if data.startswith(PNG_SIGNATURE):
        return True
    if bytes(data[:1024]).removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<":
        return False
    raise InvalidInput("not a PNG or SVG image")
