"""Shared form pieces: DSFR buttons for crispy layouts and French number input."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import BaseInput
from django import forms


class Submit(BaseInput):
    """Primary DSFR button."""

    input_type = "submit"
    field_classes = ""


class SecondarySubmit(BaseInput):
    input_type = "submit"
    field_classes = "fr-btn--secondary"


def form_helper(*inputs, form_tag=False) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    for item in inputs:
        helper.add_input(item)
    return helper


class FrenchDecimalField(forms.DecimalField):
    """A decimal typed the French way: "1,5" as well as "1.5"; spaces ignored."""

    widget = forms.TextInput

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
            return text.replace(".", ",")
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # A text input keeps "1,5" as typed (a number input would reject the comma in some browsers).
        attrs.pop("step", None)
        attrs.pop("max", None)
        attrs.pop("min", None)
        attrs.setdefault("inputmode", "decimal")
        return attrs
