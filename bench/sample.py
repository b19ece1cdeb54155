"""A realistic Ontario micro-credential (about 2.5 KB) for the benchmarks, in plain JSON.

It is written out rather than built, so that the benchmark input does not change when builders
change: figures stay comparable across versions.
"""

from __future__ import annotations

import json
from typing import Any

from credentials.contexts import OB_V3P0, OB_V3P0_EXTENSIONS, VC_V2


def sample_credential(issuer: str) -> dict[str, Any]:
    return {
        "@context": [VC_V2, OB_V3P0, OB_V3P0_EXTENSIONS],
        "id": "urn:uuid:4e2c5d8a-7f61-4d7a-9a59-0b8f0b1f6c21",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Soudage robotisé : programmation et sécurité",
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": "Collège des Grands Lacs",
            "url": "https://grandslacs.example.ca",
        },
        "validFrom": "2026-06-15T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "sha256$"
                    "0d5a04cbb0c6e8a3b0f0aa5ad6a4a3f1e8b0c9a7d5e4f3a2b1c0d9e8f7a6b5c4",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "f3a9c2",
                },
                {
                    "type": "IdentityObject",
                    "identityHash": "Amélie Tremblay",
                    "identityType": "name",
                    "hashed": False,
                },
            ],
            "achievement": {
                "id": "https://grandslacs.example.ca/programs/robotic-welding",
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": "Robotic Welding: Programming and Safety",
                "description": "Program, operate and maintain robotic MIG welding cells safely "
                "in an advanced manufacturing setting.",
                "criteria": {
                    "narrative": "Completed 60 hours of instruction and passed a practical "
                    "assessment: programming a six-axis welding robot for a production part."
                },
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "operate welding robots",
                        "targetUrl": "http://data.europa.eu/esco/skill/7d4e0a7a-6b8e-4b9c-8c0e-2f3a1b6c9d0e",
                        "targetFramework": "ESCO",
                        "targetCode": "S6.13.2",
                    },
                    {
                        "type": ["Alignment"],
                        "targetName": "Welders and related machine operators",
                        "targetUrl": "https://noc.esdc.gc.ca/Structure/NocProfile?code=72106",
                        "targetFramework": "NOC 2021",
                        "targetCode": "72106",
                    },
                ],
                "resultDescription": [
                    {
                        "id": "https://grandslacs.example.ca/programs/robotic-welding/results/grade",
                        "type": ["ResultDescription"],
                        "name": "Final grade",
                        "resultType": "LetterGrade",
                        "allowedValue": ["A", "B", "C", "D", "F"],
                    }
                ],
                "creditsAvailable": 3,
                "humanCode": "RWLD-101",
                "inLanguage": "en",
            },
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": "https://grandslacs.example.ca/programs/robotic-welding/results/grade",
                    "value": "A",
                }
            ],
        },
        "credentialSchema": [
            {
                "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
                "type": "1EdTechJsonSchemaValidator2019",
            }
        ],
        "credentialStatus": {
            "id": "https://passport.example.ca/status/1#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://passport.example.ca/status/1",
        },
    }


def size_of(document: dict[str, Any]) -> int:
    return len(json.dumps(document).encode("utf-8"))
