from django import forms

from allocations.models import EnvelopeMovement
from config.forms import Submit, form_helper
from requests_app.models import Campaign

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = (
            "start_year",
            "envelopes_date",
            "request_deadline",
            "allocation_deadline",
            "summary_deadline",
            "review_deadline",
            "weeks_per_year",
            "national_volume",
        )
        labels = {
            "start_year": "Année de rentrée",
            "envelopes_date": "Notification des enveloppes régionales (début juin)",
            "request_deadline": "Date limite de transmission des demandes par les établissements (12 juillet)",
            "allocation_deadline": "Date limite de notification des dotations aux établissements (23 août)",
            "summary_deadline": "Date limite du bilan de la répartition à la DGER (30 septembre)",
            "review_deadline": "Date limite du bilan qualitatif des usages à la DGER (mai)",
            "weeks_per_year": "Nombre de semaines d'une année scolaire",
            "national_volume": "Volume national (heures HSE annuelles)",
        }
        help_texts = {"start_year": "2027 pour la campagne 2027-2028."}

    def __init__(self, *args, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "envelopes_date",
            "request_deadline",
            "allocation_deadline",
            "summary_deadline",
            "review_deadline",
        ):
            self.fields[name].widget = DATE_WIDGET
            self.fields[name].input_formats = DATE_FORMATS
            self.fields[name].error_messages["invalid"] = "Saisissez une date valide, par exemple 12/07/2028."
            self.fields[name].help_text = "Au format jj/mm/aaaa."
        self.fields["national_volume"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
        self.fields["national_volume"].error_messages["invalid"] = "Saisissez un nombre entier d'heures."
        self.fields["weeks_per_year"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
        self.fields["start_year"].disabled = True
        self.helper = form_helper(Submit("save", "Créer la campagne" if creating else "Enregistrer la campagne"))

    def clean_national_volume(self):
        value = self.cleaned_data["national_volume"]
        if value is not None and value < 0:
            raise forms.ValidationError("Le volume national ne peut pas être négatif.")
        return value


class EnvelopesForm(forms.Form):
    """One whole number of hours per region; the sum is checked against the national volume."""

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = regions
        for region in regions:
            self.fields[f"region_{region.code}"] = forms.IntegerField(
                label=f"Enveloppe {region.name} (heures)",
                min_value=0,
                required=True,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 8, "data-envelope": region.code}),
                error_messages={
                    "required": f"Indiquez l'enveloppe de la région {region.name} (0 si aucune).",
                    "invalid": "Saisissez un nombre entier d'heures.",
                    "min_value": "Une enveloppe ne peut pas être négative.",
                },
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
    hours = forms.IntegerField(
        label="Nombre d'heures",
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 8}),
        error_messages={
            "required": "Indiquez le nombre d'heures.",
            "invalid": "Saisissez un nombre entier d'heures.",
            "min_value": "Indiquez un nombre d'heures supérieur à 0.",
        },
    )
    effective_date = forms.DateField(
        label="Date d'effet",
        help_text="Au format jj/mm/aaaa.",
        widget=DATE_WIDGET,
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
