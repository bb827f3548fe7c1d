from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("exports/tableau-national.<str:fmt>", views.national_board_export, name="national_board_export"),
    path("exports/demandes/", views.requests_export_form, name="requests_export_form"),
    path("exports/demandes.<str:fmt>", views.requests_export, name="requests_export"),
]
