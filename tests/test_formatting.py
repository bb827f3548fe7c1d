"""Dates and figures written the French way, once, for pages, PDFs, e-mails and messages."""

import datetime

from django.template import Context, Template
from django.utils import timezone

from core.formatting import format_date, format_datetime, format_hours, format_number


def test_the_first_of_the_month_is_written_1er():
    assert format_date(datetime.date(2027, 9, 1)) == "1er septembre 2027"
    assert format_date(datetime.date(2027, 7, 12)) == "12 juillet 2027"
    assert format_date(datetime.date(2027, 8, 31)) == "31 août 2027"


def test_a_moment_is_written_in_the_local_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override("Europe/Paris"):
        moment = datetime.datetime(2027, 5, 31, 22, 30, tzinfo=datetime.UTC)  # 1 June, 00:30 in Paris
        assert format_datetime(moment) == "1er juin 2027 à 00:30"


def test_templates_have_the_filters_without_loading_them():
    rendered = Template("{{ d|jour }} / {{ n|fr }} / {{ none|jour }}.").render(
        Context({"d": datetime.date(2027, 10, 1), "n": 12345, "none": None})
    )
    assert rendered == "1er octobre 2027 / 12\u202f345 / ."


def test_figures():
    assert format_number(1234.5) == "1\u202f234,5"
    assert format_number(None) == "—"
    assert format_hours(3409) == "3\u202f409 h"


def test_names_sort_the_french_way():
    from core.formatting import sort_key

    names = ["Lycée Zola", "École d'agriculture", "lycée agricole", "Île-de-France", "Œuvre", "Hauts-de-France"]
    assert sorted(names, key=sort_key) == [
        "École d'agriculture",
        "Hauts-de-France",
        "Île-de-France",
        "lycée agricole",
        "Lycée Zola",
        "Œuvre",
    ]


def test_regions_and_establishments_are_listed_in_french_order(db, client, national, campaign):
    """Île-de-France among the I on the national board, not after Provence (a binary order would put it last)."""
    from bs4 import BeautifulSoup

    from accounts.models import Establishment, Region
    from tests import factories

    names = [region.name for region in Region.objects.all()]
    assert names.index("Île-de-France") < names.index("Normandie")
    client.force_login(national)
    page = BeautifulSoup(client.get("/national/?campagne=2027").content, "html.parser")
    rows = [th.contents[0].strip() for th in page.find(id="tableau-regions").find("tbody").find_all("th")]
    assert rows.index("Île-de-France") < rows.index("Normandie"), rows
    bretagne = Region.objects.get(code="53")
    for name in ("lycée du Rheu", "École de Caulnes", "Lycée Zola"):
        factories.EstablishmentFactory(region=bretagne, name=name)
    listed = list(Establishment.objects.filter(region=bretagne).values_list("name", flat=True))
    assert listed == ["École de Caulnes", "lycée du Rheu", "Lycée Zola"]
