"""Two nodes: two gunicorn app servers (separate processes, separate ports, separate local disks) and two
workers, on one PostgreSQL and one S3-compatible object store (moto's standalone server). A document frozen
through node A is downloaded through node B, byte for byte; a national PDF asked on node A is built by a worker
and downloaded on node B. On SQLite this test is skipped with its reason — except with CI=true, where it fails."""

import hashlib
import http.cookiejar
import io
import json
import re
import shutil
import sys
import time
import urllib.parse
import urllib.request

import boto3
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Region
from allocations.models import Envelope
from allocations.services import set_initial_envelopes
from reports.models import PdfJob, Transmission
from tests import factories
from tests.operations.conftest import free_port, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

BUCKET = "hse-documents"


@pytest.fixture
def multinode_possible(in_ci):
    problem = None
    if connection.vendor != "postgresql":
        problem = (
            "needs PostgreSQL (two app servers and two workers on one database): run with DATABASE_URL=postgres://…"
        )
    elif shutil.which("moto_server", path=str(settings.BASE_DIR / ".venv" / "bin")) is None and not _moto_module():
        problem = "needs moto's standalone server (pip install 'moto[server]')"
    if problem:
        if in_ci:
            pytest.fail(f"CI=true and the multi-node test cannot run: {problem}")
        pytest.skip(problem)


def _moto_module() -> bool:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture
def s3(processes, multinode_possible):
    port = free_port()
    processes.start("s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)])
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    wait_until(lambda: _s3_answers(client), timeout=60, message="the S3 server")
    client.create_bucket(Bucket=BUCKET)
    env = {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": endpoint,
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
        "S3_REGION": "us-east-1",
    }
    return client, env


def _s3_answers(client) -> bool:
    try:
        client.list_buckets()
    except Exception:
        return False
    return True


class Browser:
    """One signed-in person on one node: cookies, CSRF token, no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, user):
        client = Client()
        client.force_login(user)  # the session is in the shared database, valid on every node
        self.jar = http.cookiejar.CookieJar()
        self.session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect, urllib.request.HTTPErrorProcessor
        )

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)
        request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={self.session}{self._csrf_cookie()}")
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def _csrf_cookie(self) -> str:
        token = next((c.value for c in self.jar if c.name == settings.CSRF_COOKIE_NAME), None)
        return f"; {settings.CSRF_COOKIE_NAME}={token}" if token else ""

    def post_form(self, page_url, action_url, data):
        status, _headers, page = self.request(page_url)
        assert status == 200, (page_url, status)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        return self.request(action_url, {**data, "csrfmiddlewaretoken": token})


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_two_nodes_one_database_one_object_store(processes, s3, tmp_path):
    s3_client, s3_env = s3
    campaign = factories.CampaignFactory(start_year=2027)
    bretagne = factories.region("53")
    national = factories.NationalFactory(email="dger.nodes@example.org")
    regional = factories.RegionalFactory(email="agent.nodes@example.org", region=bretagne)
    set_initial_envelopes(national, campaign, {r.pk: 1000 if r.code == "53" else 0 for r in Region.objects.all()})
    Envelope.objects.filter(campaign=campaign).update(notified_at=timezone.now(), notified_by=national)
    for number in range(6):
        establishment = factories.EstablishmentFactory(region=bretagne, name=f"Lycée des deux nœuds {number}")
        factories.HseRequestFactory(campaign=campaign, establishment=establishment, status="deposee", complete=True)

    common = {**s3_env, "SECRET_KEY": settings.SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1"}
    port_a, port_b = free_port(), free_port()
    node_a = processes.gunicorn("node-a", port_a, MEDIA_ROOT=tmp_path / "disk-a", **common)
    processes.gunicorn("node-b", port_b, MEDIA_ROOT=tmp_path / "disk-b", **common)
    worker_1 = processes.worker("worker-1", MEDIA_ROOT=tmp_path / "disk-w1", **common)
    processes.worker("worker-2", MEDIA_ROOT=tmp_path / "disk-w2", **common)
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"

    # 1. The region transmits its summary through node A: the PDF is frozen in the object store.
    agent = Browser(regional)
    status, headers, _ = agent.post_form(
        f"{a}/rapports/2027/53/repartition/", f"{a}/rapports/2027/53/repartition/transmettre/", {}
    )
    assert status == 302, headers
    transmission = Transmission.objects.get()
    stored = s3_client.get_object(Bucket=BUCKET, Key=transmission.pdf.name)["Body"].read()
    assert _sha(stored) == transmission.sha256

    # ... and is downloaded through node B, the same bytes.
    dger = Browser(national)
    status, headers, downloaded = dger.request(f"{b}/rapports/transmissions/{transmission.pk}/pdf/")
    assert status == 200, headers
    assert _sha(downloaded) == transmission.sha256
    print(f"\nfrozen on A, downloaded on B: {len(downloaded)} bytes, SHA-256 {transmission.sha256[:16]}…")

    # 2. DGER asks for the national PDF on node A; a worker builds it; node B serves it.
    status, headers, _ = dger.post_form(
        f"{a}/rapports/2027/national/", f"{a}/rapports/2027/national/", {"document": "national-repartition"}
    )
    assert status == 302, headers
    job = PdfJob.objects.get()
    asked = time.monotonic()

    def done_on_b():
        code, _h, body = dger.request(f"{b}/rapports/generations/{job.pk}/?format=json")
        state = json.loads(body) if code == 200 else {}
        assert state.get("status") != "failed", state
        return state.get("status") == "done"

    wait_until(done_on_b, timeout=180, every=0.3, message="the national PDF built by a worker")
    built_in = time.monotonic() - asked
    job.refresh_from_db()
    status, headers, pdf = dger.request(f"{b}/rapports/generations/{job.pk}/pdf/")
    assert status == 200, headers
    assert _sha(pdf) == job.sha256
    assert "Bilan national de la répartition" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert _sha(s3_client.get_object(Bucket=BUCKET, Key=job.pdf.name)["Body"].read()) == job.sha256
    print(f"national PDF asked on A, built by a worker, downloaded on B: {built_in:.1f} s, {len(pdf)} bytes")

    # No node kept a document on its own disk.
    assert not any((tmp_path / disk).exists() and any((tmp_path / disk).rglob("*.pdf")) for disk in (
        "disk-a", "disk-b", "disk-w1", "disk-w2"))  # fmt: skip

    # 3. The probe of node B sees both workers; the logs are one JSON object per request and per task.
    status, _h, body = dger.request(f"{b}/healthz")
    health = json.loads(body)
    assert status == 200
    assert health["workers"] == 2, health
    lines = [json.loads(line) for line in processes.output(node_a).splitlines() if line.startswith("{")]
    transmit = next(line for line in lines if line.get("path", "").endswith("/transmettre/"))
    assert transmit["event"] == "request"
    assert transmit["status"] == 302
    assert transmit["duration_ms"] > 0
    worker_lines = [json.loads(line) for line in processes.output(worker_1).splitlines() if line.startswith("{")]
    worker_lines += [
        json.loads(line) for line in processes.output(processes.started[-1]).splitlines() if line.startswith("{")
    ]
    built = [line for line in worker_lines if line.get("event") == "task" and line["task"] == "reports.jobs.build"]
    assert len(built) == 1, built
    assert built[0]["outcome"] == "successful"
    assert built[0]["duration_ms"] > 0
