import os
import secrets
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_decimal, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("False", False), ("0", False), ("oui", True)])
def test_booleans_parse(raw, expected):
    assert env_bool("X", default=not expected, environ={"X": raw}) is expected


def test_unset_boolean_takes_the_default():
    assert env_bool("X", default=True, environ={}) is True
    assert env_bool("X", default=False, environ={"X": "  "}) is False


@pytest.mark.parametrize("raw", ["Fasle", "2", "enabled"])
def test_a_bad_boolean_is_an_error(raw):
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        env_bool("DEBUG", default=False, environ={"DEBUG": raw})


def test_integers_and_lists():
    assert env_int("N", 3, environ={"N": "12"}) == 12
    with pytest.raises(ImproperlyConfigured):
        env_int("N", 3, environ={"N": "douze"})
    with pytest.raises(ImproperlyConfigured):
        env_int("N", 3, environ={"N": "0"}, minimum=1)
    assert env_list("H", environ={"H": "a.fr, b.fr ,"}) == ["a.fr", "b.fr"]


@pytest.mark.parametrize("raw", ["1,1", "un", "-1", "NaN", "Infinity"])
def test_a_bad_decimal_is_an_error(raw):
    with pytest.raises(ImproperlyConfigured, match="DB_RANDOM_PAGE_COST"):
        env_decimal("DB_RANDOM_PAGE_COST", Decimal("1.1"), environ={"DB_RANDOM_PAGE_COST": raw}, minimum=Decimal(0))


def test_decimals_parse():
    assert env_decimal("C", Decimal("1.1"), environ={"C": " 2.5 "}) == Decimal("2.5")
    assert env_decimal("C", Decimal("1.1"), environ={}) == Decimal("1.1")


def _manage(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "PRODUCTION", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_refuse_a_bad_debug_value():
    result = _manage("check", DEBUG="Fasle")
    assert result.returncode != 0
    assert "DEBUG='Fasle' is not a boolean" in result.stderr


def test_a_sqlite_database_url_works(tmp_path):
    """The PostgreSQL timeouts are not passed to SQLite (they made ``sqlite:///…`` URLs fail to connect)."""
    result = _manage("migrate", "--noinput", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "db.sqlite3").exists()


def test_settings_refuse_a_contact_that_is_not_an_email():
    result = _manage("check", CONTACT_EMAIL="accessibilite at agriculture")
    assert result.returncode != 0
    assert "CONTACT_EMAIL" in result.stderr
    assert _manage("check", CONTACT_EMAIL="accessibilite@agriculture.gouv.fr").returncode == 0


def test_production_refuses_to_start_without_secret_key_or_hosts():
    result = _manage("check", PRODUCTION="true", ALLOWED_HOSTS="hse.example.gouv.fr", EMAIL_HOST="smtp")
    assert result.returncode != 0
    assert "requires SECRET_KEY" in result.stderr
    result = _manage("check", PRODUCTION="true", SECRET_KEY=secrets.token_urlsafe(60), EMAIL_HOST="smtp")
    assert result.returncode != 0
    assert "requires ALLOWED_HOSTS" in result.stderr


def test_production_mode_passes_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PRODUCTION="true",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="hse.example.gouv.fr",
        EMAIL_HOST="smtp.example.gouv.fr",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_proconnect_needs_its_client_id_and_secret():
    result = _manage("check", PROCONNECT_DISCOVERY_URL="https://proconnect.example/.well-known/openid-configuration")
    assert result.returncode != 0
    assert "requires PROCONNECT_CLIENT_ID and PROCONNECT_CLIENT_SECRET" in result.stderr
