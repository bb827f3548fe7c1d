from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms

from config.forms import FrenchDecimalField, SecondarySubmit, Submit, form_helper
from requests_app.completeness import weekly_bound_error
from requests_app.models import AXES, AXIS_SHORT_LABELS, LEVEL_KEYS, LEVELS, Request, UsageReport
from requests_app.usage import used_bound_error

TEXTAREA = {"rows": 5}


class RequestForm(forms.ModelForm):
    """The Annexe 1 form. Every field may be empty in a draft; what a deposit needs is checked by
    ``completeness_errors`` and shown next to the fields."""

    levels = forms.MultipleChoiceField(
        label="Niveau d'intervention (à cocher, possibilité choix multiple)",
        choices=LEVELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    axes = forms.MultipleChoiceField(
        label="Axes de la note de service concernés par les initiatives (plusieurs choix possibles)",
        choices=AXES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Request
        # The ticked levels and axes are edited through ``levels`` and ``axes`` above.
        fields = tuple(f for f in Request.FORM_FIELDS if not f.startswith(("level_", "axis_")))
        labels = {
            "head_name": "Nom du/de la chef(fe) d'établissement",
            "contact_details": "Coordonnées",
            "contact_email": "@",
            "project": (
                "En quelques lignes, présentez le volet relatif aux initiatives d'appui personnalisé inscrit dans "
                "le projet d'établissement"
            ),
            "needs": (
                "En quelques lignes, décrivez les besoins identifiés et les élèves concernés par les initiatives "
                "d'appui personnalisé du projet d'établissement"
            ),
            "pupils_count": "Nombre d'élèves concernés",
            "articulation": (
                "Explicitez l'articulation des initiatives d'appui personnalisé, qu'elles soient inscrites à "
                "l'emploi du temps ou basées sur le volontariat"
            ),
            "intervenants_count": "Nombre d'intervenants impliqués",
            "disciplines": "Disciplines",
            "roles": "Rôle et activités des intervenants",
            "objectives": (
                "Précisez en quelques lignes les objectifs définis en précisant le cas échéant le périmètre de ces "
                "objectifs"
            ),
            "evaluation": (
                "Précisez en quelques lignes les modalités d'évaluation envisagées pour évaluer les dispositifs, "
                "l'atteinte des objectifs, la réussite et/ou le suivi des apprenants"
            ),
        }
        help_texts = {
            "contact_details": "Adresse postale et téléphone auxquels joindre l'établissement.",
            "contact_email": "Adresse électronique de contact pour cette demande.",
        }
        widgets = {
            "contact_details": forms.Textarea(attrs={"rows": 3}),
            "project": forms.Textarea(attrs=TEXTAREA),
            "needs": forms.Textarea(attrs=TEXTAREA),
            "articulation": forms.Textarea(attrs=TEXTAREA),
            "disciplines": forms.Textarea(attrs={"rows": 2}),
            "roles": forms.Textarea(attrs=TEXTAREA),
            "objectives": forms.Textarea(attrs=TEXTAREA),
            "evaluation": forms.Textarea(attrs=TEXTAREA),
        }

    level_hse_labels = {
        "cap": "Nombre de HSE demandées pour le CAP agricole",
        "bac_pro": "Nombre de HSE demandées pour le baccalauréat professionnel",
        "bac_gt": "Nombre de HSE demandées pour le baccalauréat général et/ou technologique",
        "sup": "Nombre de HSE demandées pour le supérieur court",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.instance
        weeks = request.campaign.weeks_per_year
        for key in LEVEL_KEYS:
            self.fields[f"hse_{key}"] = FrenchDecimalField(
                label=self.level_hse_labels[key],
                required=False,
                help_text="En HSE par semaine, une décimale au plus (par exemple 1,5).",
                error_messages={"invalid": "Saisissez un nombre, par exemple 2 ou 1,5."},
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "data-hse-level": key, "autocomplete": "off", "size": 6}
                ),
            )
        for name in ("pupils_count", "intervenants_count"):
            self.fields[name].widget = forms.TextInput(attrs={"inputmode": "numeric", "size": 6})
            self.fields[name].error_messages["invalid"] = "Saisissez un nombre entier, par exemple 12."
        if not self.is_bound:
            self.initial["levels"] = [key for key in LEVEL_KEYS if getattr(request, f"level_{key}")]
            self.initial["axes"] = [key for key, _label in AXES if getattr(request, f"axis_{key}")]
        self.helper = form_helper(
            SecondarySubmit("save", "Enregistrer le brouillon"),
            Submit("submit", "Déposer la demande"),
        )
        self.helper.layout = self._layout(weeks)

    def _layout(self, weeks):
        annual_rows = [
            Div(
                Field(f"hse_{key}", wrapper_class="hse-short"),
                HTML(
                    f'<p class="fr-text--sm fr-mt-n2w fr-mb-3w">Soit <output id="annual-{key}" for="id_hse_{key}">'
                    "{{ annual." + key + " }}</output> heures par an (× " + str(weeks) + " semaines).</p>"
                ),
            )
            for key in LEVEL_KEYS
        ]
        return Layout(
            Fieldset(
                "1 - Identification",
                HTML('{% include "requests_app/includes/identification.html" %}'),
                "head_name",
                "contact_details",
                "contact_email",
                css_id="section-identification",
            ),
            Fieldset("1 - Présentation du projet pédagogique de l'établissement", "project", css_id="section-1"),
            Fieldset(
                "2bis - Besoins ciblés",
                "needs",
                Field("pupils_count", wrapper_class="hse-short"),
                css_id="section-2bis",
            ),
            Fieldset("2 - Articulation des initiatives d'appui personnalisé", "articulation", css_id="section-2"),
            Fieldset(
                "3 - Intervenant(e)s volontaires dont l'implication dans les initiatives d'appui personnalisé est "
                "permise par les dotations en HSE complémentaires",
                Field("intervenants_count", wrapper_class="hse-short"),
                "levels",
                "disciplines",
                "roles",
                css_id="section-3",
            ),
            Fieldset(
                "4 - Objectifs spécifiques à l'appui personnalisé nécessitant la dotation complémentaire en HSE "
                "demandée",
                "objectives",
                "axes",
                css_id="section-4",
            ),
            Fieldset(
                "5 - Modalités d'évaluation des initiatives d'appui personnalisé prévues",
                "evaluation",
                css_id="section-5",
            ),
            Fieldset(
                "6 - Demande de l'établissement : heures supplémentaires effectives demandées pour la mise en œuvre "
                "des initiatives d'appui personnalisé",
                *annual_rows,
                HTML('{% include "requests_app/includes/hse_total.html" %}'),
                css_id="section-6",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        for key in LEVEL_KEYS:
            name = f"hse_{key}"
            if name in cleaned:
                error = weekly_bound_error(cleaned[name])
                if error:
                    self.add_error(name, error)
        for name in ("pupils_count", "intervenants_count"):
            value = cleaned.get(name)
            if value is not None and value < 0:
                self.add_error(name, "Saisissez un nombre positif.")
        return cleaned

    def _post_clean(self):
        """No model validation here: the form's own checks are the French ones shown next to the fields, and
        the request is saved by ``services.save_draft``, never by ``form.save()``."""

    def valid_values(self) -> dict:
        """The fields that passed validation, as model values (the others keep their stored value)."""
        cleaned = getattr(self, "cleaned_data", {})
        values = {}
        for name in self.Meta.fields:
            if name in cleaned and name not in self.errors:
                values[name] = cleaned[name]
        if "levels" in cleaned and "levels" not in self.errors:
            for key in LEVEL_KEYS:
                values[f"level_{key}"] = key in cleaned["levels"]
        if "axes" in cleaned and "axes" not in self.errors:
            for key, _label in AXES:
                values[f"axis_{key}"] = key in cleaned["axes"]
        return values

    def add_completeness_errors(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            self.add_error(None if field == "__all__" else field, message)


class ReturnForm(forms.Form):
    message = forms.CharField(
        label="Message à l'établissement : ce qu'il faut compléter ou corriger",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Indiquez à l'établissement ce qu'il doit compléter ou corriger."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Submit("return", "Renvoyer la demande à compléter"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Motif du retrait (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Submit("withdraw", "Retirer la demande"))


class ExtensionForm(forms.Form):
    establishment = forms.ModelChoiceField(
        label="Établissement",
        queryset=None,
        empty_label="Choisir un établissement",
        error_messages={
            "required": "Choisissez l'établissement.",
            "invalid_choice": "Choisissez un établissement de la liste.",
        },
    )
    until = forms.DateField(
        label="Nouvelle date limite de dépôt",
        help_text="Au format jj/mm/aaaa.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Indiquez la nouvelle date limite.",
            "invalid": "Saisissez une date valide, par exemple 31/07/2027.",
        },
    )
    reason = forms.CharField(label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, establishments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = establishments
        self.fields["establishment"].label_from_instance = lambda e: f"{e.name} ({e.uai}) — {e.commune}"
        self.helper = form_helper(Submit("grant", "Accorder le délai"))


class UsageReportForm(forms.ModelForm):
    """The spring usage report; like the Annexe 1 form, any field may be empty in a draft."""

    class Meta:
        model = UsageReport
        fields = UsageReport.FORM_FIELDS
        labels = {
            "pupils_supported": "Nombre d'élèves accompagnés",
            "teachers_involved": "Nombre d'enseignants et d'intervenants impliqués",
            "evaluation": (
                "Comment les résultats ont-ils été évalués ? (modalités prévues à la section 5 de la demande)"
            ),
            "observations": "Résultats et effets observés sur les élèves (réussite, assiduité, autonomie…)",
            "difficulties": "Difficultés rencontrées",
            "comments": "Commentaires libres",
        }
        widgets = {
            "evaluation": forms.Textarea(attrs=TEXTAREA),
            "observations": forms.Textarea(attrs=TEXTAREA),
            "difficulties": forms.Textarea(attrs={"rows": 3}),
            "comments": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, allocated: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.allocated = allocated
        for key, label in LEVELS:
            self.fields[f"hours_used_{key}"] = FrenchDecimalField(
                label=f"{label} : heures effectivement utilisées",
                required=False,
                help_text=f"{allocated[key]} h attribuées ; une décimale au plus.",
                error_messages={"invalid": "Saisissez un nombre d'heures, par exemple 36 ou 12,5."},
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8, "autocomplete": "off"}),
            )
        for name in ("pupils_supported", "teachers_involved", *(f"actions_{k}_count" for k, _l in AXES)):
            self.fields[name].widget = forms.TextInput(attrs={"inputmode": "numeric", "size": 6})
            self.fields[name].error_messages["invalid"] = "Saisissez un nombre entier, par exemple 12."
        for key, _label in AXES:
            self.fields[f"actions_{key}_count"].label = "Nombre d'actions conduites"
            self.fields[f"actions_{key}"].label = "Actions conduites et publics concernés"
            self.fields[f"actions_{key}"].widget = forms.Textarea(attrs={"rows": 3})
        self.helper = form_helper(
            SecondarySubmit("save", "Enregistrer le brouillon"), Submit("submit", "Déposer le bilan")
        )
        levels = [Field(f"hours_used_{key}", wrapper_class="hse-short") for key in LEVEL_KEYS if allocated[key]]
        hidden_levels = [f"hours_used_{key}" for key in LEVEL_KEYS if not allocated[key]]
        for name in hidden_levels:
            self.fields[name].widget = forms.HiddenInput()
        self.helper.layout = Layout(
            Fieldset("1 - Heures utilisées", *levels, *hidden_levels, css_id="bilan-heures"),
            Fieldset(
                "2 - Élèves et intervenants",
                Field("pupils_supported", wrapper_class="hse-short"),
                Field("teachers_involved", wrapper_class="hse-short"),
                css_id="bilan-publics",
            ),
            *[
                Fieldset(
                    f"3 - Actions conduites : {AXIS_SHORT_LABELS[key]}",
                    Field(f"actions_{key}_count", wrapper_class="hse-short"),
                    f"actions_{key}",
                    css_id=f"bilan-axe-{key}",
                )
                for key, _label in AXES
            ],
            Fieldset("4 - Évaluation et résultats", "evaluation", "observations", css_id="bilan-evaluation"),
            Fieldset("5 - Difficultés et commentaires", "difficulties", "comments", css_id="bilan-difficultes"),
        )

    def clean(self):
        cleaned = super().clean()
        for key in LEVEL_KEYS:
            name = f"hours_used_{key}"
            if cleaned.get(name) is not None:
                error = used_bound_error(cleaned[name], self.allocated[key])
                if error:
                    self.add_error(name, error)
        for name in ("pupils_supported", "teachers_involved", *(f"actions_{k}_count" for k, _l in AXES)):
            value = cleaned.get(name)
            if value is not None and value < 0:
                self.add_error(name, "Saisissez un nombre positif.")
        return cleaned

    def _post_clean(self):
        """Saved by ``usage.save_usage_report``, never by ``form.save()``: no model validation here."""

    def valid_values(self) -> dict:
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned[name] for name in self.Meta.fields if name in cleaned and name not in self.errors}

    def add_completeness_errors(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            self.add_error(None if field == "__all__" else field, message)
