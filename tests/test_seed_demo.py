"""The demo went through the real steps: loaded once for this module (at a small scale: the guarantees do not
depend on it), on 15 June 2027 — the campaign 2027-2028 open to requests, 2026-2027 complete."""

import datetime
import hashlib
from io import StringIO

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Establishment, Region, User
from accounts.uai import uai_error
from allocations.models import Envelope, EnvelopeMovement
from campaigns.models import Campaign, CampaignEvent, RegionalDeadline
from demo.clock import moved_to
from demo.people import DEMO_PASSWORD, Cast
from demo.replay import CampaignReplay, Timeline
from reports.models import PdfJob, Transmission
from requests_app.models import Decision, Extension, Request, RequestEvent, Submission, UsageReport
from tests.conftest import PARIS, TODAY

SCALE = "0.05"


def _counts():
    return tuple(
        model.objects.count()
        for model in (Region, Establishment, User, Campaign, Request, Submission, Decision, UsageReport, Transmission)
    )


def _stored(field_file, digest) -> bool:
    """The file is in the storage, byte for byte the one recorded."""
    if not field_file or not default_storage.exists(field_file.name):
        return False
    with field_file.open("rb") as stream:
        return hashlib.sha256(stream.read()).hexdigest() == digest


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo as ``seed_demo`` loads it on 15 June 2027 (twice: the second run must change nothing), and what it
    printed; inside a transaction rolled back after the module."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with time_machine.travel(datetime.datetime(2027, 6, 15, 10, tzinfo=PARIS), tick=True):
                out = StringIO()
                call_command("seed_demo", "--scale", SCALE, stdout=out)
                first = _counts()
                call_command("seed_demo", "--scale", SCALE, stdout=StringIO())
                second = _counts()
            yield {"out": out.getvalue(), "first": first, "second": second, "media": media}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def media(demo, settings):
    settings.MEDIA_ROOT = demo["media"]


def test_seed_demo_is_complete_and_idempotent(demo, db, media):
    assert demo["first"] == demo["second"]
    out = demo["out"]
    assert "chef.0350700w@example.org" in out
    assert DEMO_PASSWORD in out
    assert "----" not in out  # no e-mail printed
    assert Region.objects.count() == 22
    assert set(Establishment.objects.values_list("region__code", flat=True)) == set(
        Region.objects.values_list("code", flat=True)
    )
    assert all(uai_error(uai) is None for uai in Establishment.objects.values_list("uai", flat=True))
    head = User.objects.get(email="chef.0350700w@example.org")
    assert head.check_password(DEMO_PASSWORD)
    assert list(head.establishments.values_list("uai", flat=True)) == ["0350700W"]
    assert User.objects.get(email="draaf.bretagne@example.org").region.code == "53"
    # Every establishment has its head, every region its agent: the actors of the replay.
    assert not Establishment.objects.filter(heads__isnull=True).exists()
    assert User.objects.filter(role="regional").values("region").distinct().count() == 22
    assert [c.label for c in Campaign.objects.order_by("start_year")] == ["2026-2027", "2027-2028"]


def test_no_deposited_request_without_its_pdf(demo, db, media):
    deposited = Request.objects.deposited()
    assert deposited.count() > 50
    for request in deposited.prefetch_related("submissions"):
        submissions = list(request.submissions.all())
        deposits = request.events.filter(action__in=["submitted", "resubmitted"]).count()
        assert len(submissions) == deposits >= 1, request.reference
        assert all(_stored(s.pdf, s.sha256) for s in submissions), request.reference
    # Some were sent back and deposited again: two frozen PDFs, the first one unchanged.
    assert Request.objects.filter(submissions__number=2).exists()


def test_no_notified_decision_without_its_letter(demo, db, media):
    notified = Decision.objects.notified()
    assert notified.count() > 40
    for decision in notified:
        assert _stored(decision.letter, decision.letter_sha256), decision.request.reference
        assert decision.letter_sent_at is not None
    for report in UsageReport.objects.filter(status="depose"):
        assert _stored(report.pdf, report.sha256)
    for transmission in Transmission.objects.all():
        assert _stored(transmission.pdf, transmission.sha256)
    assert set(PdfJob.objects.filter(status="done").values_list("document", flat=True)) == {
        "national-repartition",
        "national-qualitatif",
    }


