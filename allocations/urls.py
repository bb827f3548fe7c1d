from django.urls import path

from allocations.views import envelope, national, regional

app_name = "allocations"

urlpatterns = [
    path("national/campagnes/", national.campaign_list, name="campaigns"),
    path("national/campagnes/nouvelle/", national.campaign_create, name="campaign_create"),
    path("national/campagnes/<int:year>/", national.campaign_edit, name="campaign_edit"),
    path("national/campagnes/<int:year>/enveloppes/", national.campaign_envelopes, name="envelopes"),
    path("national/campagnes/<int:year>/enveloppes/notifier/", national.campaign_notify, name="notify"),
    path("enveloppes/<int:pk>/", envelope.envelope_detail, name="envelope"),
    path("allocations/", regional.board, name="board"),
    path("allocations/assistant/", regional.assistant, name="assistant"),
    path("allocations/notifier/", regional.notify, name="notify_decisions"),
    path("allocations/lettres/reprendre/", regional.resume_letters, name="resume_letters"),
    path("allocations/demandes/<int:pk>/", regional.decision_page, name="decision"),
    path("allocations/lettres/<int:pk>/", regional.letter, name="letter"),
]
