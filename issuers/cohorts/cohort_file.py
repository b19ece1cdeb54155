"""Reading and validating a cohort file (CSV or JSON) before anything is issued.

Every row is checked first and every problem is reported with its line number, column and reason;
a file with any problem issues nothing. The file must be UTF-8 (a byte-order mark, as Excel's
"CSV UTF-8" writes, is accepted); any other encoding is refused with the line of the first bad
byte, because guessing (e.g. Latin-1) would silently turn "Côté" into "CÃ´tÃ©" in a signed
credential.

Columns (CSV header, or JSON member names): ``external_id``, ``name``, ``email`` are required;
``did``, ``result``, ``awarded_on`` (YYYY-MM-DD), ``valid_until`` (YYYY-MM-DD), ``evidence_url``,
``evidence_narrative`` and ``program`` (the program's slug, checked against the upload's) are
optional. Within a file an external id and a learner's email may each appear once.

>>> from datetime import UTC, datetime
>>> data = "external_id,name,email\\nS-1,Amélie Côté,amelie@example.ca\\n".encode()
>>> report = validate_cohort(data, "cohort.csv", "welding", datetime(2025, 9, 1, tzinfo=UTC))
>>> report.row_count, report.errors
(1, [])
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from credentials import InputTooLarge, InvalidInput, parse_json
from issuers.awards.service import AwardRequest, Learner

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_REPORTED_ERRORS = 1_000
MAX_FIELD_LENGTH = 1_000
REQUIRED_COLUMNS = ("external_id", "name", "email")
OPTIONAL_COLUMNS = (
    "did",
    "result",
    "awarded_on",
    "valid_until",
    "evidence_url",
    "evidence_narrative",
    "program",
    "language",
)
EARLIEST_AWARD = date(1950, 1, 1)
LATEST_VALIDITY_YEARS = 100


@dataclass(frozen=True)
class RowError:
    """A problem of one row. ``reason`` is the English text (API, CLI); the console translates
    ``template`` (a message of the French catalog) and fills it with ``params``."""

    line: int
    column: str | None
    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return self.template % self.params if self.params else self.template

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class CohortReport:
    """The outcome of validation: how many rows, and every problem (capped for very bad files)."""

    row_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    truncated: bool = False

    @property
    def valid(self) -> bool:
        return not self.errors

    def add(self, line: int, column: str | None, template: str, /, **params: object) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, column, template, params))
        else:
            self.truncated = True


def _decode(data: bytes) -> str:
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputTooLarge(f"the file is {len(data)} bytes; the limit is {MAX_UPLOAD_BYTES}")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InvalidInput(
            f"line {line}: the file is not UTF-8 (byte 0x{data[error.start]:02X}); "
            "save it as UTF-8 (in Excel: 'CSV UTF-8') and upload it again"
        ) from None


def _is_json(filename: str, text: str) -> bool:
    return filename.lower().endswith(".json") or text.lstrip()[:1] in ("[", "{")


def read_rows(data: bytes, filename: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, row)`` for each row; ``InvalidInput`` for a file that cannot be read."""
    text = _decode(data)
    if _is_json(filename, text):
        yield from _json_rows(text)
    else:
        yield from _csv_rows(text)


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidInput("line 1: the file is empty")
        columns = [name.strip().lower() for name in header]
        _check_columns(columns)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise InvalidInput(
                    f"line {reader.line_num}: {len(row)} cells where the header has {len(columns)}"
                )
            yield reader.line_num, dict(zip(columns, row, strict=True))
    except csv.Error as error:
        raise InvalidInput(f"line {reader.line_num}: malformed CSV ({error})") from None


def _json_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    document = parse_json(text, max_bytes=MAX_UPLOAD_BYTES)
    items = document.get("learners") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise InvalidInput('a JSON cohort is a list of learners, or {"learners": [...]}')
    seen_columns: set[str] = set()
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInput(f"item {position}: each learner must be a JSON object")
        columns = sorted(set(item) - seen_columns)
        if columns:
            _check_columns([*seen_columns, *columns], require=not seen_columns)
            seen_columns.update(columns)
        yield position, {key: "" if value is None else str(value) for key, value in item.items()}


