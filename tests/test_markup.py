"""The main pages' HTML, checked by the Nu HTML Checker (``vnu-jar`` from the npm registry, run with Java):
no error accepted. Without Java or vnu.jar the test is skipped with its reason, except under ``CI=true``."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_permission_matrix import World

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _checker():
    java = shutil.which("java")
    if java and VNU.exists():
        return java
    reason = "Nu HTML Checker unavailable (needs java and `npm install`, which `make test` runs)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but " + reason)
    pytest.skip(reason)


PAGES = {
    "anonymous": [
        "/connexion/",
        "/mot-de-passe/oublie/",
        "/accessibilite/",
        "/mentions-legales/",
        "/donnees-personnelles/",
    ],
    "head_a": [
        "/",
        "/demandes/",
        "/demandes/{draft}/modifier/",
        "/demandes/{submitted}/",
        "/demandes/{notified}/",
        "/demandes/{notified}/bilan/",
        "/rapports/",
        "/mot-de-passe/modifier/",
        "/demandes/{submitted}/retirer/",
    ],
    "regional": [
        "/",
        "/allocations/",
        "/allocations/assistant/",
        "/allocations/demandes/{submitted}/",
        "/demandes/",
        "/demandes/delais/",
        "/region/date-limite/",
        "/enveloppes/{envelope}/",
        "/rapports/",
        "/rapports/2027/53/repartition/",
        "/rapports/2027/53/qualitatif/",
        "/rapports/2027/53/bilans/",
        "/demandes/{submitted}/a-completer/",
    ],
    "national": [
        "/",
        "/national/",
        "/national/campagnes/",
        "/national/campagnes/nouvelle/",
        "/national/campagnes/2027/",
        "/national/campagnes/2027/enveloppes/",
        "/rapports/",
        "/rapports/2027/national/",
        "/rapports/generations/{job}/",
        "/exports/demandes/",
        "/allocations/",
    ],
}


def test_main_pages_have_no_markup_error(client, db, travel, settings, tmp_path):
    java = _checker()
    world = World(travel)
    ids = {
        "draft": world.draft.pk,
        "submitted": world.submitted.pk,
        "notified": world.notified.pk,
        "envelope": world.envelope.pk,
        "job": world.job.pk,
    }
    files = {}
    for role, urls in PAGES.items():
        client.logout()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        for url in urls:
            url = url.format(**ids)
            response = client.get(url)
            assert response.status_code in (200, 403), (role, url, response.status_code)
            path = tmp_path / f"{role}-{len(files):02d}.html"
            path.write_bytes(response.content)
            files[str(path)] = f"{role} {url}"
    # A form with errors too: the error summary and messages must be valid markup.
    client.force_login(world.users["head_a"])
    response = client.post(
        f"/demandes/{world.draft.pk}/modifier/", {"version": world.draft.version, "hse_cap": "abc", "submit": "1"}
    )
    (tmp_path / "head_a-errors.html").write_bytes(response.content)
    files[str(tmp_path / "head_a-errors.html")] = "head_a form with errors"

    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = [
        f"{files.get(m['url'].removeprefix('file:'), m['url'])} line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors)
