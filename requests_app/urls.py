from django.urls import path

from requests_app import usage_views, views

app_name = "requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("commencer/", views.request_start, name="start"),
    path("delais/", views.extensions, name="extensions"),
    path("<id:pk>/", views.request_detail, name="detail"),
    path("<id:pk>/modifier/", views.request_edit, name="edit"),
    path("<id:pk>/equivalents/", views.request_equivalents, name="equivalents"),
    path("<id:pk>/confirmation/", views.request_submitted, name="submitted"),
    path("<id:pk>/pdf/", views.request_pdf, name="pdf"),
    path("<id:pk>/depots/<id:number>/pdf/", views.request_pdf, name="submission_pdf"),
    path("<id:pk>/lettre/", views.letter, name="letter"),
    path("<id:pk>/retirer/", views.request_withdraw, name="withdraw"),
    path("<id:pk>/reprendre/", views.request_reopen, name="reopen"),
    path("<id:pk>/a-completer/", views.request_return, name="return"),
    path("<id:pk>/bilan/commencer/", usage_views.usage_report_start, name="usage_report_start"),
    path("<id:pk>/bilan/", usage_views.usage_report, name="usage_report"),
    path("<id:pk>/bilan/pdf/", usage_views.usage_report_pdf, name="usage_report_pdf"),
]
