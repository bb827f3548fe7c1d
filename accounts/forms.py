from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms

from accounts.models import Establishment, Region, User
from accounts.signin import normalize_email_address
from core.forms import Submit, form_helper


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
        return normalize_email_address(self.cleaned_data["username"])


class AdminLoginForm(AdminAuthenticationForm):
    """The admin site's sign-in, with the same normalisation as ``/connexion/`` (one account, one count of failed
    attempts, however the address is typed)."""

    def clean_username(self):
        return normalize_email_address(self.cleaned_data["username"])


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

    def clean_email(self):
        return normalize_email_address(self.cleaned_data["email"])


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


class InvitationForm(forms.Form):
    """Invite someone: regional staff for an establishment of their region (head or team member); DGER for a
    region (regional staff) or DGER itself. Only what the inviter may choose is offered."""

    role = forms.ChoiceField(
        label="Rôle",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez le rôle de la personne.",
            "invalid_choice": "Choisissez l'un des rôles proposés.",
        },
    )
    establishment = forms.ModelChoiceField(
        label="Établissement",
        queryset=Establishment.objects.none(),
        required=False,
        empty_label="Choisir un établissement",
        error_messages={"invalid_choice": "Choisissez un établissement de votre région dans la liste."},
    )
    region = forms.ModelChoiceField(
        label="Région de l'agent",
        queryset=Region.objects.none(),
        required=False,
        empty_label="Choisir une région",
        error_messages={"invalid_choice": "Choisissez une région dans la liste."},
    )
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        help_text="",
        error_messages={
            "required": "Indiquez l'adresse électronique de la personne à inviter.",
            "invalid": "Saisissez une adresse électronique valide, par exemple prenom.nom@educagri.fr.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(
        label="Nom (facultatif)",
        max_length=150,
        required=False,
        help_text="La personne le confirme en ouvrant son compte.",
    )

    def __init__(self, *args, inviter, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.permissions import invitable_roles

        self.inviter = inviter
        self.fields["role"].choices = [(role.value, role.label) for role in invitable_roles(inviter)]
        if inviter.is_regional:
            self.fields["establishment"].queryset = Establishment.objects.filter(region_id=inviter.region_id).order_by(
                "name"
            )
            self.fields["establishment"].label_from_instance = lambda e: f"{e.name} ({e.uai}) — {e.commune}"
            del self.fields["region"]
        else:
            self.fields["region"].queryset = Region.objects.order_by("sort_name")
            del self.fields["establishment"]
        proposed = self.initial.get("establishment") is not None and self.initial.get("email")
        if proposed:
            self.fields[
                "email"
            ].help_text = "Adresse de l'établissement dans l'annuaire de l'éducation : modifiez-la si besoin."
        elif inviter.is_regional:
            self.fields["email"].help_text = (
                "Pour partir de l'adresse de l'annuaire, utilisez le lien « inviter » d'un établissement dans la liste "
                "des établissements sans compte (page Comptes)."
            )
        self.helper = _helper("Envoyer l'invitation")

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        wants_establishment = role in (User.Role.HEAD, User.Role.TEAM) and "establishment" in self.fields
        if wants_establishment and not cleaned.get("establishment") and "establishment" not in self.errors:
            self.add_error("establishment", "Choisissez l'établissement.")
        if role == User.Role.REGIONAL and not cleaned.get("region") and "region" not in self.errors:
            self.add_error("region", "Choisissez la région de l'agent.")
        return cleaned


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(
        label="Prénom et nom",
        max_length=150,
        error_messages={"required": "Indiquez votre prénom et votre nom."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        help_text="Au moins 12 caractères, pas uniquement des chiffres ni un mot de passe courant.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Choisissez un mot de passe."},
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Saisissez de nouveau le mot de passe."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Ouvrir mon compte")

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        return cleaned
