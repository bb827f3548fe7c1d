"""Who sees what, written once.

Every ``visible_to(user)`` queryset method of the project builds on ``visible_establishments_q``: a head
or team member sees their establishments, regional staff their region's, national staff every one, anybody else none.
``prefix`` is the lookup path from the queried model to its establishment (``"establishment__"``).
"""

from django.db.models import Q

NOTHING = Q(pk__in=[])


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def visible_establishments_q(user, prefix: str = "") -> Q:
    if not _active(user):
        return NOTHING
    if user.is_national:
        return Q()
    if user.is_regional and user.region_id:
        return Q(**{f"{prefix}region_id": user.region_id})
    if user.is_establishment_staff:
        return Q(**{f"{prefix}heads": user})
    return NOTHING


def visible_regions_q(user, prefix: str = "") -> Q:
    """Regions a user may look at (their own for regional staff, all for DGER); ``prefix`` leads to a
    region (``""`` on Region itself, ``"region__"`` elsewhere)."""
    if not _active(user):
        return NOTHING
    if user.is_national:
        return Q()
    if user.is_regional and user.region_id:
        return Q(**{f"{prefix}pk": user.region_id})
    return NOTHING
