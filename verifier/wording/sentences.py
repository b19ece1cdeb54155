"""Plain-language sentences for every check outcome, in English and French.

Pages, the API and the CLI render a check's ``message_key`` through ``render`` so that every
surface says the same words. Keys are stable; parameters are filled with ``str.format``.

>>> render("validity.expired", "fr", valid_until="2024-01-01")
'Le titre de compétences a expiré le 2024-01-01.'
"""

from __future__ import annotations

from collections.abc import Mapping

from credentials import Check, Verdict

Language = str
SUPPORTED_LANGUAGES = ("en", "fr")

MESSAGES: dict[str, dict[Language, str]] = {
    "format.ok.ob": {
        "en": "This is an Open Badges 3.0 credential in the W3C Verifiable Credentials format.",
        "fr": "Il s'agit d'un titre Open Badges 3.0 au format W3C Verifiable Credentials.",
    },
    "format.ok.clr": {
        "en": "This is a Comprehensive Learner Record (CLR 2.0) in the W3C Verifiable "
        "Credentials format.",
        "fr": "Il s'agit d'un relevé complet d'apprentissage (CLR 2.0) au format W3C "
        "Verifiable Credentials.",
    },
    "format.ok.endorsement": {
        "en": "This is an Open Badges 3.0 endorsement in the W3C Verifiable Credentials format.",
        "fr": "Il s'agit d'une recommandation Open Badges 3.0 au format W3C Verifiable "
        "Credentials.",
    },
    "format.ok.vc": {
        "en": "This is a credential in the W3C Verifiable Credentials 2.0 format.",
        "fr": "Il s'agit d'un titre au format W3C Verifiable Credentials 2.0.",
    },
    "format.ok.presentation": {
        "en": "This is a verifiable presentation of credentials by their holder.",
        "fr": "Il s'agit d'une présentation vérifiable de titres par leur titulaire.",
    },
    "format.ok.collection": {
        "en": "These are the credentials a learner shared through a link of this passport.",
        "fr": "Il s'agit des titres qu'un apprenant a communiqués par un lien de ce passeport.",
    },
    "format.legacy": {
        "en": "This is an older Open Badge (Verifiable Credentials 1.1), read for compatibility.",
        "fr": "Il s'agit d'un ancien badge Open Badges (Verifiable Credentials 1.1), lu par "
        "compatibilité.",
    },
    "format.ob2": {
        "en": "This is an Open Badges 2.0 badge, an older format than Open Badges 3.0. It is not "
        "a Verifiable Credential: it is checked by asking the issuer's website whether it still "
        "hosts the badge, or by a signature of its own, which this verifier does not do.",
        "fr": "Il s'agit d'un badge Open Badges 2.0, un format plus ancien qu'Open Badges 3.0. Ce "
        "n'est pas un titre vérifiable : on le vérifie en demandant au site de l'émetteur s'il "
        "l'héberge toujours, ou par une signature qui lui est propre, ce que ce vérificateur ne "
        "fait pas.",
    },
    "format.ob2_hosted": {
        "en": "This is an Open Badges 2.0 badge, an older format than Open Badges 3.0, hosted by "
        "its issuer.",
        "fr": "Il s'agit d'un badge Open Badges 2.0, un format plus ancien qu'Open Badges 3.0, "
        "hébergé par son émetteur.",
    },
    "format.invalid": {
        "en": "This is not a valid credential: {reason}.",
        "fr": "Ce document n'est pas un titre de compétences valide : {reason}.",
    },
    "proof.ok": {
        "en": "The issuer's digital signature is intact ({mechanism}): nothing was changed after "
        "it was signed.",
        "fr": "La signature numérique de l'émetteur est intacte ({mechanism}) : rien n'a été "
        "modifié depuis la signature.",
    },
    "proof.failed": {
        "en": "The digital signature does not match: the credential was changed after it was "
        "signed, or it was not signed by this key ({reason}).",
        "fr": "La signature numérique ne correspond pas : le titre a été modifié après sa "
        "signature, ou il n'a pas été signé avec cette clé ({reason}).",
    },
    "proof.missing": {
        "en": "This credential carries no signature, so nothing shows who issued it or that it "
        "is unchanged.",
        "fr": "Ce titre ne porte aucune signature : rien ne montre qui l'a délivré ni qu'il est "
        "resté intact.",
    },
    "proof.unsupported": {
        "en": "The digital signature could not be checked: this credential uses {mechanism}, "
        "which this verifier does not check.",
        "fr": "La signature numérique n'a pas pu être vérifiée : ce titre utilise {mechanism}, "
        "que ce vérificateur ne vérifie pas.",
    },
    "proof.ob2_hosted": {
        "en": "An Open Badges 2.0 badge, checked against the copy its issuer hosts at {url}: "
        "they are the same.",
        "fr": "Un badge Open Badges 2.0, comparé à la copie que son émetteur héberge à {url} : "
        "elles sont identiques.",
    },
    "proof.ob2_hosted_differs": {
        "en": "This Open Badges 2.0 badge is not the one its issuer hosts at {url}: it was "
        "changed, or the issuer has changed or withdrawn it.",
        "fr": "Ce badge Open Badges 2.0 n'est pas celui que son émetteur héberge à {url} : il a "
        "été modifié, ou l'émetteur l'a modifié ou retiré.",
    },
    "proof.dates": {
        "en": "The digital signature does not hold at this time: {reason}.",
        "fr": "La signature numérique n'est pas valable en ce moment : {reason}.",
    },
    "proof.foreign_key": {
        "en": "The credential was signed with a key ({key}) that cannot belong to the issuer it "
        "names, so that key was not even fetched.",
        "fr": "Le titre a été signé avec une clé ({key}) qui ne peut pas appartenir à "
        "l'émetteur indiqué; cette clé n'a donc même pas été récupérée.",
    },
    "proof.key_compromised": {
        "en": "The credential was signed with a key its issuer reported compromised on {date}: "
        "anyone holding that key could have made it.",
        "fr": "Le titre a été signé avec une clé que son émetteur a déclarée compromise le "
        "{date} : quiconque détient cette clé aurait pu le fabriquer.",
    },
    "proof.unavailable": {
        "en": "The digital signature could not be checked: {reason}.",
        "fr": "La signature numérique n'a pas pu être vérifiée : {reason}.",
    },
    "issuer_key.ok": {
        "en": "The signing key belongs to the issuer ({issuer}).",
        "fr": "La clé de signature appartient à l'émetteur ({issuer}).",
    },
    "issuer_key.mismatch": {
        "en": "The credential was signed with a key ({key}) that does not belong to the issuer "
        "it names ({issuer}).",
        "fr": "Le titre a été signé avec une clé ({key}) qui n'appartient pas à l'émetteur "
        "indiqué ({issuer}).",
    },
    "issuer_key.unbound": {
        "en": "The issuer's identifier ({issuer}) is neither a web address nor a DID, so the "
        "signing key ({key}) cannot be linked to it: the signature only shows who holds that key.",
        "fr": "L'identifiant de l'émetteur ({issuer}) n'est ni une adresse Web ni un DID : la clé "
        "de signature ({key}) ne peut pas lui être rattachée; la signature montre seulement qui "
        "détient cette clé.",
    },
    "issuer_key.unchecked": {
        "en": "Could not tell which key signed the credential, so its link to the issuer was "
        "not checked.",
        "fr": "Impossible de savoir quelle clé a signé le titre : son lien avec l'émetteur n'a "
        "pas été vérifié.",
    },
    "issuer_trust.known": {
        "en": "{name_en} is a recognized institution.",
        "fr": "{name_fr} est un établissement reconnu.",
    },
    "issuer_trust.suspended": {
        "en": "Our registry lists {name_en} as suspended: it is not currently a recognized "
        "institution.",
        "fr": "Notre registre indique que {name_fr} est suspendu : ce n'est pas actuellement un "
        "établissement reconnu.",
    },
    "issuer_trust.withdrawn": {
        "en": "Our registry lists {name_en} as withdrawn: it is no longer a recognized "
        "institution.",
        "fr": "Notre registre indique que {name_fr} a été retiré : ce n'est plus un établissement "
        "reconnu.",
    },
    "issuer_trust.unchecked": {
        "en": "Whether the issuer ({issuer}) is a recognized institution was not looked up, "
        "because the signature could not be tied to it.",
        "fr": "Nous n'avons pas vérifié si l'émetteur ({issuer}) est un établissement reconnu, "
        "car la signature n'a pas pu lui être rattachée.",
    },
    "issuer_trust.unknown": {
        "en": "The issuer ({issuer}) is not in our registry of recognized institutions; the "
        "name shown comes only from the credential itself.",
        "fr": "L'émetteur ({issuer}) ne figure pas dans notre registre des établissements "
        "reconnus; le nom affiché provient uniquement du titre lui-même.",
    },
    "issuer_trust.test_key": {
        "en": "The credential is signed with a published test key whose private half anyone "
        "can use: it proves nothing about who issued it.",
        "fr": "Le titre est signé avec une clé de test publiée, que n'importe qui peut utiliser "
        ": elle ne prouve rien sur l'identité de l'émetteur.",
    },
    "validity.ok": {
        "en": "The credential is within its validity period.",
        "fr": "Le titre de compétences est dans sa période de validité.",
    },
    "validity.not_yet": {
        "en": "The credential is not valid before {valid_from}.",
        "fr": "Le titre de compétences n'est pas valide avant le {valid_from}.",
    },
    "validity.expired": {
        "en": "The credential expired on {valid_until}.",
        "fr": "Le titre de compétences a expiré le {valid_until}.",
    },
    "status.none": {
        "en": "The issuer publishes no revocation list for this credential.",
        "fr": "L'émetteur ne publie aucune liste de révocation pour ce titre.",
    },
    "status.active": {
        "en": "The issuer has not revoked or suspended the credential (checked {checked_at}).",
        "fr": "L'émetteur n'a ni révoqué ni suspendu ce titre (vérifié le {checked_at}).",
    },
    "status.revoked": {
        "en": "The issuer has revoked this credential (checked {checked_at}).",
        "fr": "L'émetteur a révoqué ce titre de compétences (vérifié le {checked_at}).",
    },
    "status.suspended": {
        "en": "The issuer has suspended this credential (checked {checked_at}).",
        "fr": "L'émetteur a suspendu ce titre de compétences (vérifié le {checked_at}).",
    },
    "status.unavailable": {
        "en": "Could not check whether the credential was revoked: {reason}.",
        "fr": "Impossible de vérifier si le titre a été révoqué : {reason}.",
    },
    "status.unsupported": {
        "en": "Could not check whether the credential was revoked: it uses a status of type "
        "{kind}, which this verifier does not check.",
        "fr": "Impossible de vérifier si le titre a été révoqué : il utilise un statut de type "
        "{kind}, que ce vérificateur ne vérifie pas.",
    },
    "status.forged": {
        "en": "The revocation list given for this credential is not its issuer's: {reason} "
        "(checked {checked_at}).",
        "fr": "La liste de révocation fournie pour ce titre n'est pas celle de son émetteur : "
        "{reason} (vérifié le {checked_at}).",
    },
    "schema.ok": {
        "en": "The credential follows the published {schema} schema.",
        "fr": "Le titre respecte le schéma publié {schema}.",
    },
    "schema.failed": {
        "en": "The credential does not follow the {schema} schema it claims: {reason}.",
        "fr": "Le titre ne respecte pas le schéma {schema} qu'il déclare : {reason}.",
    },
    "schema.unknown": {
        "en": "The credential names a schema we do not hold ({schema}); it was not checked.",
        "fr": "Le titre indique un schéma que nous n'avons pas ({schema}); il n'a pas été vérifié.",
    },
    "presentation.ok": {
        "en": "The holder ({holder}) signed this presentation for this request.",
        "fr": "Le titulaire ({holder}) a signé cette présentation pour cette demande.",
    },
    "presentation.failed": {
        "en": "The presentation is not bound to this request or holder: {reason}.",
        "fr": "La présentation n'est pas liée à cette demande ou à ce titulaire : {reason}.",
    },
    "presentation.unsigned": {
        "en": "The presentation is not signed by its holder, so it proves nothing about who "
        "presented it.",
        "fr": "La présentation n'est pas signée par son titulaire : elle ne prouve pas qui l'a "
        "présentée.",
    },
    "endorsements.ok": {
        "en": "All {count} endorsements attached to it verified.",
        "fr": "Les {count} recommandations qui l'accompagnent ont été vérifiées.",
    },
    "endorsements.problem": {
        "en": "{bad} of the {count} endorsements attached to it did not verify; the credential "
        "itself is not affected.",
        "fr": "{bad} des {count} recommandations qui l'accompagnent n'ont pas été vérifiées; le "
        "titre lui-même n'est pas en cause.",
    },
    "contents.ok": {
        "en": "All {count} credentials inside verified.",
        "fr": "Les {count} titres contenus ont été vérifiés.",
    },
    "contents.problem": {
        "en": "{bad} of the {count} credentials inside did not fully verify; see each one.",
        "fr": "{bad} des {count} titres contenus n'ont pas été entièrement vérifiés; voir chacun.",
    },
}

VERDICTS: dict[Verdict, dict[Language, str]] = {
    Verdict.VERIFIED: {"en": "Verified", "fr": "Vérifié"},
    Verdict.VERIFIED_WITH_WARNINGS: {
        "en": "Verified, with warnings",
        "fr": "Vérifié, avec des avertissements",
    },
    Verdict.NOT_VERIFIED: {"en": "Not verified", "fr": "Non vérifié"},
    Verdict.COULD_NOT_FULLY_CHECK: {
        "en": "Could not fully check",
        "fr": "Vérification incomplète",
    },
}


def language_or_default(language: str | None) -> Language:
    return language if language in SUPPORTED_LANGUAGES else "en"


def render(message_key: str, language: str, **params: str) -> str:
    """The sentence for ``message_key`` in ``language`` (English when unsupported)."""
    template = MESSAGES[message_key][language_or_default(language)]
    return template.format_map(params)


def render_check(check: Check, language: str) -> str:
    params: Mapping[str, str] = check.params
    return render(check.message_key, language, **params)


def render_verdict(verdict: Verdict, language: str) -> str:
    return VERDICTS[verdict][language_or_default(language)]
