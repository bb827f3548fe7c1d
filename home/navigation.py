"""Main navigation, by role. Each app adds its entries here as its pages land."""

from functools import cache

from django.urls import reverse

from accounts.models import User

NAVIGATION = {
    User.Role.HEAD: [("Accueil", "home"), ("Mes demandes", "requests:list"), ("Documents", "reports:index")],
    User.Role.TEAM: [("Accueil", "home"), ("Demandes", "requests:list"), ("Documents", "reports:index")],
    User.Role.REGIONAL: [
        ("Accueil", "home"),
        ("Répartition", "allocations:board"),
        ("Demandes", "requests:list"),
        ("Délais", "requests:extensions"),
        ("Bilans", "reports:index"),
        ("Comptes", "accounts:list"),
    ],
    User.Role.NATIONAL: [
        ("Accueil", "home"),
        ("Tableau national", "reports:national_board"),
        ("Campagnes et enveloppes", "allocations:campaigns"),
        ("Demandes", "requests:list"),
        ("Bilans", "reports:index"),
        ("Comptes", "accounts:list"),
    ],
    User.Role.ADMIN: [("Accueil", "home"), ("Administration", "admin:index")],
}


@cache
def _entries(role) -> tuple:
    """The role's entries with their addresses, reversed once per process (the URLconf does not change while it
    runs; every page shows the menu)."""
    return tuple((label, reverse(name)) for label, name in NAVIGATION.get(role, []))


def items_for(user, path: str) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = [{"label": label, "url": url, "active": False} for label, url in _entries(user.role)]
    # The active entry is the longest URL the current path starts with ("/" only for the home page itself).
    matches = [item for item in items if (path == item["url"] if item["url"] == "/" else path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items
