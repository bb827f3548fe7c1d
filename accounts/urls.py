from django.contrib.auth.decorators import login_not_required
from django.urls import path

from accounts import proconnect, team_views, views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("proconnect/connexion/", login_not_required(proconnect.SignInView.as_view()), name="proconnect"),
    path("proconnect/retour/", login_not_required(proconnect.CallbackView.as_view()), name="proconnect_callback"),
    path("comptes/", team_views.accounts_list, name="list"),
    path("comptes/inviter/", team_views.invite, name="invite"),
    path("comptes/inviter-la-region/", team_views.invite_region, name="invite_region"),
    path("comptes/invitations/<int:pk>/renvoyer/", team_views.invitation_resend, name="invitation_resend"),
    path("comptes/invitations/<int:pk>/annuler/", team_views.invitation_cancel, name="invitation_cancel"),
    path("comptes/<int:pk>/desactiver/", team_views.account_deactivate, name="deactivate"),
    path("invitation/<str:token>/", team_views.invitation_accept, name="invitation"),
    path("invitation/<str:token>/nouveau-lien/", team_views.invitation_renew, name="invitation_renew"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/reinitialise/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("mot-de-passe/modifier/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/modifie/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
