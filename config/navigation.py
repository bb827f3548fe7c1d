"""Main navigation, by role. Each app adds its entries here as its pages land."""

from django.urls import reverse

NAVIGATION = {
    "head": [("Accueil", "home"), ("Mes demandes", "requests:list")],
    "regional": [("Accueil", "home"), ("Demandes", "requests:list"), ("Délais", "requests:extensions")],
    "national": [("Accueil", "home"), ("Demandes", "requests:list")],
    "admin": [("Accueil", "home"), ("Administration", "admin:index")],
}


def items_for(user, path: str) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for label, url_name in NAVIGATION.get(user.role, []):
        url = reverse(url_name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items
