"""Pages of the service itself: the health probe and the benchmark's floor."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import database_answers
from core.observability import task_engine_state


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """200 when the database answers and (in production) a worker was seen within WORKER_STALE_SECONDS; 503
    otherwise, so that the load balancer and the monitoring see a node whose background work has stopped.
    Reports the live workers and the age of the oldest task waiting to run."""
    if not database_answers():  # within a few seconds, even from a database that accepts and never answers
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    try:
        engine = task_engine_state()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    healthy = engine["workers"] > 0 or not settings.PRODUCTION
    body = {"status": "ok" if healthy else "error", "database": "ok", **engine}
    if not engine["workers"]:
        body["warning"] = "no worker seen recently: background tasks and e-mails are waiting"
    return JsonResponse(body, status=200 if healthy else 503)


@login_not_required
def bench_floor(request):
    """The benchmark's floor: what any page costs before doing anything (same server, same middleware)."""
    return HttpResponse("<!DOCTYPE html><title>plancher</title><p>ok</p>")
