"""In-process measurements against one benchmark database: queries per page, PDF build times against the
bare WeasyPrint floor, sessions for the HTTP clients, the concurrent-writers race. Prints one JSON line."""

import json
import os
import statistics
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
settings.ALLOWED_HOSTS = ["*"]


def pages(detail_pk):
    return {
        "regional_board": ("draaf.53@bench.example.org", "/allocations/?campagne=2027"),
        "request_list": ("draaf.53@bench.example.org", "/demandes/?campagne=2027"),
        "request_page": ("draaf.53@bench.example.org", f"/demandes/{detail_pk}/"),
        "decision_page": ("draaf.53@bench.example.org", f"/allocations/demandes/{detail_pk}/"),
        "national_board": ("dger@bench.example.org", "/national/?campagne=2027"),
        "admin_changelist": ("admin@bench.example.org", "/admin/requests_app/request/"),
    }


def query_counts(detail_pk):
    from accounts.models import User

    counts = {}
    for name, (email, url) in pages(detail_pk).items():
        client = Client()
        client.force_login(User.objects.get(email=email))
        client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(captured.captured_queries)
    return counts


def sessions():
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    keys = {}
    for user in User.objects.filter(
        email__in=["draaf.53@bench.example.org", "dger@bench.example.org", "admin@bench.example.org"]
    ):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.set_expiry(6 * 3600)
        store.create()
        keys[user.email] = store.session_key
    return keys


class _Cells(HTMLParser):
    """The document's text, cell by cell: every table cell stays a cell of its row; every other piece of text
    (paragraph, heading, header block, page footer) becomes a one-cell row."""

    BLOCKS = {"p", "h1", "h2", "h3", "li", "dt", "dd", "div", "title"}

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.text, self.in_table, self.in_svg = [], None, [], 0, 0

    def _flush(self):
        text = " ".join("".join(self.text).split())
        if text and not self.in_table:
            self.rows.append([text])
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.in_svg += 1
        elif tag == "table":
            self._flush()
            self.in_table += 1
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.text = []
        elif (tag in self.BLOCKS or tag == "br") and not self.in_table:
            self._flush()

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg -= 1
        elif tag == "table":
            self.in_table -= 1
            self.text = []
        elif tag in ("td", "th") and self.row is not None:
            self.row.append(" ".join("".join(self.text).split()))
            self.text = []
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None
        elif tag in self.BLOCKS and not self.in_table:
            self._flush()

    def handle_data(self, data):
        if not self.in_svg:
            self.text.append(data)


def floor_html(html: str) -> str:
    import html as htmllib

    parser = _Cells()
    parser.feed(html)
    body = "".join("<tr>" + "".join(f"<td>{htmllib.escape(c)}</td>" for c in row) + "</tr>" for row in parser.rows)
    return f"<!DOCTYPE html><html><body><table>{body}</table></body></html>", sum(len(r) for r in parser.rows)


