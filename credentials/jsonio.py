"""Reading untrusted JSON with limits.

Every document we accept from outside goes through ``parse_json``: a size cap (1 MiB by default),
a nesting-depth cap (64), no duplicate object keys (a duplicated ``proof`` or ``id`` would let two
parsers see two different credentials), and no NaN/Infinity (not JSON, RFC 8259 section 6).

>>> parse_json(b'{"a": [1, 2]}')
{'a': [1, 2]}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from credentials.errors import InputTooLarge, InvalidInput

MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_DEPTH = 64


def _reject_constant(name: str) -> Any:
    raise InvalidInput(f"JSON does not allow {name}")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidInput(f"duplicate key {key!r} in a JSON object")
        result[key] = value
    return result


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
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise InputTooLarge(f"document is {len(raw)} bytes; the limit is {max_bytes}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"document is not UTF-8 (byte {exc.start})") from None
    text = text.removeprefix("\ufeff")
    if text.count("[") + text.count("{") > max_depth:
        # Only then can the nesting exceed the limit; skipping the scan keeps small documents fast.
        _precheck_depth(text, max_depth)
    try:
        return json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


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