def _check_columns(columns: list[str], *, require: bool = True) -> None:
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    unknown = [name for name in columns if name not in known]
    if unknown:
        raise InvalidInput(
            f"line 1: unknown column(s) {', '.join(unknown)}; "
            f"the columns are {', '.join((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))}"
        )
    if len(set(columns)) != len(columns):
        raise InvalidInput("line 1: a column is named twice")
    missing = [name for name in REQUIRED_COLUMNS if name not in columns] if require else []
    if missing:
        raise InvalidInput(f"line 1: missing required column(s) {', '.join(missing)}")


def _parse_date(value: str, column: str, report: CohortReport, line: int) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        report.add(line, column, "%(value)s is not a date (YYYY-MM-DD)", value=repr(value))
        return None


def _check_row(
    line: int, row: dict[str, str], program_slug: str, now: datetime, report: CohortReport
) -> AwardRequest | None:
    before = len(report.errors)
    values = {key: value.strip() for key, value in row.items()}
    for column, value in values.items():
        if len(value) > MAX_FIELD_LENGTH:
            report.add(line, column, "longer than %(limit)s characters", limit=MAX_FIELD_LENGTH)
    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            report.add(line, column, "is required")
    if values.get("program") and values["program"] != program_slug:
        report.add(
            line,
            "program",
            "unknown program %(program)s for this upload",
            program=repr(values["program"]),
        )
    learner = Learner(values.get("name", ""), values.get("email", ""), values.get("did") or None)
    for column, check in (("name", learner.checked_name), ("email", learner.checked_email)):
        if values.get(column):
            _collect(report, line, column, check)
    if values.get("did"):
        _collect(report, line, "did", learner.checked_did)
    awarded = values.get("awarded_on") and _parse_date(
        values["awarded_on"], "awarded_on", report, line
    )
    if awarded and not EARLIEST_AWARD <= awarded <= now.date():
        report.add(
            line,
            "awarded_on",
            "%(date)s is out of range (%(earliest)s to today)",
            date=awarded,
            earliest=EARLIEST_AWARD,
        )
    until = values.get("valid_until") and _parse_date(
        values["valid_until"], "valid_until", report, line
    )
    latest = now.date() + timedelta(days=365 * LATEST_VALIDITY_YEARS)
    if until and not now.date() < until <= latest:
        report.add(
            line,
            "valid_until",
            "%(date)s is out of range (after today, before %(latest)s)",
            date=until,
            latest=latest,
        )
    language = values.get("language", "").strip().lower() or None
    if language not in (None, "en", "fr"):
        report.add(line, "language", "the language of the award email is en or fr")
    if len(report.errors) > before:
        return None
    evidence = _evidence(values)
    return AwardRequest(
        learner=learner.checked(),
        result=values.get("result") or None,
        evidence=evidence,
        awarded_on=datetime.combine(awarded, time(), UTC) if awarded else None,
        valid_until=datetime.combine(until, time(), UTC) if until else None,
        external_id=values["external_id"],
        language=language,
    )


def _collect(report: CohortReport, line: int, column: str, check: Any) -> None:
    try:
        check()
    except InvalidInput as error:
        report.add(line, column, error.template, **error.params)


def _evidence(values: dict[str, str]) -> tuple[dict[str, str], ...]:
    item = {"id": values.get("evidence_url"), "narrative": values.get("evidence_narrative")}
    present = {key: value for key, value in item.items() if value}
    return (present,) if present else ()


def validated_requests(
    data: bytes, filename: str, program_slug: str, now: datetime, report: CohortReport
) -> Iterator[tuple[int, AwardRequest]]:
    """Each valid row as an ``AwardRequest``; problems go to ``report`` (file-level ones too)."""
    external_ids: dict[str, int] = {}
    emails: dict[str, int] = {}
    try:
        for line, row in read_rows(data, filename):
            report.row_count += 1
            if report.row_count > MAX_ROWS:
                raise InputTooLarge(f"the file has more than {MAX_ROWS} rows")
            request = _check_row(line, row, program_slug, now, report)
            if request is None:
                continue
            for column, key, seen in (
                ("external_id", request.external_id or "", external_ids),
                ("email", request.learner.checked().email, emails),
            ):
                if key in seen:
                    report.add(line, column, "duplicate of line %(line)s", line=seen[key])
                    request = None
                else:
                    seen[key] = line
            if request is not None:
                yield line, request
    except InvalidInput as error:
        report.add(0, None, error.template, **error.params)


def validate_cohort(data: bytes, filename: str, program_slug: str, now: datetime) -> CohortReport:
    """Validate the whole file (the dry run); nothing is stored."""
    report = CohortReport()
    for _ in validated_requests(data, filename, program_slug, now, report):
        pass
    return report