def _paired(ours, floor, runs):
    """Time both alternately (ours, floor, ours, floor…) so that drift of the machine hits both alike; the
    minimum of each is the least noisy estimate of a CPU-bound cost."""
    mine, bare = [], []
    for _ in range(runs):
        for fn, times in ((ours, mine), (floor, bare)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return min(mine), min(bare), statistics.median(mine), statistics.median(bare)


def pdf_times(detail_pk, runs=1, only=()):
    """Each document built ``runs`` times beside its floor (all of them, or those named in ``only``)."""
    from django.template.loader import render_to_string
    from django.utils import timezone
    from weasyprint import HTML

    from accounts.models import Region, User
    from allocations.services.letters import build_letter
    from campaigns.models import Campaign
    from core.pdf import render_pdf
    from reports import jobs, services
    from requests_app import usage_services as usage
    from requests_app.models import Decision, Request, Submission, UsageReport

    campaign = Campaign.objects.get(start_year=2027)
    bretagne = Region.objects.get(code="53")
    staff = User.objects.get(email="draaf.53@bench.example.org")
    request = Request.objects.select_related("campaign", "establishment__region").get(pk=detail_pk)
    decision = Decision.objects.select_related("request__campaign", "request__establishment__region", "decided_by").get(
        request=request
    )
    report = UsageReport(
        request=request,
        status="depose",
        hours_used_cap=10,
        pupils_supported=20,
        teachers_involved=3,
        actions_methodological_count=2,
        actions_methodological="Ateliers",
        evaluation="Positionnements",
        observations="Progrès",
        submitted_at=timezone.now(),
        submitted_by=staff,
    )
    submission = Submission(request=request, number=1, submitted_at=timezone.now(), submitted_by=staff)
    now = timezone.now()

    def summary():
        data = services.build("repartition", campaign, bretagne)
        return services.render("repartition", data, services.working_footer(data)), data

    def review():
        data = services.build("qualitatif", campaign, bretagne)
        return services.render("qualitatif", data, services.working_footer(data)), data

    def national(document):
        data = jobs.national_context(document, campaign)
        footer = {"draft": True, "at": timezone.localtime(), "fingerprint": data["fingerprint"]}
        return render_pdf(jobs.DOCUMENTS[document][1], {**data, "footer": footer}), (document, data, footer)

    documents = {
        "annexe1": (
            lambda: render_pdf("requests_app/pdf/annexe1.html", {"request": request, "submission": submission}),
            lambda: render_to_string("requests_app/pdf/annexe1.html", {"request": request, "submission": submission}),
        ),
        "letter": (
            lambda: build_letter(decision, staff, now)[1],
            lambda: render_to_string(
                "allocations/pdf/letter.html",
                {
                    "decision": decision,
                    "request": request,
                    "signatory": staff,
                    "date": timezone.localtime(now),
                    "rows": [{**row, "allocated": decision.hours(row["key"])} for row in request.level_rows()],
                },
            ),
        ),
        "usage_report": (lambda: usage._pdf(report), None),
        "regional_summary": (summary, None),
        "regional_review": (review, None),
        "national_summary": (lambda: national("national-repartition"), None),
        "national_review": (lambda: national("national-qualitatif"), None),
    }
    render_pdf("requests_app/pdf/annexe1.html", {"request": request, "submission": submission})  # fonts loaded once
    HTML(string="<p>warm</p>").write_pdf()
    results = {}
    for name, (build, html_of) in documents.items():
        if only and name not in only:
            continue
        if name == "usage_report":
            html = render_to_string(
                "requests_app/pdf/usage_report.html",
                {
                    "report": report,
                    "request": request,
                    "decision": decision,
                    "rows": [
                        {"label": k, "allocated": decision.hours(k), "used": report.used(k)}
                        for k in ("cap", "bac_pro", "bac_gt", "sup")
                    ],
                },
            )
        elif name in ("regional_summary", "regional_review"):
            kind = "repartition" if name == "regional_summary" else "qualitatif"
            data = services.build(kind, campaign, bretagne)
            html = render_to_string(services.TEMPLATES[kind], {**data, "footer": services.working_footer(data)})
        elif name.startswith("national"):
            document = "national-repartition" if name == "national_summary" else "national-qualitatif"
            data = jobs.national_context(document, campaign)
            footer = {"draft": True, "at": timezone.localtime(), "fingerprint": data["fingerprint"]}
            html = render_to_string(jobs.DOCUMENTS[document][1], {**data, "footer": footer})
        else:
            html = html_of()
        bare, cells = floor_html(html)
        floor_build = lambda bare=bare: HTML(string=bare).write_pdf()  # noqa: E731
        # Once each, untimed: a worker builds many documents, and the first build in a process also compiles the
        # templates and fills the font caches (the floor's font was warmed above). Each round is a new process.
        build(), floor_build()
        ours, floor, ours_median, floor_median = _paired(build, floor_build, runs)
        results[name] = {
            "seconds": round(ours, 3),
            "floor_seconds": round(floor, 3),
            "ratio": round(ours / floor, 2),
            "median_seconds": round(ours_median, 3),
            "median_floor_seconds": round(floor_median, 3),
            "cells": cells,
        }
    # The national documents as DGER downloads them (issue 15: within 3 s of asking): the regions' annexes from
    # their transmitted PDFs or their cached working versions, kept fresh by the workers' periodic task (done
    # here first, as a worker would, when the cache is empty), then only the national part laid out. The floor
    # beside them: laying out that national part alone.
    from reports import assembly

    assembly.refresh_working_copies(campaign)
    for name, document in (
        ("national_summary_whole", "national-repartition"),
        ("national_review_whole", "national-qualitatif"),
    ):
        if only and name not in only:
            continue
        ours, floor, ours_median, floor_median = _paired(
            lambda document=document: jobs.national_pdf(document, campaign),
            lambda document=document: national(document),
            3,
        )
        results[name] = {
            "seconds": round(ours_median, 3),  # what DGER waits, typically
            "floor_seconds": round(floor, 3),
            "ratio": round(ours / floor, 2),
            "median_seconds": round(ours_median, 3),
            "median_floor_seconds": round(floor_median, 3),
            "cells": 0,
        }
    return results


def race(writers=16, per_writer=5):
    """Concurrent allocation writers on one envelope; each thread has its own database connection."""
    import datetime
    from decimal import Decimal

    from accounts.models import Establishment, Region, User
    from allocations import services as allocation_services
    from allocations.models import Envelope
    from campaigns.models import Campaign
    from requests_app.models import Request

    if connection.vendor != "postgresql":
        return {"skipped": "needs PostgreSQL (DATABASE_URL)"}
    campaign = Campaign.objects.create(start_year=2030, **Campaign.default_calendar(2030), national_volume=1_000_000)
    bretagne = Region.objects.get(code="53")
    dger = User.objects.get(email="dger@bench.example.org")
    staff = User.objects.get(email="draaf.53@bench.example.org")
    allocation_services.set_initial_envelopes(
        dger, campaign, {r.pk: 10_000 if r.code == "53" else 0 for r in Region.objects.all()}
    )
    allocation_services.notify_envelopes(dger, campaign)
    from accounts.uai import make_uai

    establishments = Establishment.objects.bulk_create(
        Establishment(
            uai=make_uai(f"035{9000 + i:04d}"),
            name=f"Course {i}",
            sort_name=f"course {i}",
            commune="Rennes",
            department="035",
            region=bretagne,
            status="public",
            network="eplefpa",
        )
        for i in range(writers * per_writer)
    )
    requests = [
        Request.objects.create(
            campaign=campaign,
            establishment=e,
            reference=f"BENCH-{e.uai}",
            status="en_instruction",
            hse_cap=Decimal("10"),
            level_cap=True,
        )
        for e in establishments
    ]
    barrier = threading.Barrier(writers)
    outcomes = []
    lock = threading.Lock()

    def writer(batch):
        try:
            barrier.wait()
            for request in batch:
                try:
                    allocation_services.allocate(staff, request, {"cap": 150}, "", 0)
                    result = "granted"
                except allocation_services.AllocationError:
                    result = "refused"
                except Exception as error:
                    result = f"crash: {error!r}"
                with lock:
                    outcomes.append(result)
        finally:
            connections.close_all()

    batches = [requests[i::writers] for i in range(writers)]
    threads = [threading.Thread(target=writer, args=(b,)) for b in batches]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    envelope = Envelope.objects.get(campaign=campaign, region=bretagne)
    allocated = allocation_services.region_allocated(campaign.pk, bretagne.pk)
    return {
        "writers": writers,
        "attempts": len(outcomes),
        "granted": outcomes.count("granted"),
        "refused": outcomes.count("refused"),
        "crashes": len([o for o in outcomes if o.startswith("crash")]),
        "seconds": round(elapsed, 3),
        "decisions_per_second": round(len(outcomes) / elapsed, 1),
        "envelope": envelope.total_hours(),
        "allocated": allocated,
        "invariant_holds": allocated <= envelope.total_hours(),
        "date": datetime.date.today().isoformat(),
    }


if __name__ == "__main__":
    detail_pk = int(sys.argv[2])
    what = sys.argv[1]
    if what == "queries":
        print(json.dumps(query_counts(detail_pk)))
    elif what == "sessions":
        print(json.dumps(sessions()))
    elif what == "pdfs":
        names = [n for n in os.environ.get("BENCH_PDFS", "").split(",") if n]
        print(json.dumps(pdf_times(detail_pk, int(sys.argv[3]) if len(sys.argv) > 3 else 1, names)))
    elif what == "race":
        print(json.dumps(race()))
