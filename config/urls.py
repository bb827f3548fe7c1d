from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from config import views

admin.site.site_header = "HSE appui personnalisé — administration"
admin.site.site_title = "HSE appui personnalisé"
admin.site.index_title = "Administration technique"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibilite/", TemplateView.as_view(template_name="pages/accessibility.html"), name="accessibility"),
    path(
        "mentions-legales/",
        TemplateView.as_view(template_name="pages/legal_notice.html"),
        name="legal_notice",
    ),
    path(
        "donnees-personnelles/",
        TemplateView.as_view(template_name="pages/personal_data.html"),
        name="personal_data",
    ),
    path("demandes/", include("requests_app.urls")),
    path("", include("allocations.urls")),
    path("", include("reports.urls")),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCHMARK_FLOOR:  # make bench: the floor every page is measured against
    urlpatterns.append(path("__bench__/plancher/", views.bench_floor, name="bench_floor"))
