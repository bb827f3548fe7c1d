from django import forms

from campaigns.models import Campaign
from core.formatting import format_number
from core.forms import SecondarySubmit, Submit, bound_number, form_helper, french_date_field

# Hours per year in a national volume, an envelope or a movement: a hundred times the real national volume,
# far below what an integer column holds.
HOURS_MAX = 10_000_000


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
        for name, _label, _who in Campaign.DEADLINE_FIELDS:
            french_date_field(self.fields[name], "12/07/2028")
        self.fields["national_volume"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
        self.fields["national_volume"].error_messages["invalid"] = "Saisissez un nombre entier d'heures."
        bound_number(
            self.fields["national_volume"],
            0,
            HOURS_MAX,
            f"Au plus {format_number(HOURS_MAX)} heures.",
            too_low="Le volume national ne peut pas être négatif.",
        )
        self.fields["weeks_per_year"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
        self.fields["weeks_per_year"].error_messages["invalid"] = "Saisissez un nombre entier de semaines."
        bound_number(self.fields["weeks_per_year"], 1, 52, "Indiquez un nombre de semaines entre 1 et 52.")
        self.fields["start_year"].disabled = True
        self.helper = form_helper(Submit("save", "Créer la campagne" if creating else "Enregistrer la campagne"))


class RegionalDeadlineForm(forms.Form):
    """A region's own request deadline; the button « clear » goes back to the national date."""

    request_deadline = french_date_field(
        forms.DateField(
            label="Date limite de dépôt des demandes dans votre région",
            required=False,
            error_messages={"required": "Indiquez la date limite de votre région."},
        ),
        "05/07/2027",
    )
    reason = forms.CharField(
        label="Message aux établissements (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Joint au courriel qui annonce la date aux chef·fes d'établissement de la région.",
    )

    def __init__(self, *args, national_date, has_regional, **kwargs):
        super().__init__(*args, **kwargs)
        self.national_date = national_date
        self.fields[
            "request_deadline"
        ].help_text = f"Au format jj/mm/aaaa ; au plus tard la date nationale, le {national_date:%d/%m/%Y}."
        buttons = [Submit("save", "Enregistrer la date de la région")]
        if has_regional:
            buttons.append(SecondarySubmit("clear", "Revenir à la date nationale"))
        self.helper = form_helper(*buttons)

    def clean(self):
        cleaned = super().clean()
        missing = cleaned.get("request_deadline") is None and "request_deadline" not in self.errors
        if "clear" not in self.data and missing:
            self.add_error("request_deadline", "Indiquez la date limite de votre région.")
        return cleaned
