"""Plain-language sentences for every check outcome, in English and French.

Pages, the API and the CLI render a check's ``message_key`` through ``render`` so that every
surface says the same words. Keys are stable; parameters are filled with ``str.format``.

>>> render("validity.expired", "fr", valid_until="2024-01-01")
'Le titre de compétences a expiré le 2024-01-01.'
"""

from __future__ import annotations

from collections.abc import Mapping

from credentials.report import Check, Verdict

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


def _texts(en: str, fr: str) -> dict[Language, str]:
    return {"en": en, "fr": fr}


_TRY_AGAIN = _texts(
    "Try again in a few minutes. If it keeps failing, contact the issuing institution.",
    "Réessayez dans quelques minutes. Si l'échec persiste, communiquez avec l'établissement "
    "émetteur.",
)
_SEE_EACH = _texts(
    "At least one credential in this record has a problem; its own report below says which.",
    "Au moins un titre de ce dossier présente un problème; son propre rapport ci-dessous "
    "l'indique.",
)

# What a check's outcome means for a hiring manager, keyed ``<check id>.<outcome>``.
MEANINGS: dict[str, dict[Language, str]] = {
    "format.passed": _texts(
        "The document is in a recognized standard format, so it can be checked automatically.",
        "Le document suit un format normalisé reconnu : il peut donc être vérifié automatiquement.",
    ),
    "format.failed": _texts(
        "The document is not a credential we can read, so none of its claims can be relied on.",
        "Le document n'est pas un titre de compétences lisible : aucune de ses affirmations "
        "n'est fiable.",
    ),
    "proof.passed": _texts(
        "The credential is exactly as the issuer signed it: no name, date or grade was altered.",
        "Le titre est exactement tel que l'émetteur l'a signé : aucun nom, aucune date ni "
        "aucune note n'a été modifié.",
    ),
    "proof.failed": _texts(
        "Someone changed the credential after it was issued, or the issuer never signed it. "
        "Do not rely on it.",
        "Quelqu'un a modifié le titre après sa délivrance, ou l'émetteur ne l'a jamais signé. "
        "Ne vous y fiez pas.",
    ),
    "proof.could_not_check": _texts(
        "What is needed to check the signature (for example the issuer's website) could not be "
        "reached, so we cannot yet say whether the credential is genuine.",
        "Ce qu'il faut pour vérifier la signature (par exemple le site de l'émetteur) n'a pas "
        "pu être joint : nous ne pouvons pas encore dire si le titre est authentique.",
    ),
    "issuer_key.passed": _texts(
        "The signature was made with a key that the issuer itself publishes, not by someone "
        "impersonating it.",
        "La signature a été faite avec une clé que l'émetteur publie lui-même, et non par "
        "quelqu'un qui se fait passer pour lui.",
    ),
    "issuer_key.failed": _texts(
        "The signature was made by someone other than the institution the credential names: "
        "treat it as a forgery.",
        "La signature a été faite par quelqu'un d'autre que l'établissement nommé : considérez "
        "le titre comme une contrefaçon.",
    ),
    "issuer_key.could_not_check": _texts(
        "Because the signature could not be checked, we could not confirm who signed it.",
        "Comme la signature n'a pas pu être vérifiée, nous n'avons pas pu confirmer qui l'a "
        "signée.",
    ),
    "issuer_trust.passed": _texts(
        "The issuer is in the registry of recognized institutions this service relies on; the "
        "name shown is the registry's.",
        "L'émetteur figure dans le registre des établissements reconnus sur lequel ce service "
        "s'appuie; le nom affiché est celui du registre.",
    ),
    "issuer_trust.warning": _texts(
        "The credential may be genuine, but we cannot vouch for who the issuer is: any "
        "organization can issue credentials.",
        "Le titre est peut-être authentique, mais nous ne pouvons pas garantir l'identité de "
        "l'émetteur : n'importe quel organisme peut délivrer des titres.",
    ),
    "issuer_trust.failed": _texts(
        "Anyone could have produced this credential: it is signed with a key meant only for "
        "testing.",
        "N'importe qui aurait pu produire ce titre : il est signé avec une clé réservée aux "
        "essais.",
    ),
    "validity.passed": _texts(
        "The credential has taken effect and has not expired.",
        "Le titre est entré en vigueur et n'a pas expiré.",
    ),
    "validity.failed": _texts(
        "The credential is outside the period during which the issuer says it holds.",
        "Le titre est en dehors de la période pendant laquelle l'émetteur le déclare valide.",
    ),
    "status.passed": _texts(
        "The issuer still stands behind this credential, as of the time shown.",
        "L'émetteur se porte toujours garant de ce titre, à la date indiquée.",
    ),
    "status.failed": _texts(
        "The issuer has revoked or suspended this credential: it no longer vouches for it.",
        "L'émetteur a révoqué ou suspendu ce titre : il ne s'en porte plus garant.",
    ),
    # Keyed by message key: a forged list is a failed status check, but not a revocation.
    "status.forged": _texts(
        "Someone put a revocation list that is not the issuer's in place of the real one, "
        "perhaps to hide that the credential was revoked.",
        "Quelqu'un a remplacé la liste de révocation de l'émetteur par une autre, peut-être "
        "pour cacher que le titre a été révoqué.",
    ),
    "status.could_not_check": _texts(
        "We do not know whether the issuer has revoked this credential: its revocation list "
        "could not be obtained or read. This does not mean it was revoked.",
        "Nous ne savons pas si l'émetteur a révoqué ce titre : sa liste de révocation n'a pas "
        "pu être obtenue ou lue. Cela ne veut pas dire qu'il a été révoqué.",
    ),
    "schema.passed": _texts(
        "The credential has all the information its standard requires, in the expected form.",
        "Le titre contient toute l'information exigée par sa norme, sous la forme attendue.",
    ),
    "schema.failed": _texts(
        "The credential does not follow the standard it claims to follow; some information may "
        "be missing or wrong.",
        "Le titre ne respecte pas la norme qu'il déclare suivre; des renseignements pourraient "
        "manquer ou être erronés.",
    ),
    "schema.warning": _texts(
        "Part of the credential's structure could not be compared with its standard.",
        "Une partie de la structure du titre n'a pas pu être comparée à sa norme.",
    ),
    "presentation.passed": _texts(
        "The person who shared these credentials proved that they hold them, for this request.",
        "La personne qui a communiqué ces titres a prouvé qu'elle en est titulaire, pour cette "
        "demande.",
    ),
    "presentation.failed": _texts(
        "These credentials may have been copied from someone else or replayed from an earlier "
        "request.",
        "Ces titres pourraient avoir été copiés d'une autre personne ou réutilisés d'une "
        "demande antérieure.",
    ),
    "presentation.warning": _texts(
        "Nothing proves that the person who shared these credentials is the person they were "
        "issued to.",
        "Rien ne prouve que la personne qui a communiqué ces titres est celle à qui ils ont été "
        "délivrés.",
    ),
    "contents.passed": _texts(
        "Every credential in this record was checked on its own and verified.",
        "Chaque titre de ce dossier a été vérifié séparément et confirmé.",
    ),
    "contents.failed": _SEE_EACH,
    "contents.warning": _SEE_EACH,
    "contents.could_not_check": _SEE_EACH,
    "endorsements.passed": _texts(
        "The organizations that endorse it signed their endorsements, and nothing was changed "
        "since.",
        "Les organismes qui le recommandent ont signé leurs recommandations, et rien n'a été "
        "modifié depuis.",
    ),
    "endorsements.warning": _texts(
        "An endorsement could not be confirmed; the credential's own checks above are what count.",
        "Une recommandation n'a pas pu être confirmée; ce sont les vérifications du titre "
        "lui-même, ci-dessus, qui comptent.",
    ),
}

