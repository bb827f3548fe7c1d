"""What an operator sees: one log line per request (JSON in production) and the state of the task engine for
/healthz (workers alive, age of the oldest waiting task)."""

import logging
import time

from django.db.models import Max, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from core.models import WorkerHeartbeat
from core.worker import live_workers

logger = logging.getLogger("hse.request")


class RequestLogMiddleware:
    """First in the chain: the whole time of the request, its status and outcome, who asked (user id)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        began = time.monotonic()
        status, outcome = 500, "exception"
        try:
            response = self.get_response(request)
            status = response.status_code
            outcome = "ok" if status < 400 else "client_error" if status < 500 else "server_error"
            return response
        finally:
            user = getattr(request, "user", None)
            level = logging.ERROR if status >= 500 else logging.INFO
            logger.log(
                level,
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "event": "request",
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "outcome": outcome,
                    "duration_ms": round((time.monotonic() - began) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )


def task_engine_state(now=None) -> dict:
    """Workers seen within ``WORKER_STALE_SECONDS`` and the age (seconds) of the oldest task waiting to run."""
    now = now or timezone.now()
    last_seen = WorkerHeartbeat.objects.filter(stopped_at__isnull=True).aggregate(last=Max("last_seen_at"))["last"]
    ready = DBTaskResult.objects.ready()
    oldest = [
        ready.filter(run_after=get_date_max()).aggregate(at=Min("enqueued_at"))["at"],
        ready.exclude(run_after=get_date_max()).aggregate(at=Min("run_after"))["at"],
    ]
    oldest = min((moment for moment in oldest if moment is not None), default=None)
    return {
        "workers": live_workers(now).count(),
        "worker_last_seen_seconds": None if last_seen is None else round((now - last_seen).total_seconds(), 1),
        "oldest_waiting_task_seconds": None if oldest is None else round(max((now - oldest).total_seconds(), 0), 1),
    }
