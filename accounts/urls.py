from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
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
