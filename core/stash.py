"""Nothing typed is lost when the session expires: a form posted after the session ended is kept in the new
(anonymous) session and handed back, once, to the same person after they sign in again.

Bounded so that nobody can use it to fill the session table: only a form that was shown to a signed-in user
allowed to edit it (its page carries a signed ``edit_token`` naming the page and the user), at most
``MAX_BYTES`` of text, kept ``LIFETIME`` at most, and given back only to that same user.
"""

import time

from django.contrib import messages
from django.core import signing
from django.http import QueryDict

STASH_KEY = "pending_post"
TOKEN_FIELD = "edit_token"
TOKEN_SALT = "core.stash.edit-token"
MAX_BYTES = 200_000
LIFETIME = 2 * 60 * 60  # seconds: the stash is given back within two hours of the expired post
TOKEN_MAX_AGE = 7 * 24 * 60 * 60  # a form left open a week can still be kept


def keeps_post_on_expiry(view):
    """Mark a view whose form is kept when posted after the session expired (see ``LoginRequiredMiddleware``)."""
    view.keeps_post_on_expiry = True
    return view


def edit_token(request) -> str:
    """The hidden field's value for a form this signed-in user may edit on this page."""
    return signing.dumps({"path": request.path, "user": request.user.pk}, salt=TOKEN_SALT, compress=True)


def stash_post(request) -> bool:
    """Keep the POST of an anonymous visitor whose session expired, if it carries a valid edit token for this
    page and is not too large. Returns whether it was kept."""
    try:
        claim = signing.loads(request.POST.get(TOKEN_FIELD, ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(claim, dict) or claim.get("path") != request.path:
        return False
    data = {key: values for key, values in request.POST.lists() if key not in ("csrfmiddlewaretoken", TOKEN_FIELD)}
    size = sum(len(key) + sum(len(value) for value in values) for key, values in data.items())
    if size > MAX_BYTES:
        return False
    request.session[STASH_KEY] = {"path": request.path, "user": claim.get("user"), "at": time.time(), "data": data}
    messages.warning(
        request,
        "Votre session a expiré. Reconnectez-vous : ce que vous aviez saisi a été conservé et vous sera présenté "
        "pour que vous puissiez l'enregistrer.",
    )
    return True


def pop_stashed_post(request) -> QueryDict | None:
    """The form data kept for this page and this user by ``stash_post``, once, or None."""
    stash = request.session.get(STASH_KEY)
    if not stash or stash.get("path") != request.path:
        return None
    del request.session[STASH_KEY]
    if stash.get("user") != request.user.pk or time.time() - stash.get("at", 0) > LIFETIME:
        return None
    data = QueryDict(mutable=True)
    for key, values in stash["data"].items():
        data.setlist(key, values)
    return data
