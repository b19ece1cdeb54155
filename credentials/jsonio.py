"""Reading untrusted JSON with limits.

Every document we accept from outside goes through ``parse_json``: a size cap (1 MiB by default),
a nesting-depth cap (64), no duplicate object keys (a duplicated ``proof`` or ``id`` would let two
parsers see two different credentials), no NaN/Infinity tokens and no number that only fits as
infinity (``1e999999``; RFC 8259 section 6), no integer of more than 4,300 digits (Python's own
conversion limit, which would otherwise surface as an unexpected ``ValueError``), no lone
surrogate escape (``"\\ud800"`` is not a Unicode string, RFC 8259 section 8.2, and cannot be
written back as UTF-8), and no byte order mark (RFC 8259 section 8.1: senders must not add one).
Each refusal is an ``InvalidInput`` with a reason, so the web answers 4xx and the CLI exits 2.

>>> parse_json(b'{"a": [1, 2]}')
{'a': [1, 2]}
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

from credentials.errors import InputTooLarge, InvalidInput

MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_DEPTH = 64
# Python's default ``sys.int_info.default_max_str_digits``: a longer integer is refused by
# ``int()`` itself, so we refuse it first with a reason.
MAX_INTEGER_DIGITS = 4300
# A \u escape of a UTF-16 surrogate (D800-DFFF); only then can a parsed string hold a lone one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _reject_constant(name: str) -> Any:
    raise InvalidInput(f"JSON does not allow {name}")


def _parse_int(digits: str) -> int:
    if len(digits) - digits.startswith("-") > MAX_INTEGER_DIGITS:
        raise InvalidInput(f"JSON holds an integer of more than {MAX_INTEGER_DIGITS} digits")
    return int(digits)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidInput(f"JSON number {text[:40]} is too large to represent")
    return value


def _refuse_lone_surrogates(value: Any) -> None:
    """Raise ``InvalidInput`` if any string (member name or value) holds a lone surrogate."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidInput("JSON holds a lone surrogate (\\ud800-\\udfff)") from None


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Built in C first, then compared: a key given twice leaves fewer entries than pairs. A
    # quarter of a vc+jwt verify went to a loop over the pairs here (docs/performance.md).
    result = dict(pairs)
    if len(result) != len(pairs):
        raise InvalidInput(f"duplicate key {_first_repeated(pairs)!r} in a JSON object")
    return result


def _first_repeated(pairs: list[tuple[str, Any]]) -> str:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    raise AssertionError("called only when a key repeats")


# One decoder for every parse: ``json.loads`` with hooks builds a new one each call.
_UNTRUSTED_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_without_duplicates,
    parse_constant=_reject_constant,
    parse_int=_parse_int,
    parse_float=_parse_float,
)


def check_depth(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``InputTooLarge`` when ``value`` nests deeper than ``max_depth`` containers."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > max_depth:
            raise InputTooLarge(f"JSON nested deeper than {max_depth} levels")
        stack.extend((child, depth + 1) for child in children)


def _precheck_depth(text: str, max_depth: int) -> None:
    # Python's json module recurses per level; checking brackets first refuses a "JSON bomb"
    # (100,000 nested arrays) in linear time before the parser can hit its recursion limit.
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                raise InputTooLarge(f"JSON nested deeper than {max_depth} levels")
        elif char in "]}":
            depth -= 1


def parse_json(
    data: bytes | str, *, max_bytes: int = MAX_DOCUMENT_BYTES, max_depth: int = MAX_DEPTH
) -> Any:
    """Parse untrusted JSON text; raise ``InvalidInput`` (or ``InputTooLarge``) with a reason."""
    try:
        raw = data.encode("utf-8") if isinstance(data, str) else data
    except UnicodeEncodeError:
        raise InvalidInput("document holds a lone surrogate; it is not Unicode text") from None
    if len(raw) > max_bytes:
        raise InputTooLarge(f"document is {len(raw)} bytes; the limit is {max_bytes}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"document is not UTF-8 (byte {exc.start})") from None
    if text.startswith("\ufeff"):
        raise InvalidInput("document starts with a byte order mark (U+FEFF); remove it")
    if text.count("[") + text.count("{") > max_depth:
        # Only then can the nesting exceed the limit; skipping the scan keeps small documents fast.
        _precheck_depth(text, max_depth)
    try:
        value = _UNTRUSTED_DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(value)
    return value


def parse_json_object(data: bytes | str, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> dict[str, Any]:
    """Parse untrusted JSON that must be an object."""
    value = parse_json(data, max_bytes=max_bytes)
    if not isinstance(value, dict):
        raise InvalidInput(f"expected a JSON object, got {type(value).__name__}")
    return value


_WHITESPACE = " \t\n\r"  # JSON's insignificant whitespace (RFC 8259 section 2)
_DECODER = json.JSONDecoder()


def _skip_whitespace(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def _scan(text: str, position: int) -> tuple[Any, int]:
    """The JSON value starting at ``position`` and where it ends (the standard scanner)."""
    try:
        return _DECODER.raw_decode(text, position)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"malformed JSON at character {exc.pos}") from None


def _member_start(text: str, position: int, step: str | int) -> int:
    """Where the value of member ``step`` (a name in an object, an index in an array) starts,
    given the container starting at ``position``."""
    opening, closing = ("{", "}") if isinstance(step, str) else ("[", "]")
    if text[position : position + 1] != opening:
        raise InvalidInput(f"no {step!r} here: the value is not a JSON {opening}{closing}")
    position, index = _skip_whitespace(text, position + 1), 0
    while text[position : position + 1] not in ("", closing):
        if isinstance(step, str):
            name, position = _scan(text, position)
            position = _skip_whitespace(text, _skip_whitespace(text, position) + 1)  # past ':'
            if name == step:
                return position
        elif index == step:
            return position
        position = _skip_whitespace(text, _scan(text, position)[1])
        if text.startswith(",", position):
            position = _skip_whitespace(text, position + 1)
        index += 1
    raise InvalidInput(f"no {step!r} in the JSON document")


def member_text(text: str, path: Sequence[str | int]) -> str:
    """The exact source text of the value at ``path`` in ``text``, a JSON document that
    ``parse_json`` accepted (so no duplicate names: the first match is the only one).

    Slicing keeps a signed document that arrives inside another JSON document (an OpenID4VCI
    credential response) exactly as its sender wrote it: spacing, escapes and number forms.

    >>> member_text('{"credentials": [ {"credential": {"a" : 1.0}} ]}', ["credentials", 0])
    '{"credential": {"a" : 1.0}}'
    """
    position = _skip_whitespace(text, 0)
    for step in path:
        position = _member_start(text, position, step)
    return text[position : _scan(text, position)[1]]