def test_the_regional_staff_of_bretagne_open_every_deposited_request_s_pdf(client, demo, db, media):
    client.force_login(User.objects.get(email="draaf.bretagne@example.org"))
    deposited = Request.objects.deposited().filter(establishment__region__code="53")
    assert deposited.count() > 20
    for request in deposited:
        response = client.get(f"/demandes/{request.pk}/pdf/")
        assert response.status_code == 200, request.reference
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_dates_follow_the_calendar(demo, db, media):
    now = datetime.datetime(2027, 6, 15, 10, tzinfo=PARIS)
    past, current = Campaign.objects.order_by("start_year")
    # Nothing recorded in the future, nothing of the past campaign dated today.
    for model, field in (
        (RequestEvent, "at"),
        (Submission, "submitted_at"),
        (Decision, "notified_at"),
        (Transmission, "transmitted_at"),
        (EnvelopeMovement, "created_at"),
        (CampaignEvent, "at"),
        (UsageReport, "submitted_at"),
    ):
        assert not model.objects.filter(**{f"{field}__gt": now + datetime.timedelta(minutes=30)}).exists(), model
    today = TODAY
    assert not EnvelopeMovement.objects.filter(envelope__campaign=past, created_at__date=today).exists()
    assert not Transmission.objects.filter(campaign=past, transmitted_at__date=today).exists()
    # Envelopes notified on their date (early June), never before.
    for envelope in Envelope.objects.select_related("campaign"):
        assert timezone.localdate(envelope.notified_at) == envelope.campaign.envelopes_date
    # Deposits by the establishment's deadline (the region's own date, or the extension granted).
    for submission in Submission.objects.select_related("request__campaign", "request__establishment"):
        request = submission.request
        regional = RegionalDeadline.objects.filter(
            campaign=request.campaign, region=request.establishment.region_id
        ).first()
        extension = Extension.objects.filter(campaign=request.campaign, establishment=request.establishment).first()
        limit = request.campaign.request_deadline
        if regional:
            limit = regional.request_deadline
        if extension:
            limit = extension.until
        assert timezone.localdate(submission.submitted_at) <= limit, request.reference
    # The past campaign is complete; the current one is open, its requests still coming in.
    assert Transmission.objects.filter(campaign=past, kind="repartition").count() == 22
    assert Transmission.objects.filter(campaign=past, kind="qualitatif").count() == 22
    late = Transmission.objects.get(campaign=past, kind="qualitatif", region__code="06")
    assert timezone.localdate(late.transmitted_at) > past.review_deadline  # Mayotte was late, on purpose
    assert not Decision.objects.filter(request__campaign=current).exists()
    assert Request.objects.get(campaign=current, establishment__uai="0350700W").status == "deposee"
    assert not Request.objects.filter(campaign=current, establishment__uai="0350940G").exists()
    assert Request.objects.filter(campaign=current, establishment__region__code="53", status="en_instruction")
    assert RegionalDeadline.objects.filter(campaign=current).count() == 2
    # Every allocation of the past campaign within its region's envelope; Bretagne's envelope shared.
    envelopes = list(Envelope.objects.filter(campaign=past).with_hours().select_related("region"))
    assert all(envelope.allocated <= envelope.hours for envelope in envelopes)
    assert next(e for e in envelopes if e.region.code == "53").allocated > 0


def test_nothing_after_today_is_planned(db):
    """On 10 May 2027 the campaign 2027-2028 exists but no envelope is notified before its June; the previous
    campaign's May review is not transmitted yet."""
    until = datetime.datetime(2027, 5, 10, 12, tzinfo=PARIS)
    timeline = Timeline(until=until)
    cast = Cast(dger=None, staff={}, heads={}, accounts=[])
    replay = CampaignReplay(2027, cast=cast, timeline=timeline, is_current=True, volume=76_000)
    replay.plan()
    actions = {step[2].__name__ for step in timeline.steps}
    assert "create" in actions
    assert "notify_envelopes" not in actions
    assert all(step[0] <= until for step in timeline.steps)
    timeline = Timeline(until=until)
    CampaignReplay(2026, cast=cast, timeline=timeline, is_current=False, volume=74_000).plan()
    transmitted = [step for step in timeline.steps if step[2].__name__ == "transmit"]
    assert {step[3][1] for step in transmitted} == {"repartition"}


def test_the_demo_clock_moves_django_s_clock_and_only_inside(db):
    moment = datetime.datetime(2025, 8, 20, 11, tzinfo=PARIS)
    before = timezone.now()
    with moved_to(moment):
        assert abs(timezone.now() - moment) < datetime.timedelta(seconds=5)
        assert timezone.localdate() == datetime.date(2025, 8, 20)
        # Model defaults (timezone.now captured at import) follow too.
        event = CampaignEvent(action="created")
        assert abs(event.at - moment) < datetime.timedelta(seconds=5)
        # Templates still convert aware datetimes to Paris time.
        assert timezone.template_localtime(datetime.datetime(2025, 1, 1, 12, tzinfo=datetime.UTC)).hour == 13
    assert timezone.now() >= before
