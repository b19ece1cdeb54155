"""The issuing institutions: institutions, their identities, API keys and console logins, and one
room per subject: awards/ (signing, status lists, OpenID4VCI), cohorts/, programs/, console/,
audit/, mail/, clr/ and key_compromise/ (docs/architecture.md, "issuers/, room by room").

Other packages import only the names of ``__all__``, from here: the functions and tables the shell
and the portal use, and the route and table modules the shell mounts and migrates.
"""

from issuers import public_routes, routes
from issuers import tables as issuer_tables
from issuers.api_models import EmployerCreate, InstitutionCreate, ProgramCreate
from issuers.audit.cli import register_audit_commands
from issuers.awards import oid4vci_routes, status_list_routes
from issuers.awards import routes as award_routes
from issuers.awards import tables as award_tables
from issuers.awards.cli import register_award_commands
from issuers.awards.delivery import badge_art
from issuers.awards.offers import OAuthError, create_offer, offer_uri, open_offer
from issuers.awards.routes import context_for
from issuers.awards.service import AwardRequest, Learner, issue_recorded
from issuers.awards.status_lists import sign_status_list
from issuers.awards.tables import (
    AuditEvent,
    Award,
    Batch,
    BatchRow,
    BatchState,
    RowState,
    StatusList,
)
from issuers.cli import Workspace, register_issuer_commands
from issuers.clr import routes as clr_routes
from issuers.cohorts import routes as cohort_routes
from issuers.cohorts.batch_store import INSERTED_AWARDS
from issuers.cohorts.cli import register_cohort_commands
from issuers.console import cohorts as console_cohorts
from issuers.console import routes as console_routes
from issuers.console.staff import TEMPLATES_DIR
from issuers.counters import SIGNED_CREDENTIAL_COUNTERS
from issuers.demo_staff import DEMO_PASSWORD, add_demo_registrar, demo_sign_ins
from issuers.identity import ISSUER_OWNER_KIND, signer_for_institution
from issuers.institutions import create_institution, find_institution, get_institution
from issuers.key_compromise import routes as key_compromise_routes
from issuers.key_compromise.cli import register_key_compromise_commands
from issuers.mail import outbox as mail_outbox
from issuers.mail import tokens as mail_tokens
from issuers.mail.outbox import (
    MailPump,
    SmtpRelay,
    SmtpSender,
    enqueue,
    stop_waking,
    wake_on_commit,
)
from issuers.mail.tokens import (
    RESET_PAUSE,
    SIGNUP_LIFETIME,
    Purpose,
    issue_token,
    issued_since,
    queue_token_mail,
    valid_account,
)
from issuers.mail.tokens import redeem as redeem_email_token
from issuers.master_key import MasterKeySource
from issuers.programs.achievements import LANGUAGES, achievement_for, program_url, skill_name
from issuers.programs.endorsements import create_employer, endorse_program, find_employer
from issuers.programs.service import create_program, find_program
from issuers.tables import (
    DeliveryMode,
    Employer,
    Institution,
    InstitutionKind,
    Program,
    ProgramEndorsement,
)

__all__ = [
    "DEMO_PASSWORD",
    "INSERTED_AWARDS",
    "ISSUER_OWNER_KIND",
    "LANGUAGES",
    "RESET_PAUSE",
    "SIGNED_CREDENTIAL_COUNTERS",
    "SIGNUP_LIFETIME",
    "TEMPLATES_DIR",
    "AuditEvent",
    "Award",
    "AwardRequest",
    "Batch",
    "BatchRow",
    "BatchState",
    "DeliveryMode",
    "Employer",
    "EmployerCreate",
    "Institution",
    "InstitutionCreate",
    "InstitutionKind",
    "Learner",
    "MailPump",
    "MasterKeySource",
    "OAuthError",
    "Program",
    "ProgramCreate",
    "ProgramEndorsement",
    "Purpose",
    "RowState",
    "SmtpRelay",
    "SmtpSender",
    "StatusList",
    "Workspace",
    "achievement_for",
    "add_demo_registrar",
    "award_routes",
    "award_tables",
    "badge_art",
    "clr_routes",
    "cohort_routes",
    "console_cohorts",
    "console_routes",
    "context_for",
    "create_employer",
    "create_institution",
    "create_offer",
    "create_program",
    "demo_sign_ins",
    "endorse_program",
    "enqueue",
    "find_employer",
    "find_institution",
    "find_program",
    "get_institution",
    "issue_recorded",
    "issue_token",
    "issued_since",
    "issuer_tables",
    "key_compromise_routes",
    "mail_outbox",
    "mail_tokens",
    "offer_uri",
    "oid4vci_routes",
    "open_offer",
    "program_url",
    "public_routes",
    "queue_token_mail",
    "redeem_email_token",
    "register_audit_commands",
    "register_award_commands",
    "register_cohort_commands",
    "register_issuer_commands",
    "register_key_compromise_commands",
    "routes",
    "sign_status_list",
    "signer_for_institution",
    "skill_name",
    "status_list_routes",
    "stop_waking",
    "valid_account",
    "wake_on_commit",
]
