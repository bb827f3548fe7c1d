"""Shared form pieces: DSFR buttons for crispy layouts, French number input, and bounds on every number."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import BaseInput
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator

from core.formatting import format_number, plain_decimal

# The largest value each integer column holds on every supported database: PostgreSQL's ranges (SQLite stores
# wider numbers without complaint, so the forms are what keeps both databases alike).
COLUMN_MAX = {
    "PositiveSmallIntegerField": 32_767,
    "SmallIntegerField": 32_767,
    "PositiveIntegerField": 2_147_483_647,
    "IntegerField": 2_147_483_647,
    "PositiveBigIntegerField": 9_223_372_036_854_775_807,
    "BigIntegerField": 9_223_372_036_854_775_807,
}


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
            return plain_decimal(value)
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # A text input keeps "1,5" as typed (a number input would reject the comma in some browsers).
        attrs.pop("step", None)
        attrs.pop("max", None)
        attrs.pop("min", None)
        attrs.setdefault("inputmode", "decimal")
        return attrs


def bound_number(field, minimum, maximum, message: str = "", *, too_low: str = "") -> forms.Field:
    """Check ``minimum <= value <= maximum`` in the form, with a French message next to the field (``message``,
    or ``too_low`` below the minimum), so that a number never reaches a column too small for it. Works on
    integer and decimal fields, after their creation (a model form's fields included)."""
    field.min_value, field.max_value = minimum, maximum
    field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)] + [
        MinValueValidator(minimum),
        MaxValueValidator(maximum),
    ]
    text = message or f"Saisissez un nombre entre {format_number(minimum)} et {format_number(maximum)}."
    field.error_messages = {**field.error_messages, "min_value": too_low or text, "max_value": text}
    return field


def bound_model_numbers(form) -> None:
    """The safety net of a model form: every integer field left without an upper bound gets its column's (as
    PostgreSQL holds it), and none may be negative in a positive column."""
    model = form._meta.model
    for name, field in form.fields.items():
        if not isinstance(field, forms.IntegerField) or field.max_value is not None:
            continue
        try:
            column = model._meta.get_field(name).get_internal_type()
        except FieldDoesNotExist:  # a form field that is no model field keeps its own checks
            continue
        if column in COLUMN_MAX:
            minimum = 0 if column.startswith("Positive") else -COLUMN_MAX[column] - 1
            bound_number(field, field.min_value if field.min_value is not None else minimum, COLUMN_MAX[column])


DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def date_widget():
    """A new widget each time: widgets carry per-field attributes (aria-describedby) and must not be shared."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def french_date_field(field: forms.DateField, example: str) -> forms.DateField:
    """A date typed jj/mm/aaaa or picked in the browser's calendar, with French messages."""
    field.widget = date_widget()
    field.input_formats = DATE_FORMATS
    field.error_messages["invalid"] = f"Saisissez une date valide, par exemple {example}."
    field.help_text = "Au format jj/mm/aaaa."
    return field


class DraftForm:
    """For the long forms saved as drafts (``core.drafts``): what passed validation is saved, the rest stays
    on the page with its message."""

    def valid_values(self) -> dict:
        """The fields that passed validation, as model values (the others keep their stored value)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned[name] for name in self.Meta.fields if name in cleaned and name not in self.errors}

    def typed_or_stored(self, name):
        """The field's value as typed (once valid) on a bound form, as stored on an unbound one; None when
        what was typed is not valid."""
        if not self.is_bound:
            return getattr(self.instance, name)
        cleaned = getattr(self, "cleaned_data", {})
        return cleaned.get(name) if name not in self.errors else None
