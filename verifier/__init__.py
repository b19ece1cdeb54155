"""The verifier: input -> pipeline of checks -> report, its wording in English and French
(``verifier.wording``), the trust registry, the API and the employer page.

Other packages import only the names of ``__all__``, from here (``from verifier import
VerifierService``).
"""

from verifier import routes
from verifier.cli import (
    RegistryOption,
    TrustedKeyOption,
    configured_registry,
    register_verifier_commands,
)
from verifier.context import FetchedDocument, OfflineStatusLists, VerificationContext
from verifier.email_check import EmailCheck, check_email
from verifier.inputs import MAX_IMAGE_BYTES, VerifiableInput, claimed_document, read_input
from verifier.outcome_cache import OutcomeCache
from verifier.own import OwnFirstResolver, OwnFirstStatusLists
from verifier.pipeline import VerificationReport, verify_document, verify_input
from verifier.registry import RegistryEntry, RegistrySource, RegistryStatus
from verifier.routes import API_PATH, MAX_UPLOAD_REQUEST_BYTES, REPORT_STATE
from verifier.service import SharedCredentials, VerifierService
from verifier.wording.rendering import (
    explained_report,
    key_is_issuers,
    report_as_json,
    report_as_text,
)
from verifier.wording.sentences import render_check, render_verdict

__all__ = [
    "API_PATH",
    "MAX_IMAGE_BYTES",
    "MAX_UPLOAD_REQUEST_BYTES",
    "REPORT_STATE",
    "EmailCheck",
    "FetchedDocument",
    "OfflineStatusLists",
    "OutcomeCache",
    "OwnFirstResolver",
    "OwnFirstStatusLists",
    "RegistryEntry",
    "RegistryOption",
    "RegistrySource",
    "RegistryStatus",
    "SharedCredentials",
    "TrustedKeyOption",
    "VerifiableInput",
    "VerificationContext",
    "VerificationReport",
    "VerifierService",
    "check_email",
    "claimed_document",
    "configured_registry",
    "explained_report",
    "key_is_issuers",
    "read_input",
    "register_verifier_commands",
    "render_check",
    "render_verdict",
    "report_as_json",
    "report_as_text",
    "routes",
    "verify_document",
    "verify_input",
]
