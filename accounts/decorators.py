"""Sign-in required, without losing a form posted after the session expired."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login

STASH_KEY = "pending_post"


def login_required_keeping_post(view):
    """Like ``login_required``; but a POST that arrives after the session expired is kept in the new
    (anonymous) session, and handed back to the view after sign-in via ``pop_stashed_post``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            data = {key: values for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"}
            request.session[STASH_KEY] = {"path": request.path, "data": data}
            messages.warning(
                request,
                "Votre session a expiré. Reconnectez-vous : ce que vous aviez saisi a été conservé et vous sera "
                "présenté pour que vous puissiez l'enregistrer.",
            )
        return redirect_to_login(request.get_full_path())

    return wrapper


def pop_stashed_post(request):
    """The form data kept for this page by ``login_required_keeping_post``, once, or None."""
    stash = request.session.get(STASH_KEY)
    if not stash or stash.get("path") != request.path:
        return None
    del request.session[STASH_KEY]
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, values in stash["data"].items():
        data.setlist(key, values)
    return data
