"""Building blocks of the VC Data Model 2.0 shared by every credential class we read or emit.

Every model keeps the JSON member names of the specifications (camelCase aliases over snake_case
attributes) and keeps unknown members (``extra="allow"``): a credential parsed from someone else
never loses data, and ``to_jsonld()`` gives back what was read. Dates stay the strings that were
read (a re-formatted date would be different data); ``parse_datetime_stamp`` turns them into
aware datetimes when a check needs one.

>>> format_datetime(datetime(2025, 5, 1, 12, 30, tzinfo=UTC))
'2025-05-01T12:30:00Z'
>>> Profile(id="https://example.edu/issuer", name="Example").to_jsonld()
{'id': 'https://example.edu/issuer', 'type': ['Profile'], 'name': 'Example'}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar, Final, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    NonNegativeInt,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    StringConstraints,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
)

from credentials.contexts import VC_V2
from credentials.errors import InvalidInput

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VERIFIABLE_CREDENTIAL = "VerifiableCredential"
BITSTRING_STATUS_LIST_ENTRY: Final = "BitstringStatusListEntry"

# VC Data Model 2.0 section 4.6 (Validity Period): an XML Schema 1.1 dateTimeStamp, whose time
# zone offset is mandatory. Fractional seconds are allowed when reading (vc-data-model #1193).
_DATE_TIME_STAMP = re.compile(
    r"-?(?P<year>[1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|(?P<midnight>24:00:00(?:\.0+)?))"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
# RFC 3987 section 2.2: an absolute IRI starts with a scheme. JSON-LD safe mode refuses relative
# IRIs, so ids without a scheme ("3732", "/issuers/1") can never verify.
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*")
_VALUE_ERROR_PREFIX = "Value error, "
# Validation context key: set while reading a document, so that nothing is added to it.
_READING = "reading"


def parse_datetime_stamp(value: str) -> datetime:
    """Read an XML Schema ``dateTimeStamp`` (timezone mandatory) as an aware datetime.

    >>> parse_datetime_stamp("2010-01-01T00:00:00.25-05:00").isoformat()
    '2010-01-01T00:00:00.250000-05:00'
    """
    match = _DATE_TIME_STAMP.fullmatch(value)
    if match is None:
        raise InvalidInput(
            f"{value!r} is not an XML Schema dateTimeStamp: YYYY-MM-DDThh:mm:ss[.s] followed by "
            "Z or an offset such as +02:00 (VC Data Model 2.0 section 4.6)"
        )
    if value.startswith("-") or len(match["year"]) > 4:
        raise InvalidInput(f"{value!r} is outside the years 0001 to 9999")
    text, next_day = value, False
    if match["midnight"]:
        # XML Schema allows 24:00:00 for the midnight that ends a day.
        text, next_day = value.replace(match["midnight"], "00:00:00", 1), True
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a real date and time") from None
    return parsed + timedelta(days=1) if next_day else parsed


def instant_or_none(value: object) -> datetime | None:
    """``parse_datetime_stamp`` for display and checks that tolerate absent or bad dates (the
    format check reports those): the aware datetime, or None."""
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime_stamp(value)
    except InvalidInput:
        return None


def format_datetime(moment: datetime) -> str:
    """Format an aware datetime as we emit it: ``YYYY-MM-DDThh:mm:ssZ``, UTC, no fraction.

    Strict dateTime patterns reject fractional seconds (standards digest, pitfall 6), so they are
    truncated. A naive datetime is refused: its instant is unknown.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput("a naive datetime has no timezone; pass an aware datetime (e.g. UTC)")
    utc = moment.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return utc.isoformat() + "Z"


