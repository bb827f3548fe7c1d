import pytest
from django.core.exceptions import ValidationError

from accounts.uai import check_letter, make_uai, normalize_uai, uai_error, validate_uai


@pytest.mark.parametrize("uai", ["0350700W", "0350940G", "7200599N", "9720963P", "0351962T"])
def test_valid_uai_examples(uai):
    assert uai_error(uai) is None
    validate_uai(uai)


def test_wrong_check_letter_names_the_expected_one():
    error = uai_error("0350700X")
    assert "lettre de contrôle" in error
    assert "attendue : W" in error
    with pytest.raises(ValidationError):
        validate_uai("0350700X")


@pytest.mark.parametrize("value", ["035070W", "03507000W", "", "W0350700"])
def test_wrong_length_or_shape(value):
    assert uai_error(value) is not None


def test_unknown_department_is_refused():
    digits = "9990001"
    assert "département" in uai_error(digits + check_letter(digits))


def test_lowercase_input_is_normalised():
    assert normalize_uai(" 0350700w ") == "0350700W"
    assert uai_error("0350700w") is None


def test_make_uai_appends_the_check_letter():
    assert make_uai("0350700") == "0350700W"
    assert make_uai("9720963") == "9720963P"
