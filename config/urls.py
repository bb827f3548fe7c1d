"""URL composition: each app's pages under their prefix. Public pages say so with ``login_not_required``;
every other page needs a signed-in user (``core.middleware.LoginRequiredMiddleware``)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import TemplateView

from core import accessibility
from core import views as core_views
from home import views as home_views

handler400 = "core.http_errors.bad_request"

admin.site.site_header = "HSE appui personnalisé — administration"
admin.site.site_title = "HSE appui personnalisé"
admin.site.index_title = "Administration technique"


def public_page(template_name):
    return login_not_required(TemplateView.as_view(template_name=template_name))


urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accessibilite/", accessibility.statement, name="accessibility"),
    path("mentions-legales/", public_page("pages/legal_notice.html"), name="legal_notice"),
    path("donnees-personnelles/", public_page("pages/personal_data.html"), name="personal_data"),
    path("verifier/", include("verification.urls")),
    path("demandes/", include("requests_app.urls")),
    path("", include("campaigns.urls")),
    path("", include("allocations.urls")),
    path("", include("reports.urls")),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCHMARK_FLOOR:  # make bench: the floor every page is measured against
    urlpatterns.append(path("__bench__/plancher/", core_views.bench_floor, name="bench_floor"))
