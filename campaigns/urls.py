from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("national/campagnes/nouvelle/", views.campaign_create, name="create"),
    path("national/campagnes/<year:year>/", views.campaign_edit, name="edit"),
    path("region/date-limite/", views.regional_deadline, name="regional_deadline"),
]
