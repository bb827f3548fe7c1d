"""Accounts of one's scope (/comptes/), invitations, and the invitee's side (/invitation/<token>/)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import invitations, permissions
from accounts.forms import AcceptInvitationForm, InvitationForm
from accounts.models import Establishment, Invitation, User
from core.access import enforce
from core.formatting import count, sort_key
from core.models import OutboxEmail


def _accounts(user):
    """The accounts a manager looks after: the people of their region's establishments (regional staff), the
    State's agents (DGER)."""
    if user.is_national:
        return User.objects.filter(role__in=[User.Role.REGIONAL, User.Role.NATIONAL]).select_related("region")
    return (
        User.objects.filter(role__in=[User.Role.HEAD, User.Role.TEAM], establishments__region_id=user.region_id)
        .distinct()
        .prefetch_related(Prefetch("establishments", queryset=Establishment.objects.order_by("sort_name")))
    )


def _invitations(user):
    """Pending invitations of the manager's scope, each with the state of its last e-mail in the outbox."""
    last_email = OutboxEmail.objects.filter(
        content_type=ContentType.objects.get_for_model(Invitation), object_id=OuterRef("pk")
    ).order_by("-created_at", "-pk")
    queryset = (
        Invitation.objects.pending()
        .select_related("establishment", "region", "invited_by")
        .annotate(email_status=Subquery(last_email.values("status")[:1]))
    )
    if user.is_national:
        return queryset.filter(role__in=[User.Role.REGIONAL, User.Role.NATIONAL])
    return queryset.filter(establishment__region_id=user.region_id)


def accounts_list(request):
    enforce(permissions.can_manage_accounts(request.user))
    user = request.user
    pending = list(_invitations(user).order_by("email"))
    states = dict(OutboxEmail.Status.choices)
    for invitation in pending:
        invitation.email_state = states.get(invitation.email_status, "—")
    context = {
        # People by name in French order (Élodie among the E), in Python: a scope's accounts are a few hundred.
        "accounts": sorted(_accounts(user), key=lambda account: (sort_key(account.full_name), account.email)),
        "invitations": pending,
        "progress": {
            label: sum(1 for i in pending if i.email_status == status)
            for status, label in OutboxEmail.Status.choices
            if any(i.email_status == status for i in pending)
        },
        "now": timezone.now(),
    }
    if user.is_regional:
        context["uninvited"] = list(invitations.uninvited_establishments(user.region))
    return render(request, "accounts/accounts_list.html", context)


