"""Main navigation, by role. Each app adds its entries here as its pages land."""

from django.urls import reverse

NAVIGATION = {
    "head": [("Accueil", "home"), ("Mes demandes", "requests:list"), ("Documents", "reports:index")],
    "regional": [
        ("Accueil", "home"),
        ("Répartition", "allocations:board"),
        ("Demandes", "requests:list"),
        ("Délais", "requests:extensions"),
        ("Bilans", "reports:index"),
    ],
    "national": [
        ("Accueil", "home"),
        ("Tableau national", "reports:national_board"),
        ("Campagnes et enveloppes", "allocations:campaigns"),
        ("Demandes", "requests:list"),
        ("Bilans", "reports:index"),
    ],
    "admin": [("Accueil", "home"), ("Administration", "admin:index")],
}


def items_for(user, path: str) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = [{"label": label, "url": reverse(name), "active": False} for label, name in NAVIGATION.get(user.role, [])]
    # The active entry is the longest URL the current path starts with ("/" only for the home page itself).
    matches = [item for item in items if (path == item["url"] if item["url"] == "/" else path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items
