from django import forms

from core.forms import COLUMN_MAX, Submit, bound_number, form_helper


class ReviewForm(forms.Form):
    version = bound_number(
        forms.IntegerField(widget=forms.HiddenInput, min_value=0),
        0,
        COLUMN_MAX["PositiveIntegerField"],
        "La page n'est plus à jour : rechargez-la.",
    )
    what_worked = forms.CharField(
        label="Ce qui a bien fonctionné", required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=8000
    )
    difficulties = forms.CharField(
        label="Difficultés rencontrées", required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=8000
    )
    recommendations = forms.CharField(
        label="Recommandations", required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=8000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Submit("save", "Enregistrer la synthèse"))
