from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms

from core.formatting import format_number
from core.forms import (
    DraftForm,
    FrenchDecimalField,
    SecondarySubmit,
    Submit,
    bound_model_numbers,
    bound_number,
    form_helper,
    french_date_field,
)
from requests_app.completeness import weekly_bound_error
from requests_app.models import AXES, AXIS_SHORT_LABELS, CHOICE_GROUPS, LEVEL_KEYS, LEVELS, Request, UsageReport
from requests_app.usage_services import used_bound_error

TEXTAREA = {"rows": 5}

# Bounds of the counts typed in the Annexe 1 and the usage report: far above any real establishment, far below
# what the columns hold.
PUPILS_MAX = 10_000
PEOPLE_MAX = 1_000
ACTIONS_MAX = 1_000


class RequestForm(DraftForm, forms.ModelForm):
    """The Annexe 1 form. Every field may be empty in a draft; what a deposit needs is checked by
    ``completeness_errors`` and shown next to the fields."""

    levels = forms.MultipleChoiceField(
        label="Niveau d'intervention (à cocher, possibilité choix multiple)",
        choices=LEVELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    axes = forms.MultipleChoiceField(
        label="Axes de la note de service concernés par les initiatives (facultatif, plusieurs choix possibles)",
        help_text=(
            "Facultatif : l'Annexe 1 ne demande pas ces axes, tirés du texte de la note. Les cocher aide la "
            "DRAAF-SRFD ; ne pas les cocher n'empêche pas de déposer la demande."
        ),
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
            "pupils_count": "Nombre d'élèves concernés (facultatif)",
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
            "pupils_count": (
                "Facultatif : ce nombre ne figure pas dans l'Annexe 1. Il aide la DRAAF-SRFD ; le laisser vide "
                "n'empêche pas de déposer la demande."
            ),
        }
        widgets = {
            # RGAA 11.13: the head's own name and e-mail address are filled in by the browser when it can.
            "head_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
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
        bound_number(
            self.fields["pupils_count"],
            0,
            PUPILS_MAX,
            f"Indiquez un nombre d'élèves entre 0 et {format_number(PUPILS_MAX)}.",
        )
        bound_number(
            self.fields["intervenants_count"],
            0,
            PEOPLE_MAX,
            f"Indiquez un nombre d'intervenants entre 0 et {format_number(PEOPLE_MAX)}.",
        )
        bound_model_numbers(self)
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
        return cleaned

    def _post_clean(self):
        """No model validation here: the form's own checks are the French ones shown next to the fields, and
        the request is saved by ``services.save_draft``, never by ``form.save()``."""

    def valid_values(self) -> dict:
        """The fields that passed validation, as model values (the others keep their stored value)."""
        values = super().valid_values()
        cleaned = getattr(self, "cleaned_data", {})
        if "levels" in cleaned and "levels" not in self.errors:
            for key in LEVEL_KEYS:
                values[f"level_{key}"] = key in cleaned["levels"]
        if "axes" in cleaned and "axes" not in self.errors:
            for key, _label in AXES:
                values[f"axis_{key}"] = key in cleaned["axes"]
        return values


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
    until = french_date_field(
        forms.DateField(
            label="Nouvelle date limite de dépôt", error_messages={"required": "Indiquez la nouvelle date limite."}
        ),
        "31/07/2027",
    )
    reason = forms.CharField(label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, establishments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = establishments
        self.fields["establishment"].label_from_instance = lambda e: f"{e.name} ({e.uai}) — {e.commune}"
        self.helper = form_helper(Submit("grant", "Accorder le délai"))


class UsageReportForm(DraftForm, forms.ModelForm):
    """The spring usage report; like the Annexe 1 form, any field may be empty in a draft. Besides the hours,
    it asks for the indicators of the fiche « Mettre en œuvre l'accompagnement personnalisé » (seed 004): the
    May reviews compute them."""

    # The yes/no indicators, edited as groups of boxes (their model fields are ``<prefix>_<key>``).
    GROUPS = {
        "surveys_done": ("survey", "Enquêtes de satisfaction ou entretiens conduits auprès de :"),
        "tools_used": ("tool", "Outils de positionnement et de suivi utilisés"),
        "promotion_done": ("promotion", "Communication et valorisation des actions"),
    }
    INTEGERS = (
        "pupils_supported",
        "teachers_involved",
        "teaching_staff",
        "projects_count",
        "pupils_continuing",
        "pupils_more_involved",
        *(f"actions_{k}_count" for k, _l in AXES),
    )

    class Meta:
        model = UsageReport
        # The boxes of the yes/no indicators are edited through the groups above.
        fields = tuple(f for f in UsageReport.FORM_FIELDS if not f.startswith(("survey_", "tool_", "promotion_")))
        labels = {
            "pupils_supported": "Nombre d'élèves accompagnés",
            "teachers_involved": "Nombre d'enseignants et d'intervenants impliqués",
            "teaching_staff": "Effectif total des enseignants et personnels d'éducation de l'établissement",
            "projects_count": (
                "Nombre de projets et d'actions à caractère pluridisciplinaire, culturel ou ouvert à l'international"
            ),
            "projects": "Lesquels ?",
            "pupils_continuing": (
                "Parmi les élèves accompagnés, nombre qui poursuivent leur formation ou leurs études (passage dans "
                "la classe supérieure, diplôme, poursuite d'études)"
            ),
            "effects_practices": "Effets sur l'évolution des pratiques pédagogiques",
            "surveys": "Ce que disent ces enquêtes ou entretiens (facultatif)",
            "personal_work_assessed": "L'implication des élèves dans leur travail personnel a été évaluée",
            "pupils_more_involved": "Nombre d'élèves accompagnés plus impliqués dans leur travail personnel",
            "personal_work": "Comment cette implication a-t-elle été évaluée ? (facultatif)",
            "communication": "Stratégies de communication et de valorisation (facultatif)",
            "evaluation": (
                "Comment les résultats ont-ils été évalués ? (modalités prévues à la section 5 de la demande)"
            ),
            "observations": "Résultats et effets observés sur les élèves (réussite, assiduité, autonomie…)",
            "difficulties": "Difficultés rencontrées",
            "comments": "Commentaires libres",
        }
        help_texts = {
            "teaching_staff": "Pour la proportion des enseignants impliqués dans l'accompagnement personnalisé.",
            "projects_count": "0 si aucun.",
            "pupils_continuing": "0 si aucun ; au plus le nombre d'élèves accompagnés.",
            "pupils_more_involved": "À indiquer si l'implication a été évaluée ; 0 si aucun.",
        }
        widgets = {
            "evaluation": forms.Textarea(attrs=TEXTAREA),
            "observations": forms.Textarea(attrs=TEXTAREA),
            "projects": forms.Textarea(attrs={"rows": 3}),
            "effects_practices": forms.Textarea(attrs={"rows": 3}),
            "surveys": forms.Textarea(attrs={"rows": 3}),
            "personal_work": forms.Textarea(attrs={"rows": 3}),
            "communication": forms.Textarea(attrs={"rows": 3}),
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
            bound_number(
                self.fields[f"hours_used_{key}"],
                0,
                allocated[key],
                f"Au plus {allocated[key]} h : c'est la dotation attribuée pour ce niveau.",
                too_low="Le nombre d'heures ne peut pas être négatif.",
            )
        for name in self.INTEGERS:
            self.fields[name].widget = forms.TextInput(attrs={"inputmode": "numeric", "size": 6})
            self.fields[name].error_messages["invalid"] = "Saisissez un nombre entier, par exemple 12."
        bound_number(
            self.fields["pupils_supported"],
            0,
            PUPILS_MAX,
            f"Indiquez un nombre d'élèves entre 0 et {format_number(PUPILS_MAX)}.",
        )
        bound_number(
            self.fields["teachers_involved"],
            0,
            PEOPLE_MAX,
            f"Indiquez un nombre d'intervenants entre 0 et {format_number(PEOPLE_MAX)}.",
        )
        for key, _label in AXES:
            bound_number(
                self.fields[f"actions_{key}_count"],
                0,
                ACTIONS_MAX,
                f"Indiquez un nombre d'actions entre 0 et {format_number(ACTIONS_MAX)}.",
            )
        bound_model_numbers(self)
        for key, _label in AXES:
            self.fields[f"actions_{key}_count"].label = "Nombre d'actions conduites"
            self.fields[f"actions_{key}"].label = "Nature des actions conduites et publics concernés"
            self.fields[f"actions_{key}"].widget = forms.Textarea(attrs={"rows": 3})
        for name, (prefix, label) in self.GROUPS.items():
            choices = CHOICE_GROUPS[prefix]
            self.fields[name] = forms.MultipleChoiceField(
                label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
            )
            if not self.is_bound:
                self.initial[name] = [key for key, _l in choices if getattr(self.instance, f"{prefix}_{key}")]
        self.helper = form_helper(
            SecondarySubmit("save", "Enregistrer le brouillon"), Submit("submit", "Déposer le bilan")
        )
        levels = [Field(f"hours_used_{key}", wrapper_class="hse-short") for key in LEVEL_KEYS if allocated[key]]
        hidden_levels = [f"hours_used_{key}" for key in LEVEL_KEYS if not allocated[key]]
        for name in hidden_levels:
            self.fields[name].widget = forms.HiddenInput()
        short = lambda name: Field(name, wrapper_class="hse-short")  # noqa: E731
        self.helper.layout = Layout(
            Fieldset("1 - Heures utilisées", *levels, *hidden_levels, css_id="bilan-heures"),
            Fieldset(
                "2 - Élèves et intervenants",
                short("pupils_supported"),
                short("teachers_involved"),
                short("teaching_staff"),
                css_id="bilan-publics",
            ),
            *[
                Fieldset(
                    f"3 - Actions conduites : {AXIS_SHORT_LABELS[key]}",
                    short(f"actions_{key}_count"),
                    f"actions_{key}",
                    css_id=f"bilan-axe-{key}",
                )
                for key, _label in AXES
            ],
            Fieldset(
                "4 - Projets pluridisciplinaires, culturels ou ouverts à l'international",
                short("projects_count"),
                "projects",
                css_id="bilan-projets",
            ),
            Fieldset(
                "5 - Suivi des élèves",
                "tools_used",
                "personal_work_assessed",
                short("pupils_more_involved"),
                "personal_work",
                css_id="bilan-suivi",
            ),
            Fieldset(
                "6 - Évaluation et effets",
                "evaluation",
                "observations",
                short("pupils_continuing"),
                "effects_practices",
                "surveys_done",
                "surveys",
                css_id="bilan-evaluation",
            ),
            Fieldset(
                "7 - Communication et valorisation", "promotion_done", "communication", css_id="bilan-valorisation"
            ),
            Fieldset("8 - Difficultés et commentaires", "difficulties", "comments", css_id="bilan-difficultes"),
        )

    def clean(self):
        cleaned = super().clean()
        for key in LEVEL_KEYS:
            name = f"hours_used_{key}"
            if cleaned.get(name) is not None:
                error = used_bound_error(cleaned[name], self.allocated[key])
                if error:
                    self.add_error(name, error)
        return cleaned

    def _post_clean(self):
        """Saved by ``usage.save_usage_report``, never by ``form.save()``: no model validation here."""

    def valid_values(self) -> dict:
        """The fields that passed validation, as model values; each ticked group sets its boxes."""
        values = super().valid_values()
        cleaned = getattr(self, "cleaned_data", {})
        for name, (prefix, _label) in self.GROUPS.items():
            if name in cleaned and name not in self.errors:
                for key, _l in CHOICE_GROUPS[prefix]:
                    values[f"{prefix}_{key}"] = key in cleaned[name]
        return values
