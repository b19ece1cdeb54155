"""Canonical N-Quads: writing RDF terms the way RDFC-1.0 requires, and reading N-Quads documents.

Terms and quads are pyld's dictionaries (``{"type": "IRI", "value": ...}``), so that datasets move
between pyld and this module unchanged. Writing follows RDFC-1.0 section 4.4 "Canonical N-Quads"
(RDF 1.2 N-Triples section 4, canonical form): in literals, only ``"`` ``\\`` and the control
characters are escaped, ``\\b \\t \\n \\f \\r`` by name and the others as ``\\uXXXX`` with
upper-case hex. Reading follows the RDF 1.1 N-Quads grammar (section 5), escapes included.

>>> canonical_literal('a\\x07"', XSD_STRING, None)
'"a\\\\u0007\\\\""'
"""

from __future__ import annotations

import re
from typing import Any

from credentials.errors import InvalidInput

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_LITERAL_ESCAPES = {code: f"\\u{code:04X}" for code in (*range(0x20), 0x7F)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}

Term = dict[str, str]
Quad = dict[str, Term]
Dataset = dict[str, list[Quad]]


def canonical_literal(value: str, datatype: str, language: str | None) -> str:
    """A literal in canonical N-Quads; ``xsd:string`` is implicit, language tags as given."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        # Nothing to escape (every character escaped is a control character, '"' or '\\'), and
        # these three scans in C are much cheaper than ``translate`` through a dict.
        literal = f'"{value}"'
    else:
        literal = '"' + value.translate(_LITERAL_ESCAPES) + '"'
    if datatype == RDF_LANG_STRING:
        return f"{literal}@{language}"
    if datatype != XSD_STRING:
        return f"{literal}^^<{datatype}>"
    return literal


def canonical_term(term: Term) -> str:
    if term["type"] == "IRI":
        return f"<{term['value']}>"
    if term["type"] == "blank node":
        return term["value"]
    return canonical_literal(term["value"], term["datatype"], term.get("language"))


def canonical_nquad(quad: Quad) -> str:
    """One quad in canonical N-Quads (RDFC-1.0 section 4.4; RDF 1.2 N-Triples section 4)."""
    parts = [canonical_term(quad["subject"]), canonical_term(quad["predicate"])]
    parts.append(canonical_term(quad["object"]))
    if "name" in quad:
        parts.append(canonical_term(quad["name"]))
    return " ".join(parts) + " .\n"


_IRI = r'<((?:[^\x00-\x20<>"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>'
_BNODE = (
    r"_:([A-Za-z0-9_\u00B7-\uFFFF](?:[A-Za-z0-9_.\-\u00B7-\uFFFF]*[A-Za-z0-9_\-\u00B7-\uFFFF])?)"
)
_LITERAL = (
    r'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)"'
    r"(?:\^\^" + _IRI + r"|@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*))?"
)
_QUAD = re.compile(
    rf"[ \t]*(?:{_IRI}|{_BNODE})[ \t]*{_IRI}[ \t]*(?:{_IRI}|{_BNODE}|{_LITERAL})"
    rf"[ \t]*(?:(?:{_IRI}|{_BNODE})[ \t]*)?\.[ \t]*(?:#[^\n\r]*)?"
)
_EOL = re.compile(r"\r\n|[\r\n]")
_BLANK_LINE = re.compile(r"[ \t]*(?:#[^\n\r]*)?")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(3) is not None:
            return _ECHARS[match.group(3)]
        code = int(match.group(1) or match.group(2), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise InvalidInput(f"N-Quads escape \\u{code:04X} is not a Unicode scalar value")
        return chr(code)

    return _ESCAPE.sub(replace, text) if "\\" in text else text


def parse_nquads(text: str) -> tuple[Dataset, dict[str, str]]:
    """Read N-Quads into a pyld dataset without duplicate quads.

    Blank nodes get internal labels ``_:bN`` in order of appearance (pyld would not relabel an
    input label that already starts with ``_:c14n``); the second result maps them back.
    """
    dataset: Dataset = {}
    seen: set[str] = set()
    internal: dict[str, str] = {}

    def blank(label: str) -> Term:
        value = internal.setdefault(label, f"_:b{len(internal)}")
        return {"type": "blank node", "value": value}

    def node(iri: str | None, label: str | None) -> Term:
        return {"type": "IRI", "value": _unescape(iri)} if iri is not None else blank(str(label))

    # EOL is [#xD#xA]+; str.splitlines would also split at U+2028 etc., which literals may hold.
    for number, line in enumerate(_EOL.split(text), start=1):
        match = _QUAD.fullmatch(line)
        if match is None:
            if _BLANK_LINE.fullmatch(line):
                continue
            raise InvalidInput(f"invalid N-Quads statement at line {number}")
        groups = match.groups()
        quad: Quad = {
            "subject": node(groups[0], groups[1]),
            "predicate": node(groups[2], None),
            "object": _object_term(groups[3:8], blank),
        }
        graph = "@default"
        if groups[8] is not None or groups[9] is not None:
            name = node(groups[8], groups[9])
            graph = name["value"]
        key = canonical_nquad(quad) + graph
        if key not in seen:
            seen.add(key)
            dataset.setdefault(graph, []).append(quad)
    return dataset, {value[2:]: label for label, value in internal.items()}


def _object_term(groups: tuple[str | None, ...], blank: Any) -> Term:
    iri, label, lexical, datatype, language = groups[0], groups[1], groups[2], groups[3], groups[4]
    if iri is not None:
        return {"type": "IRI", "value": _unescape(iri)}
    if label is not None:
        term: Term = blank(label)
        return term
    literal = {"type": "literal", "value": _unescape(str(lexical)), "datatype": XSD_STRING}
    if datatype is not None:
        literal["datatype"] = _unescape(datatype)
    elif language is not None:
        literal["datatype"] = RDF_LANG_STRING
        literal["language"] = language
    return literal
