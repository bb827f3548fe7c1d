"""Sessions that end after a period of inactivity without a database write on every request."""

import time

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
