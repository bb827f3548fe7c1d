from django.urls import path

from requests_app import usage_views, views

app_name = "requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("commencer/", views.request_start, name="start"),
    path("delais/", views.extensions, name="extensions"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/modifier/", views.request_edit, name="edit"),
    path("<int:pk>/confirmation/", views.request_submitted, name="submitted"),
    path("<int:pk>/pdf/", views.request_pdf, name="pdf"),
    path("<int:pk>/depots/<int:number>/pdf/", views.request_pdf, name="submission_pdf"),
    path("<int:pk>/retirer/", views.request_withdraw, name="withdraw"),
    path("<int:pk>/reprendre/", views.request_reopen, name="reopen"),
    path("<int:pk>/a-completer/", views.request_return, name="return"),
    path("<int:pk>/bilan/commencer/", usage_views.usage_report_start, name="usage_report_start"),
    path("<int:pk>/bilan/", usage_views.usage_report, name="usage_report"),
    path("<int:pk>/bilan/pdf/", usage_views.usage_report_pdf, name="usage_report_pdf"),
]
