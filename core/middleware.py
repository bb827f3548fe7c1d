"""Sign-in required everywhere but the public pages, sessions that end after a period of inactivity without a
database write on every request, no server error on hostile input, and no method but GET, HEAD and POST."""

import time

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

from core.http_errors import bad_request, method_not_allowed_page
from core.stash import stash_post

LAST_SEEN = "_last_seen"


class IdleTimeoutMiddleware:
    """Pushes the session's expiry back at most once a minute for an active user (instead of Django's
    ``SESSION_SAVE_EVERY_REQUEST``, which writes the session on every request). Placed after the session
    and authentication middleware; the idle timeout itself is ``SESSION_COOKIE_AGE``."""

    REFRESH_EVERY = 60  # seconds

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(LAST_SEEN, 0) >= self.REFRESH_EVERY:
                session[LAST_SEEN] = now  # marks the session modified: saved with a fresh expiry
        return response


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Every page needs a signed-in user, except those marked ``@login_not_required`` (sign-in, password
    reset, the public pages, the health probe). A form posted after the session expired is kept for the
    person to save after signing in again (``core.stash``), when its view is marked ``keeps_post_on_expiry``."""

    def handle_no_permission(self, request, view_func):
        if request.method == "POST" and getattr(view_func, "keeps_post_on_expiry", False):
            stash_post(request)
        return super().handle_no_permission(request, view_func)


class RejectNulMiddleware:
    """A NUL character (``%00``) in the path or the query string answers 400 before any view runs: no database
    stores it (PostgreSQL refuses it in every text value), and no valid page or filter has one. Forms refuse it
    themselves, next to the field (Django's ``ProhibitNullCharactersValidator``)."""

    REASON = "L'adresse demandée contient un caractère nul (%00) : elle ne correspond à aucune page du service."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return bad_request(request, reason=self.REASON)
        return self.get_response(request)


class FormMethodsOnlyMiddleware:
    """The service's pages are read (GET, HEAD) and its forms posted (POST): any other method (PUT, PATCH, DELETE,
    OPTIONS, TRACE…) answers 405 before any view runs, instead of function views treating it like a GET."""

    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(self.ALLOWED)
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """What a signed-in person receives (pages, PDFs, exports) is never kept by a browser or a proxy cache:
    ``Cache-Control: private, no-store``. Every answer also carries the ``Permissions-Policy`` of the service, and
    Django's empty 405 becomes a page in French."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False) and not response.content:
            response = method_not_allowed_page(request, response)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