def _as_pydantic_check(check: Callable[[str], object]) -> Callable[[str], str]:
    # Pydantic reports ValueError with the member's path; our parsers raise InvalidInput.
    def validate(value: str) -> str:
        try:
            check(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
        return value

    return validate


def _check_absolute_iri(value: str) -> None:
    if _ABSOLUTE_IRI.fullmatch(value) is None:
        raise InvalidInput(f"{value!r} is not an absolute IRI (a URL, URN or DID)")


Contexts = str | list[str | dict[str, Any]]


def _require_vc_context(value: Contexts) -> Contexts:
    first = value if isinstance(value, str) else (value[0] if value else None)
    if first not in (VC_V2, VC_V1):
        raise ValueError(
            f"the first context must be {VC_V2} (VC Data Model 2.0 section 4.3), "
            f"or {VC_V1} for a VC Data Model 1.1 document"
        )
    return value


VcContexts = Annotated[Contexts, AfterValidator(_require_vc_context)]
DateTimeStamp = Annotated[str, AfterValidator(_as_pydantic_check(parse_datetime_stamp))]
Iri = Annotated[str, AfterValidator(_as_pydantic_check(_check_absolute_iri))]
TypeValue = str | list[str]


def type_names(value: TypeValue | None) -> tuple[str, ...]:
    """The ``type`` member as a tuple: JSON-LD allows one string or an array."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def spec_type_field() -> Any:
    """A ``type`` member that stays absent when a document without it is read, and is the
    class's ``spec_type`` (the form of the specification examples) when a model is built."""
    return Field(default=None, validate_default=True)


def _is_reading(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and info.context.get(_READING) is True


M = TypeVar("M", bound=BaseModel)


def _json_path(document: Any, location: tuple[str | int, ...], *, missing: bool) -> str:
    # Pydantic locations also name union members ("str", "Profile"); keep only the steps that
    # exist in the document, so the path is one a person can find in the JSON. The last step of
    # a "missing" error is the absent member itself.
    path, node = "", document
    for position, step in enumerate(location):
        is_last = position == len(location) - 1
        if (
            isinstance(node, dict)
            and isinstance(step, str)
            and (step in node or (missing and is_last))
        ):
            path, node = (f"{path}.{step}" if path else step), node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            path, node = f"{path}[{step}]", node[step]
    return path


def describe_validation_error(error: ValidationError, document: Any, *, limit: int = 3) -> str:
    """``path: reason`` for the first few distinct problems of a pydantic ValidationError."""
    # A dict keeps first-seen order and makes de-duplication linear: a document with 200,000
    # bad items must not cost quadratic time to describe.
    reasons: dict[str, None] = {}
    for detail in error.errors(include_url=False, include_input=False):
        missing = detail["type"] == "missing"
        path = _json_path(document, tuple(detail["loc"]), missing=missing)
        message = detail["msg"].removeprefix(_VALUE_ERROR_PREFIX)
        reasons[f"{path}: {message}" if path else message] = None
    shown = list(reasons)[:limit]
    more = len(reasons) - limit
    return "; ".join(shown) + (f" (and {more} more)" if more > 0 else "")


def validate_document(model: type[M], document: object, *, what: str, reading: bool = True) -> M:
    """Validate a JSON document as ``model`` (strictly, by JSON member names only).

    Strict mode refuses coercions ("true" for a boolean, "4" for a number) that would change the
    data on the way back out; reading by alias only keeps a member named ``valid_from`` as an
    unknown member instead of mistaking it for ``validFrom``.
    """
    if not isinstance(document, dict):
        raise InvalidInput(f"a {what} must be a JSON object, not {type(document).__name__}")
    try:
        return model.model_validate(
            document, strict=True, by_alias=True, by_name=False, context={_READING: reading}
        )
    except ValidationError as exc:
        raise InvalidInput(f"invalid {what}: {describe_validation_error(exc, document)}") from None


class JsonLdModel(BaseModel):
    """Base of every credential model: camelCase JSON, unknown members kept, immutable.

    Documents from outside are read with ``validate_document`` (``InvalidInput`` with a path).
    Constructing a model in code with bad values raises pydantic's ``ValidationError`` (a
    ``ValueError``): a programming error, caught at the caller's own input boundary.
    """

    model_config = ConfigDict(populate_by_name=True, extra="allow", frozen=True)
    spec_type: ClassVar[TypeValue | None] = None

    @field_validator("type", check_fields=False)
    @classmethod
    def _spec_type_when_building(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and cls.spec_type is not None and not _is_reading(info):
            return cls.spec_type if isinstance(cls.spec_type, str) else list(cls.spec_type)
        return value

    @model_serializer(mode="wrap")
    def _omit_absent_members(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        # Drop declared members that are None (absent), but keep unknown members verbatim, even
        # null ones: exclude_none would drop those too, and that would lose data we were given.
        dumped: dict[str, Any] = handler(self)
        for name, field in type(self).model_fields.items():
            if getattr(self, name) is None:
                dumped.pop(field.alias if info.by_alias and field.alias else name, None)
        return dumped

    def to_jsonld(self) -> dict[str, Any]:
        """The JSON-LD document: spec member names, absent members omitted, extras kept."""
        dumped: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        return dumped


class LanguageValue(JsonLdModel):
    """A language-tagged string (VC Data Model 2.0 section 11.1)."""

    value: str = Field(alias="@value")
    language: str | None = Field(default=None, alias="@language")
    direction: str | None = Field(default=None, alias="@direction")


LocalizedText = str | LanguageValue | list[LanguageValue]


class Image(JsonLdModel):
    """OB 3.0 Image: a URL or data URI with an optional caption."""

    id: Iri
    spec_type: ClassVar[TypeValue] = "Image"
    type: TypeValue | None = spec_type_field()
    caption: str | None = None


class IdentifierEntry(JsonLdModel):
    """OB 3.0 IdentifierEntry: another identifier of a Profile or Achievement."""

    spec_type: ClassVar[TypeValue] = "IdentifierEntry"
    type: TypeValue | None = spec_type_field()
    identifier: str
    identifier_type: str = Field(alias="identifierType")


class Profile(JsonLdModel):
    """OB 3.0 Profile: an issuer, creator or source. Only ``id`` is required."""

    id: Iri
    spec_type: ClassVar[TypeValue] = ["Profile"]
    type: TypeValue | None = spec_type_field()
    name: LocalizedText | None = None
    url: Iri | None = None
    phone: str | None = None
    description: LocalizedText | None = None
    # Endorsements are credentials signed by others: kept exactly as given.
    endorsement: list[dict[str, Any]] | None = None
    image: Image | Iri | None = None
    email: str | None = None
    address: dict[str, Any] | None = None
    other_identifier: list[IdentifierEntry] | None = Field(default=None, alias="otherIdentifier")
    official: str | None = None
    parent_org: Profile | None = Field(default=None, alias="parentOrg")


class CredentialSchema(JsonLdModel):
    """VC Data Model 2.0 section 4.11: ``id`` and ``type`` are required."""

    id: Iri
    type: str


class BitstringStatusListEntry(JsonLdModel):
    """Bitstring Status List 1.0 section 2.1. The index is a base-10 string; 1EdTech fixtures
    use an integer, which we read (standards digest, pitfall 4) but never emit."""

    id: Iri | None = None
    type: Literal["BitstringStatusListEntry"] = BITSTRING_STATUS_LIST_ENTRY
    status_purpose: str = Field(alias="statusPurpose")
    status_list_index: Annotated[str, StringConstraints(pattern=r"^[0-9]+$")] | NonNegativeInt = (
        Field(alias="statusListIndex")
    )
    status_list_credential: Iri = Field(alias="statusListCredential")
    status_size: int | None = Field(default=None, alias="statusSize")
    status_message: list[dict[str, Any]] | None = Field(default=None, alias="statusMessage")
    status_reference: str | list[str] | None = Field(default=None, alias="statusReference")

    @property
    def index(self) -> int:
        return int(self.status_list_index)


class CredentialStatus(JsonLdModel):
    """Any other status method (e.g. ``1EdTechRevocationList``): only ``type`` is required."""

    id: Iri | None = None
    type: TypeValue


def _status_kind(entry: Any) -> str:
    # A declared BitstringStatusListEntry must be a valid one, not fall back to the generic class.
    declared = entry.get("type") if isinstance(entry, dict) else getattr(entry, "type", None)
    return "bitstring" if declared == BITSTRING_STATUS_LIST_ENTRY else "other"


StatusEntry = Annotated[
    Annotated[BitstringStatusListEntry, Tag("bitstring")]
    | Annotated[CredentialStatus, Tag("other")],
    Discriminator(_status_kind),
]


class Evidence(JsonLdModel):
    """OB 3.0 Evidence (VC Data Model 2.0 section 5.6)."""

    id: Iri | None = None
    spec_type: ClassVar[TypeValue] = ["Evidence"]
    type: TypeValue | None = spec_type_field()
    narrative: str | None = None
    name: LocalizedText | None = None
    description: LocalizedText | None = None
    genre: str | None = None
    audience: str | None = None
