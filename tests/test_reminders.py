"""Reminders at the right dates, once per person and deadline (the clock moved with time-machine)."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from allocations import services as allocation_services
from reminders.models import Reminder
from reminders.services import due_delay, send_due_reminders
from reports import services as report_services
from requests_app import services as request_services
from tests import factories


@pytest.fixture
def run(travel, django_capture_on_commit_callbacks):
    """Run the daily reminders on ``day`` (the e-mails leave once their transaction committed)."""

    def _run(day):
        travel(day)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            sent = send_due_reminders()
        return sent, {(tuple(m.to), m.subject) for m in mail.outbox}

    return _run


def test_due_delay():
    deadline = datetime.date(2027, 7, 12)
    assert due_delay(deadline, datetime.date(2027, 7, 4)) is None  # 8 days before
    assert due_delay(deadline, datetime.date(2027, 7, 5)) == 7
    assert due_delay(deadline, datetime.date(2027, 7, 9)) == 7
    assert due_delay(deadline, datetime.date(2027, 7, 10)) == 2
    assert due_delay(deadline, datetime.date(2027, 7, 12)) == 2  # the day itself
    assert due_delay(deadline, datetime.date(2027, 7, 13)) is None  # past


def test_heads_are_reminded_7_and_2_days_before_their_deadline_once(run, campaign, head_a, head_b, establishment_b):
    """Head A has a draft, head B a deposited request: only A is reminded, once at 7 days, once at 2."""
    request_b = request_services.start_request(head_b, establishment_b, campaign)
    request_b = request_services.save_draft(head_b, request_b, factories.complete_values(), request_b.version)
    request_services.submit_request(head_b, request_b, request_b.version)
    draft_a = request_services.start_request(head_a, head_a.establishments.get(), campaign)

    assert run(datetime.date(2027, 7, 4))[0] == 0
    sent, messages = run(datetime.date(2027, 7, 5))  # 7 days before 12 July
    assert sent == 1
    [(to, subject)] = messages
    assert to == (head_a.email,)
    assert "avant le 12/07/2027" in subject
    assert f"/demandes/{draft_a.pk}/modifier/" in mail.outbox[0].body
    assert run(datetime.date(2027, 7, 6))[0] == 0  # never twice
    sent, messages = run(datetime.date(2027, 7, 10))  # 2 days before
    assert sent == 1
    assert run(datetime.date(2027, 7, 11))[0] == 0
    assert run(datetime.date(2027, 7, 13))[0] == 0  # past the deadline: nothing
    assert list(Reminder.objects.values_list("days_before", flat=True).order_by("sent_at")) == [7, 2]


def test_an_extension_moves_the_reminders(run, campaign, head_a, regional):
    request_services.grant_extension(regional, head_a.establishments.get(), campaign, datetime.date(2027, 7, 26))
    assert run(datetime.date(2027, 7, 5))[0] == 0  # 21 days before the extended deadline
    sent, messages = run(datetime.date(2027, 7, 19))
    assert sent == 1
    assert "avant le 26/07/2027" in next(iter(messages))[1]


def test_a_late_run_sends_the_reminder_due_once(run, campaign, head_a):
    """The workers were down on the 5th: the reminder goes on the 7th, and only the 2-day one when it is due."""
    assert run(datetime.date(2027, 7, 7))[0] == 1
    assert run(datetime.date(2027, 7, 11))[0] == 1
    assert Reminder.objects.count() == 2


def test_regions_are_reminded_of_decisions_and_reports(run, campaign, regional, regional_other, national, head_a):
    from accounts.models import Region

    allocation_services.set_initial_envelopes(national, campaign, {r.pk: 100 for r in Region.objects.all()})
    allocation_services.notify_envelopes(national, campaign)
    request = request_services.start_request(head_a, head_a.establishments.get(), campaign)
    request = request_services.save_draft(head_a, request, factories.complete_values(), request.version)
    request_services.submit_request(head_a, request, request.version)

    _sent, messages = run(datetime.date(2027, 8, 16))  # 7 days before 23 August
    assert {to for to, _subject in messages} == {(regional.email,)}  # Occitanie has nothing to decide
    assert "1 demande sans décision, 0 décision à notifier" in mail.outbox[0].body
    assert run(datetime.date(2027, 8, 17))[0] == 0

    report_services.transmit(regional, "repartition", campaign, regional.region)
    _sent, messages = run(datetime.date(2027, 9, 23))  # 7 days before 30 September
    assert {to for to, _subject in messages} == {(regional_other.email,)}  # Bretagne transmitted
    assert "bilan de la répartition" in next(iter(messages))[1]
    _sent, messages = run(datetime.date(2028, 5, 24))  # 7 days before 31 May
    assert {to for to, _subject in messages} == {(regional.email,), (regional_other.email,)}


def test_the_home_page_lists_the_reminders_received(client, run, campaign, head_a):
    run(datetime.date(2027, 7, 5))
    client.force_login(head_a)
    page = BeautifulSoup(client.get("/").content, "html.parser")
    section = page.find("section", attrs={"aria-labelledby": "relances-recues"})
    assert "Rappel : demande d'HSE 2027-2028" in section.get_text()


def test_the_reminders_are_a_periodic_task_of_the_engine(travel, campaign, head_a, django_capture_on_commit_callbacks):
    import zoneinfo

    from core import periodic
    from reminders import tasks

    periodic.autodiscover()
    assert periodic.REGISTRY["send-due-reminders"].task is tasks.send_reminders
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    travel(datetime.datetime(2027, 7, 5, 3, 0, tzinfo=paris))  # in the night: nothing leaves
    assert tasks.send_reminders.call() == 0
    travel(datetime.datetime(2027, 7, 5, 8, 0, tzinfo=paris))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders.call() == 1
    assert tasks.send_reminders.call() == 0


def test_a_regional_deadline_moves_the_reminders(run, campaign, head_a, regional):
    from campaigns.models import RegionalDeadline

    RegionalDeadline.objects.create(
        campaign=campaign, region=regional.region, request_deadline=datetime.date(2027, 7, 5), set_by=regional
    )
    sent, messages = run(datetime.date(2027, 6, 28))  # 7 days before the region's 5 July
    assert sent == 1
    assert "avant le 05/07/2027" in next(iter(messages))[1]


def test_the_daily_run_reads_a_constant_number_of_queries(run, campaign, bretagne, django_assert_max_num_queries):
    for _ in range(30):
        factories.EstablishmentFactory(region=bretagne)
    with django_assert_max_num_queries(20):  # nobody to remind yet (no accounts): the reading only
        send_due_reminders(datetime.date(2027, 7, 5))
