from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("national/", views.national_board, name="national_board"),
    path("exports/tableau-national.<str:fmt>", views.national_board_export, name="national_board_export"),
    path("exports/demandes/", views.requests_export_form, name="requests_export_form"),
    path("exports/demandes.<str:fmt>", views.requests_export, name="requests_export"),
    path("rapports/", views.index, name="index"),
    path("rapports/transmissions/<id:pk>/pdf/", views.transmission_pdf, name="transmission_pdf"),
    path("rapports/generations/<id:pk>/", views.job_status, name="job"),
    path("rapports/generations/<id:pk>/pdf/", views.job_pdf, name="job_pdf"),
    path("rapports/<year:year>/national/", views.national_documents, name="national_documents"),
    path("rapports/<year:year>/<str:code>/repartition/", views.summary_page, name="summary"),
    path("rapports/<year:year>/<str:code>/repartition.<str:fmt>", views.summary_table_export, name="summary_table"),
    path("rapports/<year:year>/<str:code>/qualitatif/", views.review_page, name="review"),
    path("rapports/<year:year>/<str:code>/bilans/", views.usage_follow_up, name="usage_follow_up"),
    path("rapports/<year:year>/<str:code>/<str:kind>/pdf/", views.working_pdf, name="working_pdf"),
    path("rapports/<year:year>/<str:code>/<str:kind>/transmettre/", views.transmit, name="transmit"),
]