# What to do next when a check did not pass, keyed like ``MEANINGS``.
NEXT_STEPS: dict[str, dict[Language, str]] = {
    "format.failed": _texts(
        "Ask the candidate for the original file or link they received from the institution.",
        "Demandez au candidat le fichier ou le lien original reçu de l'établissement.",
    ),
    "proof.failed": _texts(
        "Ask the candidate to share the credential again, directly from their wallet or the "
        "institution; if the problem remains, contact the institution.",
        "Demandez au candidat de vous communiquer de nouveau le titre, directement depuis son "
        "portefeuille ou l'établissement; si le problème persiste, communiquez avec "
        "l'établissement.",
    ),
    "proof.could_not_check": _TRY_AGAIN,
    "issuer_key.failed": _texts(
        "Do not accept this credential. Contact the institution named on it to confirm whether "
        "it issued it.",
        "N'acceptez pas ce titre. Communiquez avec l'établissement qui y est nommé pour savoir "
        "s'il l'a délivré.",
    ),
    "issuer_key.could_not_check": _TRY_AGAIN,
    "issuer_trust.warning": _texts(
        "Check the issuer yourself (its website, or by contacting it) before relying on the "
        "credential.",
        "Vérifiez vous-même l'émetteur (son site Web, ou en communiquant avec lui) avant de "
        "vous fier au titre.",
    ),
    "issuer_trust.failed": _texts(
        "Do not accept it. Ask the candidate for the credential the institution actually issued.",
        "Ne l'acceptez pas. Demandez au candidat le titre réellement délivré par l'établissement.",
    ),
    "validity.failed": _texts(
        "Ask the candidate whether a renewed credential exists, or contact the institution.",
        "Demandez au candidat s'il existe un titre renouvelé, ou communiquez avec l'établissement.",
    ),
    "status.failed": _texts(
        "Do not rely on this credential. Contact the institution if you need to know why.",
        "Ne vous fiez pas à ce titre. Communiquez avec l'établissement si vous devez en "
        "connaître la raison.",
    ),
    "status.could_not_check": _texts(
        "Try again later; if it keeps happening, contact the institution to confirm that the "
        "credential still stands.",
        "Réessayez plus tard; si le problème persiste, communiquez avec l'établissement pour "
        "confirmer que le titre est toujours valide.",
    ),
    "schema.failed": _texts(
        "Contact the issuing institution: its software may be producing faulty credentials.",
        "Communiquez avec l'établissement émetteur : son logiciel produit peut-être des titres "
        "défectueux.",
    ),
    "schema.warning": _texts(
        "This is usually harmless; rely on the other checks.",
        "C'est habituellement sans conséquence; fiez-vous aux autres vérifications.",
    ),
    "presentation.failed": _texts(
        "Ask the candidate to share the credentials again from their own wallet.",
        "Demandez au candidat de vous communiquer de nouveau les titres depuis son propre "
        "portefeuille.",
    ),
    "presentation.warning": _texts(
        "Confirm the candidate's identity another way (for example, photo identification).",
        "Confirmez l'identité du candidat autrement (par exemple, une pièce d'identité avec "
        "photo).",
    ),
    "contents.failed": _texts(
        "Look at the report of each credential below.",
        "Consultez le rapport de chaque titre ci-dessous.",
    ),
}
NEXT_STEPS["contents.warning"] = NEXT_STEPS["contents.could_not_check"] = NEXT_STEPS[
    "contents.failed"
]

