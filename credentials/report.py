"""Verification report types: one result per check, never an exception for a bad credential.

A check has a stable ``id`` (clients switch on it), an ``outcome``, a ``message_key`` that the pages
render in English or French (``verifier.wording``), the ``params`` the message needs, and where one
exists the W3C problem type (VC Data Model 2.0, section 7.1 "Verification"; Bitstring Status List
section 3.2 errors).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    COULD_NOT_CHECK = "could_not_check"


class Verdict(StrEnum):
    """The one headline a report gets (issue #4): never "valid" for what could not be checked."""

    VERIFIED = "verified"
    VERIFIED_WITH_WARNINGS = "verified_with_warnings"
    NOT_VERIFIED = "not_verified"
    COULD_NOT_FULLY_CHECK = "could_not_fully_check"


def _frozen(params: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(params or {}))


@dataclass(frozen=True)
class Check:
    id: str
    outcome: Outcome
    message_key: str
    params: Mapping[str, str] = field(default_factory=lambda: _frozen(None))
    problem_type: str | None = None

    @classmethod
    def of(
        cls,
        check_id: str,
        outcome: Outcome,
        message_key: str,
        problem_type: str | None = None,
        **params: str,
    ) -> Check:
        return cls(check_id, outcome, message_key, _frozen(params), problem_type)


def verdict_of(checks: Sequence[Check]) -> Verdict:
    """Failed beats could-not-check beats warning: a forgery is never softened to a warning."""
    outcomes = {check.outcome for check in checks}
    if Outcome.FAILED in outcomes:
        return Verdict.NOT_VERIFIED
    if Outcome.COULD_NOT_CHECK in outcomes:
        return Verdict.COULD_NOT_FULLY_CHECK
    if Outcome.WARNING in outcomes:
        return Verdict.VERIFIED_WITH_WARNINGS
    return Verdict.VERIFIED


def ordered(checks: Sequence[Check]) -> list[Check]:
    """Failed checks first (the reader sees why first), otherwise the pipeline's order."""
    rank = {Outcome.FAILED: 0, Outcome.COULD_NOT_CHECK: 1, Outcome.WARNING: 1, Outcome.PASSED: 1}
    return sorted(checks, key=lambda check: rank[check.outcome])
