from django import forms
from django.contrib.auth import forms as auth_forms

from config.forms import Submit, form_helper


def _helper(submit_label: str):
    return form_helper(Submit("submit", submit_label))


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": (
            "Adresse électronique ou mot de passe incorrect. Après 5 essais infructueux, la connexion est "
            "bloquée pendant un moment."
        ),
        "inactive": "Ce compte est désactivé. Contactez votre administrateur.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.helper = _helper("Se connecter")

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="L'adresse de votre compte : un lien pour choisir un nouveau mot de passe vous sera envoyé.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Recevoir le lien")


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password2"].label = "Confirmation du nouveau mot de passe"
        self.helper = _helper("Enregistrer le mot de passe")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Mot de passe actuel"
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password2"].label = "Confirmation du nouveau mot de passe"
        self.helper = _helper("Modifier le mot de passe")
