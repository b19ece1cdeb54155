"""schema.org structured data of a program page: a ``Course`` that awards an
``EducationalOccupationalCredential``, for search engines (a JSON-LD data block).

The block is embedded in ``<script type="application/ld+json">``: a data block, which browsers
never execute, so the Content-Security-Policy's ``script-src 'self'`` does not apply to it.
``json_for_script`` escapes ``<``, ``>`` and ``&`` so no text of a program can close the
element (HTML 5.3 section 4.12.1.3, "restrictions for contents of script elements").

>>> json_for_script({"name": "</script><b>"})
'{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
"""

from __future__ import annotations

import json
from typing import Any

from issuers import DeliveryMode, InstitutionKind
from portal.catalog import ProgramView, institution_name

SCHEMA_ORG = "https://schema.org"
NOC_2021 = "NOC 2021"
COURSE_MODES: dict[str, str] = {
    DeliveryMode.ONLINE: "online",
    DeliveryMode.IN_PERSON: "onsite",
    DeliveryMode.HYBRID: "blended",
    DeliveryMode.WORK_INTEGRATED: "onsite",
}


def json_for_script(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def course_data(view: ProgramView, page_url: str, achievement_id: str) -> dict[str, Any]:
    """The ``Course`` of ``view`` (schema.org Course, CourseInstance, Offer, and
    EducationalOccupationalCredential with the NOC codes as ``occupationalCategory``)."""
    program, institution = view.program, view.institution
    provider_type = (
        "CollegeOrUniversity"
        if institution.kind in (InstitutionKind.COLLEGE, InstitutionKind.UNIVERSITY)
        else "EducationalOrganization"
    )
    credential: dict[str, Any] = {
        "@type": "EducationalOccupationalCredential",
        "@id": achievement_id,
        "name": view.name.text,
        "credentialCategory": "Micro-credential",
        "recognizedBy": {"@type": provider_type, "name": institution_name(institution, view.lang)},
        "occupationalCategory": [
            {"@type": "CategoryCode", "codeValue": code, "inCodeSet": NOC_2021}
            for code in program.noc_codes
        ],
    }
    course: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "Course",
        "@id": page_url,
        "url": page_url,
        "name": view.name.text,
        "description": view.description.text if view.description else view.name.text,
        "inLanguage": list(program.languages),
        "provider": {
            "@type": provider_type,
            "name": institution_name(institution, view.lang),
            "sameAs": institution.website,
        },
        "teaches": [str(skill.get("targetName")) for skill in program.skills],
        "educationalCredentialAwarded": credential,
        "hasCourseInstance": {
            "@type": "CourseInstance",
            "courseMode": COURSE_MODES.get(program.delivery_mode, program.delivery_mode),
            "courseWorkload": f"PT{program.hours}H",
        },
    }
    if program.price_cents is not None:
        course["offers"] = {
            "@type": "Offer",
            "category": "Paid" if program.price_cents else "Free",
            "price": f"{program.price_cents / 100:.2f}",
            "priceCurrency": "CAD",
            "url": program.registration_url or page_url,
        }
    return course
