from django.urls import path

from allocations.views import envelope, national, regional

app_name = "allocations"

urlpatterns = [
    path("national/campagnes/", national.campaign_list, name="campaigns"),
    path("national/campagnes/<year:year>/enveloppes/", national.campaign_envelopes, name="envelopes"),
    path("national/campagnes/<year:year>/enveloppes/notifier/", national.campaign_notify, name="notify"),
    path("enveloppes/<id:pk>/", envelope.envelope_detail, name="envelope"),
    path("allocations/", regional.board, name="board"),
    path("allocations/assistant/", regional.assistant, name="assistant"),
    path("allocations/notifier/", regional.notify, name="notify_decisions"),
    path("allocations/lettres/reprendre/", regional.resume_letters, name="resume_letters"),
    path("allocations/demandes/<id:pk>/", regional.decision_page, name="decision"),
]