def invite(request):
    enforce(permissions.can_manage_accounts(request.user))
    initial = {}
    chosen = request.GET.get("etablissement", "")
    if request.user.is_regional and chosen.isdigit():
        establishment = Establishment.objects.filter(region_id=request.user.region_id, pk=int(chosen)).first()
        if establishment is not None:
            initial = {"establishment": establishment, "email": establishment.email, "role": User.Role.HEAD}
    form = InvitationForm(request.POST or None, inviter=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = invitations.invite(
                request.user,
                data["email"],
                data["full_name"],
                data["role"],
                establishment=data.get("establishment"),
                region=data.get("region"),
            )
        except invitations.AccountError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            if outcome.added_to:
                messages.success(
                    request,
                    f"{outcome.added_to.email} avait déjà un compte : {data['establishment'].name} y est ajouté, et "
                    "la personne en est prévenue par courriel.",
                )
            else:
                again = " de nouveau (nouveau lien)" if outcome.resent else ""
                messages.success(
                    request,
                    f"Invitation envoyée{again} à {outcome.invitation.email} : le lien est valable 7 jours.",
                )
            return redirect("accounts:list")
    return render(request, "accounts/invite.html", {"form": form}, status=422 if form.errors else 200)


@require_POST
def invite_region(request):
    enforce(permissions.can_manage_accounts(request.user))
    if not request.user.is_regional:
        raise Http404
    result = invitations.invite_region(request.user, request.user.region)
    if result.invited:
        messages.success(
            request,
            f"{len(result.invited)} invitation{'s' if len(result.invited) > 1 else ''} envoyée"
            f"{'s' if len(result.invited) > 1 else ''} (un courriel par établissement ; l'envoi se poursuit en "
            "arrière-plan).",
        )
    if result.added:
        messages.info(
            request,
            count(
                len(result.added),
                "établissement ajouté à un compte existant.",
                "établissements ajoutés à un compte existant.",
            ),
        )
    if result.left:
        messages.warning(
            request,
            "Non invités : "
            + " ; ".join(f"{establishment.name} ({reason})" for establishment, reason in result.left[:20])
            + (" …" if len(result.left) > 20 else ""),
        )
    if not (result.invited or result.added or result.left):
        messages.info(request, "Tous les établissements de la région ont un compte ou une invitation en cours.")
    return redirect("accounts:list")


def _invitation(request, pk):
    invitation = get_object_or_404(_invitations(request.user), pk=pk)
    enforce(permissions.can_manage_invitation(request.user, invitation))
    return invitation


@require_POST
def invitation_resend(request, pk):
    enforce(permissions.can_manage_accounts(request.user))
    invitation = invitations.resend(request.user, _invitation(request, pk))
    messages.success(request, f"Nouveau lien envoyé à {invitation.email}, valable 7 jours.")
    return redirect("accounts:list")


@require_POST
def invitation_cancel(request, pk):
    enforce(permissions.can_manage_accounts(request.user))
    invitation = invitations.cancel(request.user, _invitation(request, pk))
    messages.success(request, f"Invitation de {invitation.email} annulée : son lien ne fonctionne plus.")
    return redirect("accounts:list")


@require_POST
def account_deactivate(request, pk):
    enforce(permissions.can_manage_accounts(request.user))
    account = get_object_or_404(_accounts(request.user), pk=pk)
    try:
        invitations.deactivate(request.user, account)
    except invitations.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Le compte de {account.email} est désactivé : il ne permet plus de se connecter.")
    return redirect("accounts:list")


INVALID = {
    "unknown": (
        "Ce lien d'invitation n'est pas valable. Vérifiez qu'il est complet, ou demandez une nouvelle invitation."
    ),
    "used": "Ce lien a déjà servi : le compte est ouvert. Connectez-vous avec votre adresse électronique.",
    "cancelled": "Cette invitation a été annulée par la personne qui l'avait envoyée.",
    "expired": "Ce lien a expiré : il était valable 7 jours. Vous pouvez recevoir un nouveau lien à la même adresse.",
}


@login_not_required
def invitation_accept(request, token):
    """The invitee sets their name and password, and lands on their home page, signed in."""
    try:
        invitation = invitations.find(token)
    except invitations.InvalidLink as invalid:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"reason": invalid.reason, "message": INVALID[invalid.reason], "token": token},
            status=410 if invalid.reason in ("used", "expired", "cancelled") else 404,
        )
    if request.user.is_authenticated and request.user.email != invitation.email:
        messages.warning(
            request, f"Vous êtes connecté·e avec un autre compte ({request.user.email}) : déconnectez-vous d'abord."
        )
        return redirect("home")
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = invitations.accept(token, data["full_name"], data["password1"])
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        except invitations.AccountError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Bienvenue, {user.full_name} : votre compte est ouvert.")
            return redirect("home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=422 if form.errors else 200,
    )


@login_not_required
@require_POST
def invitation_renew(request, token):
    try:
        invitation = invitations.renew_expired(token)
    except invitations.InvalidLink as invalid:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"reason": invalid.reason, "message": INVALID[invalid.reason], "token": token},
            status=410 if invalid.reason != "unknown" else 404,
        )
    except invitations.AccountError as error:
        messages.info(request, str(error))
        return redirect("accounts:invitation", token)
    return render(request, "accounts/invitation_renewed.html", {"email": invitation.email})