# One sentence under each headline of the employer page and in the API's ``advice``.
VERDICT_ADVICE: dict[Verdict, dict[Language, str]] = {
    Verdict.VERIFIED: _texts(
        "This credential is genuine, was issued by a recognized institution and still stands.",
        "Ce titre est authentique, a été délivré par un établissement reconnu et est toujours "
        "valide.",
    ),
    Verdict.VERIFIED_WITH_WARNINGS: _texts(
        "The signature is genuine, but read the warnings below before relying on it.",
        "La signature est authentique, mais lisez les avertissements ci-dessous avant de vous "
        "y fier.",
    ),
    Verdict.NOT_VERIFIED: _texts(
        "Do not rely on this credential: the first check below says why.",
        "Ne vous fiez pas à ce titre : la première vérification ci-dessous explique pourquoi.",
    ),
    Verdict.COULD_NOT_FULLY_CHECK: _texts(
        "Some checks could not be completed; this is not a sign of forgery. Try again later.",
        "Certaines vérifications n'ont pas pu être faites; ce n'est pas un signe de "
        "contrefaçon. Réessayez plus tard.",
    ),
}


def render_meaning(check: Check, language: str) -> str | None:
    """What ``check``'s outcome means, in plain words (None for an unforeseen combination);
    a message key with a meaning of its own wins over its check's outcome."""
    texts = MEANINGS.get(check.message_key) or MEANINGS.get(f"{check.id}.{check.outcome.value}")
    return texts[language_or_default(language)] if texts else None


def render_next_step(check: Check, language: str) -> str | None:
    """What to do when ``check`` did not pass; None when there is nothing to do."""
    texts = NEXT_STEPS.get(f"{check.id}.{check.outcome.value}")
    return texts[language_or_default(language)] if texts else None


def render_advice(verdict: Verdict, language: str) -> str:
    return VERDICT_ADVICE[verdict][language_or_default(language)]
