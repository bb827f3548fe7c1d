from django.conf import settings

from home.navigation import items_for


def service(request):
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "nav_items": items_for(request.user, request.path) if hasattr(request, "user") else [],
    }
