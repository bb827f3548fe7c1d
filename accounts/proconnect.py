"""State agents (DGER, DRAAF-SRFD) sign in with ProConnect, the State's OpenID Connect identity federation.

Configured by environment (``PROCONNECT_DISCOVERY_URL``, ``PROCONNECT_CLIENT_ID``, ``PROCONNECT_CLIENT_SECRET``),
off when unset. The provider's endpoints come from its discovery document, read on first use and kept an hour.
ProConnect returns the userinfo as a signed JWT (``application/jwt``): mozilla-django-oidc verifies its signature
with the provider's keys (``jwks_uri``) like the ID token's.

ProConnect never creates an account nor a scope: an agent gets in only if an active account of a State agent
(regional staff or DGER) with that e-mail already exists (they were invited). Heads of establishment keep their
e-mail and password.
"""

import logging
import time
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.views import View
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

logger = logging.getLogger(__name__)

DISCOVERY_TTL = 3600  # seconds
_discovery: dict = {"at": 0.0, "url": None, "document": None}

# mozilla-django-oidc's endpoint settings, read from the discovery document instead.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
FAILED = (
    "La connexion avec ProConnect n'a pas abouti (réponse invalide, expirée ou déjà utilisée). Recommencez depuis "
    "cette page."
)


def is_enabled() -> bool:
    return bool(getattr(settings, "PROCONNECT_DISCOVERY_URL", None))


def discovery() -> dict:
    """The provider's discovery document (``.well-known/openid-configuration``)."""
    url = settings.PROCONNECT_DISCOVERY_URL
    if _discovery["document"] is None or _discovery["url"] != url or time.time() - _discovery["at"] > DISCOVERY_TTL:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        _discovery.update(at=time.time(), url=url, document=response.json())
    return _discovery["document"]


def get_settings(attr, *args):
    """mozilla-django-oidc's settings, with the endpoints taken from the discovery document."""
    if attr in ENDPOINTS:
        endpoint = discovery().get(ENDPOINTS[attr])
        if not endpoint:
            raise ImproperlyConfigured(f"The ProConnect discovery document has no {ENDPOINTS[attr]}.")
        return endpoint
    return import_from_settings(attr, *args)


class ProConnectBackend(OIDCAuthenticationBackend):
    """Authenticates the OIDC callback; every other sign-in (e-mail and password) passes through untouched
    (nothing is fetched from the provider unless a ProConnect callback is being handled)."""

    get_settings = staticmethod(get_settings)

    def __init__(self, *args, **kwargs):
        # The endpoints are read when a callback is handled, not when the backend is built for a password
        # sign-in: ProConnect being down never blocks the other way in.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or "code" not in request.GET or "state" not in request.GET:
            return None
        self.OIDC_OP_TOKEN_ENDPOINT = self.get_settings("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = self.get_settings("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = self.get_settings("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = self.get_settings("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = self.get_settings("OIDC_RP_SIGN_ALGO", "RS256")
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip().lower()
        users = self.UserModel.objects.filter(email__iexact=email, is_active=True) if email else []
        if not users:
            self.request.proconnect_refusal = (
                f"Aucun compte n'est ouvert pour l'adresse {email or '(non transmise)'} : ProConnect ne crée pas de "
                "compte. Demandez une invitation à votre DRAAF-SRFD ou à la DGER."
            )
            return self.UserModel.objects.none()
        if not all(user.is_state_staff for user in users):
            self.request.proconnect_refusal = (
                "ProConnect est réservé aux agents de la DGER et des DRAAF-SRFD. Connectez-vous avec votre adresse "
                "électronique et votre mot de passe."
            )
            return self.UserModel.objects.none()
        return users

    def create_user(self, claims):  # pragma: no cover - OIDC_CREATE_USER is False, kept as a guard
        raise SuspiciousOperation("ProConnect never creates an account.")


class SignInView(oidc_views.OIDCAuthenticationRequestView):
    """Sends the agent to ProConnect."""

    get_settings = staticmethod(get_settings)

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the endpoint is read when asked for, once ProConnect is on

    def get(self, request):
        if not is_enabled():
            return HttpResponseRedirect(reverse("accounts:login"))
        self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


class CallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """Back from ProConnect: signed in, or back on the sign-in page with the reason."""

    get_settings = staticmethod(get_settings)

    @property
    def failure_url(self):
        return reverse("accounts:login")

    def login_failure(self):
        messages.error(self.request, getattr(self.request, "proconnect_refusal", FAILED))
        return super().login_failure()

    def login_success(self):
        response = super().login_success()
        self.request.session["proconnect"] = True
        return response

    def get(self, request):
        if not is_enabled():
            return HttpResponseRedirect(self.failure_url)
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException) as error:
            logger.warning("ProConnect sign-in refused: %s", error)
            messages.error(request, FAILED)
            return HttpResponseRedirect(self.failure_url)


def logout_url(request, id_token: str | None) -> str | None:
    """Where to send an agent who signed in with ProConnect so that their ProConnect session ends too."""
    if not is_enabled() or not id_token:
        return None
    endpoint = discovery().get("end_session_endpoint")
    if not endpoint:
        return None
    params = {
        "id_token_hint": id_token,
        "state": get_random_string(32),
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:login")),
    }
    return f"{endpoint}?{urlencode(params)}"
