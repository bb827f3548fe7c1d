"""What a request needs before it can be submitted: what the paper Annexe 1 of the note asks, nothing more. Each
problem is a French message keyed by the form field it belongs to (``__all__`` for the request as a whole).

The number of pupils concerned and the axes of the note are not in the Annexe 1: the form offers them as
optional fields (``OPTIONAL_FIELDS``), and they never stop a deposit."""

from decimal import Decimal

from django.conf import settings

from requests_app.models import LEVEL_KEYS, LEVELS

REQUIRED_TEXTS = {
    "head_name": "Indiquez le nom du/de la chef(fe) d'établissement.",
    "contact_details": "Indiquez les coordonnées de l'établissement.",
    "contact_email": "Indiquez une adresse électronique de contact.",
    "project": "Présentez le projet pédagogique de l'établissement (section 1).",
    "needs": "Décrivez les besoins ciblés et les élèves concernés (section 2bis).",
    "articulation": "Explicitez l'articulation des initiatives d'appui personnalisé (section 2).",
    "disciplines": "Indiquez les disciplines des intervenants (section 3).",
    "roles": "Décrivez le rôle et les activités des intervenants (section 3).",
    "objectives": "Précisez les objectifs spécifiques (section 4).",
    "evaluation": "Précisez les modalités d'évaluation prévues (section 5).",
}

# Asked by the form to help the region, absent from the paper Annexe 1: never required.
OPTIONAL_FIELDS = ("pupils_count", "axes")


def weekly_bound_error(value: Decimal | None) -> str | None:
    """The format rule of an HSE-per-week figure, shared by the form and the completeness check."""
    if value is None:
        return None
    maximum = settings.HSE_WEEKLY_MAX
    if value < 0 or value > maximum:
        return f"Indiquez un nombre d'HSE par semaine entre 0 et {maximum}."
    if value != value.quantize(Decimal("0.1")):
        return "Indiquez au plus une décimale (par exemple 1,5)."
    return None


def completeness_errors(request) -> dict[str, str]:
    errors = {}
    for field, message in REQUIRED_TEXTS.items():
        if not (getattr(request, field) or "").strip():
            errors[field] = message
    if not request.intervenants_count:
        errors["intervenants_count"] = "Indiquez le nombre d'intervenants impliqués (au moins 1)."

    labels = dict(LEVELS)
    unticked_with_hours = []
    for key in LEVEL_KEYS:
        weekly = getattr(request, f"hse_{key}")
        bound = weekly_bound_error(weekly)
        if bound:
            errors[f"hse_{key}"] = bound
            continue
        ticked = getattr(request, f"level_{key}")
        if weekly and weekly > 0 and not ticked:
            unticked_with_hours.append(key)
            errors[f"hse_{key}"] = (
                f"Des HSE sont demandées pour « {labels[key]} » : cochez ce niveau dans « Niveau d'intervention »."
            )
        if ticked and not (weekly and weekly > 0):
            errors[f"hse_{key}"] = (
                f"Le niveau « {labels[key]} » est coché : indiquez le nombre d'HSE demandées par semaine, ou "
                "décochez-le."
            )
    if not any(getattr(request, f"level_{key}") for key in LEVEL_KEYS):
        errors["levels"] = "Cochez au moins un niveau d'intervention."
    elif unticked_with_hours:
        errors["levels"] = "Cochez chaque niveau pour lequel des HSE sont demandées."
    if not any((getattr(request, f"hse_{key}") or 0) > 0 for key in LEVEL_KEYS) and "__all__" not in errors:
        errors["__all__"] = "Demandez des HSE pour au moins un niveau (section 6)."
    return errors
