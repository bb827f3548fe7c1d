import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django_tasks import TaskResultStatus
from django_tasks.signals import clear_tasks_handlers, task_finished
from hypothesis import Phase
from hypothesis import settings as hypothesis_settings

from tests import factories

# ``--hypothesis-profile=mutation``: report the first failing example at once, without shrinking it (the mutation
# checks of tests/MUTATIONS.md only need to see the guarding test fail).
hypothesis_settings.register_profile("mutation", phases=[Phase.explicit, Phase.reuse, Phase.generate])

# Hashing with the production hasher would dominate the suite's time; tests only need a working one.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Background tasks (PDF jobs, letters, e-mails of the outbox) run in the test's process once the transaction
# that enqueued them commits (``django_capture_on_commit_callbacks(execute=True)`` in a test); the tests of
# tests/operations run real workers on the database backend.
settings.TASKS = {"default": {"BACKEND": "core.tasks.ImmediateOnCommitBackend"}}
clear_tasks_handlers(setting="TASKS")  # the backends were configured when the apps loaded

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# The suite runs at a fixed date in the open campaign (2027-2028): before its 12 July 2027 deadline.
TODAY = datetime.date(2027, 6, 15)


@pytest.fixture(autouse=True)
def _tasks_never_fail_silently(request):
    """A task that fails in a test fails the test (the immediate backend records the error and goes on)."""
    failures = []

    def _finished(sender, task_result, **kwargs):
        if task_result.status == TaskResultStatus.FAILED:
            failures.append(f"{task_result.task.module_path}: {task_result.errors[-1].traceback}")

    task_finished.connect(_finished, dispatch_uid="tests-task-failures")
    yield failures
    task_finished.disconnect(dispatch_uid="tests-task-failures")
    if failures and "tasks_may_fail" not in request.keywords:
        pytest.fail("a background task failed:\n" + "\n".join(failures))


@pytest.fixture(autouse=True)
def _nothing_kept_from_another_test():
    """What ``core.changes.memo`` kept belongs to a database emptied since (its data version starts again)."""
    from core.changes import forget

    forget()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def travel():
    """Move the clock: ``travel(date_or_datetime)``; the clock keeps ticking from there."""
    travellers = []

    def _travel(moment):
        if isinstance(moment, datetime.date) and not isinstance(moment, datetime.datetime):
            moment = datetime.datetime.combine(moment, datetime.time(10, 0), tzinfo=PARIS)
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        travellers.append(traveller)

    yield _travel
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def today(travel):
    travel(TODAY)
    return TODAY


@pytest.fixture
def bretagne(db):
    return factories.region("53")


@pytest.fixture
def occitanie(db):
    return factories.region("76")


@pytest.fixture
def campaign(db):
    return factories.CampaignFactory(start_year=2027)


@pytest.fixture
def establishment_a(bretagne):
    return factories.EstablishmentFactory(region=bretagne, name="Lycée agricole A", commune="Rennes")


@pytest.fixture
def establishment_b(bretagne):
    return factories.EstablishmentFactory(region=bretagne, name="Lycée agricole B", commune="Vitré")


@pytest.fixture
def establishment_other_region(occitanie):
    return factories.EstablishmentFactory(region=occitanie, name="Lycée agricole d'Occitanie", commune="Auch")


@pytest.fixture
def head_a(establishment_a):
    return factories.HeadFactory(email="chef.a@example.org", full_name="Chef A", establishments=[establishment_a])


@pytest.fixture
def head_b(establishment_b):
    return factories.HeadFactory(email="chef.b@example.org", full_name="Chef B", establishments=[establishment_b])


@pytest.fixture
def regional(bretagne):
    return factories.RegionalFactory(email="agent.bretagne@example.org", full_name="Agent Bretagne", region=bretagne)


@pytest.fixture
def regional_other(occitanie):
    return factories.RegionalFactory(email="agent.occitanie@example.org", full_name="Agent Occitanie", region=occitanie)


@pytest.fixture
def national(db):
    return factories.NationalFactory(email="dger.test@example.org", full_name="Agent DGER")


@pytest.fixture
def admin_user(db):
    return factories.AdminFactory(email="admin.test@example.org", full_name="Admin")


@pytest.fixture
def client_for(client):
    """A test client signed in as ``user``."""

    def _client_for(user):
        client.force_login(user)
        return client

    return _client_for
