from django import forms

from allocations.models import EnvelopeMovement
from campaigns.forms import HOURS_MAX
from core.formatting import format_number
from core.forms import COLUMN_MAX, DATE_FORMATS, SecondarySubmit, Submit, bound_number, date_widget, form_helper

HOURS_TOO_MANY = f"Au plus {format_number(HOURS_MAX)} heures."


def version_field():
    """The hidden version a form was opened with (optimistic locking), bounded like its column."""
    return bound_number(
        forms.IntegerField(widget=forms.HiddenInput, min_value=0),
        0,
        COLUMN_MAX["PositiveIntegerField"],
        "La page n'est plus à jour : rechargez-la.",
    )


class EnvelopesForm(forms.Form):
    """One whole number of hours per region; the sum is checked against the national volume."""

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = regions
        for region in regions:
            self.fields[f"region_{region.code}"] = bound_number(
                forms.IntegerField(
                    label=f"Enveloppe {region.name} (heures)",
                    required=True,
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 8, "data-envelope": region.code}),
                    error_messages={
                        "required": f"Indiquez l'enveloppe de la région {region.name} (0 si aucune).",
                        "invalid": "Saisissez un nombre entier d'heures.",
                    },
                ),
                0,
                HOURS_MAX,
                HOURS_TOO_MANY,
                too_low="Une enveloppe ne peut pas être négative.",
            )

    def hours_by_region(self) -> dict[int, int]:
        return {region.pk: self.cleaned_data[f"region_{region.code}"] for region in self.regions}


class MovementForm(forms.Form):
    kind = forms.ChoiceField(
        label="Nature du mouvement",
        choices=[
            (EnvelopeMovement.Kind.SUPPLEMENT, "Délégation complémentaire (ajout d'heures)"),
            (EnvelopeMovement.Kind.WITHDRAWAL, "Retrait d'heures"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez la nature du mouvement."},
    )
    hours = bound_number(
        forms.IntegerField(
            label="Nombre d'heures",
            widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 8}),
            error_messages={
                "required": "Indiquez le nombre d'heures.",
                "invalid": "Saisissez un nombre entier d'heures.",
            },
        ),
        1,
        HOURS_MAX,
        HOURS_TOO_MANY,
        too_low="Indiquez un nombre d'heures supérieur à 0.",
    )
    effective_date = forms.DateField(
        label="Date d'effet",
        help_text="Au format jj/mm/aaaa.",
        widget=date_widget(),
        input_formats=DATE_FORMATS,
        error_messages={"required": "Indiquez la date d'effet.", "invalid": "Saisissez une date valide."},
    )
    reason = forms.CharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Indiquez le motif du mouvement."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Submit("add", "Enregistrer le mouvement"))


LEVEL_HOURS_LABELS = {
    "cap": "CAP agricole",
    "bac_pro": "Baccalauréat professionnel",
    "bac_gt": "Baccalauréat général et/ou technologique",
    "sup": "Supérieur court",
}


def _hours_field(label, maximum):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=maximum,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "autocomplete": "off"}),
        error_messages={
            "invalid": "Saisissez un nombre entier d'heures (pas de décimale).",
            "min_value": "Le nombre d'heures ne peut pas être négatif.",
            "max_value": f"Au plus {maximum} h : c'est ce que l'établissement a demandé pour ce niveau.",
        },
    )


class DecisionForm(forms.Form):
    """Hours per level (annual, whole hours) and a justification; ``version`` guards against lost updates."""

    version = version_field()
    justification = forms.CharField(
        label="Justification (reprise dans la lettre de notification)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )

    def __init__(self, *args, caps: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.caps = caps
        for key, label in LEVEL_HOURS_LABELS.items():
            self.fields[f"hours_{key}"] = _hours_field(f"{label} (heures par an)", caps[key])
        self.order_fields([f"hours_{k}" for k in LEVEL_HOURS_LABELS] + ["justification", "version"])
        self.helper = form_helper(Submit("allocate", "Enregistrer l'attribution"))

    def hours(self) -> dict[str, int]:
        return {key: self.cleaned_data.get(f"hours_{key}") or 0 for key in LEVEL_HOURS_LABELS}

    def clean(self):
        cleaned = super().clean()
        if not self.errors and sum(self.hours().values()) == 0:
            raise forms.ValidationError("Attribuez au moins une heure, ou refusez la demande en indiquant le motif.")
        return cleaned


class RefusalForm(forms.Form):
    version = version_field()
    reason = forms.CharField(
        label="Motif du refus (repris dans la lettre de notification)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": "Indiquez le motif du refus : il figure dans la lettre de notification."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="refus", **kwargs)
        self.helper = form_helper(SecondarySubmit("refuse", "Refuser la demande"))


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Nouvelle note interne",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": "La note est vide."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="note", **kwargs)
        self.helper = form_helper(SecondarySubmit("add_note", "Ajouter la note"))


class AssistantForm(forms.Form):
    """The assistant's proposals, one whole number per request and level, editable before applying."""

    justification = forms.CharField(
        label="Justification commune (reprise dans les lettres de notification)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = proposals
        for proposal in proposals:
            for level in proposal.levels():
                name = f"r{proposal.request.pk}_{level['key']}"
                field = _hours_field(
                    f"{proposal.request.establishment.name} — {LEVEL_HOURS_LABELS[level['key']]} (heures par an)",
                    level["cap"],
                )
                field.initial = level["hours"]
                field.widget.attrs.update({"data-request": proposal.request.pk, "data-cap": level["cap"]})
                self.fields[name] = field

    def rows(self):
        for proposal in self.proposals:
            yield proposal, [(level, self[f"r{proposal.request.pk}_{level['key']}"]) for level in proposal.levels()]

    def hours(self) -> dict[int, dict[str, int]]:
        return {
            proposal.request.pk: {
                level["key"]: self.cleaned_data.get(f"r{proposal.request.pk}_{level['key']}") or 0
                for level in proposal.levels()
            }
            for proposal in self.proposals
        }
