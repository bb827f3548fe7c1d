"""The demo data, loaded once for this module (loading builds every report's PDF: about a minute)."""

from django.core.management import call_command

from accounts.models import Establishment, Region, User
from accounts.uai import uai_error
from allocations.models import Decision, Envelope
from reports.models import PdfJob, Transmission
from requests_app.models import Campaign, Request, UsageReport


def _counts():
    return (
        Region.objects.count(),
        Establishment.objects.count(),
        User.objects.count(),
        Campaign.objects.count(),
        Request.objects.count(),
        Decision.objects.count(),
        UsageReport.objects.count(),
        Transmission.objects.count(),
        PdfJob.objects.count(),
    )


def test_seed_demo_is_complete_and_idempotent(db, today, capsys):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    regions, establishments, users, campaigns, *_rest = first
    assert regions == 22
    assert establishments == 800
    assert users == 7 + 20  # the demo accounts, and an inactive agent for each other region's past decisions
    assert campaigns == 3
    out = capsys.readouterr().out
    assert "chef.0350700w@example.org" in out
    assert "demo-hse-2024" in out
    assert "----" not in out  # no e-mail printed

    # Accounts and establishments.
    assert all(uai_error(uai) is None for uai in Establishment.objects.values_list("uai", flat=True))
    assert set(Establishment.objects.values_list("region__code", flat=True)) == set(
        Region.objects.values_list("code", flat=True)
    )
    head = User.objects.get(email="chef.0350700w@example.org")
    assert head.check_password("demo-hse-2024")
    assert list(head.establishments.values_list("uai", flat=True)) == ["0350700W"]
    assert User.objects.get(email="draaf.bretagne@example.org").region.code == "53"
    assert User.objects.get(email="draaf.occitanie@example.org").region.code == "76"
    assert User.objects.get(email="chef.occitanie@example.org").establishments.get().region.code == "76"
    assert User.objects.get(email="admin@example.org").is_superuser

    # 15 June 2027: the open campaign is 2027-2028 (deadline 12 July 2027), after 2026-2027 and 2025-2026.
    assert Campaign.objects.accepting_requests(today).get().label == "2027-2028"
    assert [c.label for c in Campaign.objects.order_by("start_year")] == ["2025-2026", "2026-2027", "2027-2028"]

    # The open campaign is ready for the regional journey: Bretagne must share its envelope.
    open_campaign = Campaign.objects.get(start_year=2027)
    assert Envelope.objects.filter(campaign=open_campaign, notified_at__isnull=False).count() == 22
    assert Request.objects.get(campaign=open_campaign, establishment__uai="0350700W").status == "deposee"
    assert not Request.objects.filter(campaign=open_campaign, establishment__uai="0350940G").exists()
    review = Request.objects.filter(campaign=open_campaign, establishment__region__code="53", status="en_instruction")
    assert review.count() > 20
    envelope = Envelope.objects.with_hours().get(campaign=open_campaign, region__code="53")
    assert sum(r.total_annual for r in review) > envelope.hours

    # Past campaigns: every decision notified, within each envelope.
    for year in (2025, 2026):
        decisions = Decision.objects.filter(request__campaign__start_year=year)
        assert decisions.filter(notified_at__isnull=False).count() == decisions.count() > 600
        for region in Envelope.objects.filter(campaign__start_year=year).with_hours():
            assert region.allocated <= region.hours

    # The completed campaign has every report, for every region and nationally.
    completed = Campaign.objects.get(start_year=2025)
    for kind in ("repartition", "qualitatif"):
        assert Transmission.objects.filter(campaign=completed, kind=kind).count() == 22
    assert Transmission.objects.filter(campaign__start_year=2026, kind="repartition").count() == 22
    assert UsageReport.objects.filter(request__campaign=completed, status="depose").count() > 500
    assert set(PdfJob.objects.filter(campaign=completed, status="done").values_list("document", flat=True)) == {
        "national-repartition",
        "national-qualitatif",
    }
