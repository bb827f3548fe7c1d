"""Signing in the same way at every door (``/connexion/``, ``/admin/login/``, password reset): one normalisation
of the e-mail address, so that django-axes counts failed attempts per account however its address is typed."""


def normalize_email_address(value) -> str:
    """``" Chef.A@Example.ORG "`` → ``"chef.a@example.org"``: accounts are stored and looked up this way."""
    return (value or "").strip().lower()


def axes_username(request, credentials=None) -> str:
    """django-axes' ``AXES_USERNAME_CALLABLE``: the account an attempt is counted against, normalised like the
    sign-in forms do, from the credentials given to ``authenticate`` or else from the posted form."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None and request.method == "POST":
        raw = request.POST.get("username")
    return normalize_email_address(raw)
