"""What a check's outcome means for a hiring manager, what to do next, and the advice under a
verdict, in English and French (the "meaning and next step per check" of the employer page).

The sentences themselves are ``verifier.wording.sentences``; this module explains them.

>>> from credentials.report import Outcome
>>> render_next_step(Check.of("status", Outcome.COULD_NOT_CHECK, "status.unavailable"), "en")[:9]
'Try again'
"""

from __future__ import annotations

from collections.abc import Sequence

from credentials import Check, Outcome, Verdict
from verifier.wording.sentences import Language, language_or_default


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
    "proof.key_compromised": _texts(
        "The issuer reported that the key used to sign this credential may be in other hands, "
        "so the signature no longer proves that the issuer made it.",
        "L'émetteur a signalé que la clé utilisée pour signer ce titre peut être entre d'autres "
        "mains : la signature ne prouve donc plus que l'émetteur l'a délivré.",
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
    "format.ob2": _texts(
        "An older kind of badge: this service can tell what it is, but not whether it is "
        "genuine. Ask the issuer, or ask the holder for the Open Badges 3.0 version.",
        "Un type de badge plus ancien : ce service peut dire de quoi il s'agit, mais pas s'il "
        "est authentique. Demandez à l'émetteur, ou demandez au titulaire la version Open "
        "Badges 3.0.",
    ),
    "proof.ob2_hosted": _texts(
        "An older kind of badge, without a signature: its issuer's website still serves exactly "
        "this badge, which is how Open Badges 2.0 badges are checked.",
        "Un type de badge plus ancien, sans signature : le site de son émetteur publie toujours "
        "exactement ce badge, et c'est ainsi qu'on vérifie les badges Open Badges 2.0.",
    ),
    "proof.ob2_hosted_differs": _texts(
        "The badge shown differs from the one its issuer's website serves at its address: do "
        "not rely on it, and ask the issuer.",
        "Le badge présenté diffère de celui que le site de son émetteur publie à son adresse : "
        "ne vous y fiez pas, et renseignez-vous auprès de l'émetteur.",
    ),
    "issuer_trust.unchecked": _texts(
        "Until the signature is tied to the issuer, the name on the credential is only a claim: "
        "anyone can write an institution's name.",
        "Tant que la signature n'est pas rattachée à l'émetteur, le nom inscrit sur le titre "
        "n'est qu'une affirmation : n'importe qui peut écrire le nom d'un établissement.",
    ),
    "proof.foreign_key": _texts(
        "Someone other than the institution the credential names signed it: treat it as a forgery.",
        "Quelqu'un d'autre que l'établissement nommé a signé ce titre : considérez-le comme une "
        "contrefaçon.",
    ),
    "status.unsupported": _texts(
        "The issuer records revocations in a form this service cannot read, so we do not know "
        "whether it has revoked this credential.",
        "L'émetteur consigne les révocations sous une forme que ce service ne sait pas lire : "
        "nous ne savons pas s'il a révoqué ce titre.",
    ),
    "proof.unsupported": _texts(
        "The credential is signed in a way this service cannot check, so we cannot say whether "
        "it is genuine. Do not rely on it until it has been checked another way.",
        "Le titre est signé d'une façon que ce service ne sait pas vérifier : nous ne pouvons "
        "pas dire s'il est authentique. Ne vous y fiez pas avant de l'avoir fait vérifier "
        "autrement.",
    ),
    "proof.missing": _texts(
        "Nothing shows who issued this document or that it is unchanged: anyone could have "
        "written it.",
        "Rien ne montre qui a délivré ce document ni qu'il est resté intact : n'importe qui "
        "aurait pu l'écrire.",
    ),
    "proof.dates": _texts(
        "The signature is not valid at this time; a signature dated in the future or past its "
        "own end date does not vouch for the credential.",
        "La signature n'est pas valable en ce moment; une signature datée dans le futur ou "
        "après sa propre date de fin ne garantit pas le titre.",
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
    "proof.key_compromised": _texts(
        "Ask the candidate for a re-issued copy: the institution re-issues the credentials it "
        "signed with that key, or confirms them directly.",
        "Demandez au candidat une copie délivrée de nouveau : l'établissement délivre de "
        "nouveau les titres signés avec cette clé, ou les confirme directement.",
    ),
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
    """What to do when ``check`` did not pass; None when there is nothing to do (a message
    key with a next step of its own wins, as for meanings)."""
    outcome_key = f"{check.id}.{check.outcome.value}"
    texts = NEXT_STEPS.get(check.message_key) or NEXT_STEPS.get(outcome_key)
    return texts[language_or_default(language)] if texts else None


# Under "could not fully check" when the signature or its key could not be checked: then nothing
# shows who made the credential, and "not a sign of forgery" would vouch for a possible forgery.
UNSIGNED_ADVICE = _texts(
    "We could not check who signed this credential, so we cannot say whether it is genuine. "
    "Do not rely on it until it can be checked.",
    "Nous n'avons pas pu vérifier qui a signé ce titre : nous ne pouvons donc pas dire s'il est "
    "authentique. Ne vous y fiez pas tant qu'il n'a pas pu être vérifié.",
)
SIGNATURE_CHECKS = ("proof", "issuer_key")


def signer_unchecked(checks: Sequence[Check]) -> bool:
    """Could the signature, or whose key made it, not be checked?"""
    return any(
        check.id in SIGNATURE_CHECKS and check.outcome is Outcome.COULD_NOT_CHECK
        for check in checks
    )


def render_advice(verdict: Verdict, language: str, checks: Sequence[Check] = ()) -> str:
    if verdict is Verdict.COULD_NOT_FULLY_CHECK and signer_unchecked(checks):
        return UNSIGNED_ADVICE[language_or_default(language)]
    return VERDICT_ADVICE[verdict][language_or_default(language)]
