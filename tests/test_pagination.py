"""Pages of long lists read with the list's length in one query (``core.pagination``)."""

import pytest
from bs4 import BeautifulSoup
from django.core.paginator import Paginator

from core.pagination import WindowCountPaginator
from requests_app.models import Request
from tests import factories
from tests.helpers import element_text


@pytest.fixture
def seven(campaign, bretagne):
    for _ in range(7):
        factories.HseRequestFactory(campaign=campaign, complete=True, status="deposee", establishment__region=bretagne)
    return Request.objects.order_by("pk").values("pk")


@pytest.mark.parametrize(
    ("asked", "number", "pks", "queries"),
    [
        ("1", 1, [0, 1, 2], 1),
        ("2", 2, [3, 4, 5], 1),
        (3, 3, [6], 1),
        ("9", 3, [6], 3),  # beyond the end: the last page, as Paginator.get_page (empty page, count, last page)
        ("99999999999999999999", 3, [6], 2),  # far beyond: no such OFFSET asked (count, last page)
        ("0", 3, [6], 2),  # below 1: the last page, as Paginator.get_page (count, last page)
        ("-1", 3, [6], 2),
        ("deux", 1, [0, 1, 2], 1),
        ("2.0", 1, [0, 1, 2], 1),  # a page number is written as a whole number
        (None, 1, [0, 1, 2], 1),
    ],
)
def test_the_page_and_the_list_s_length_come_in_one_query(
    seven, asked, number, pks, queries, django_assert_num_queries
):
    everything = list(Request.objects.order_by("pk").values_list("pk", flat=True))
    with django_assert_num_queries(queries):
        page = WindowCountPaginator(seven, 3).get_page(asked)
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (number, 7, 3)
        assert [row["pk"] for row in page.object_list] == [everything[i] for i in pks]


def test_a_page_within_the_list_costs_one_query(seven, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = WindowCountPaginator(seven, 3).get_page("2")
        assert (page.paginator.count, page.has_next(), page.has_previous()) == (7, True, True)


def test_an_empty_list_has_one_empty_page(db):
    page = WindowCountPaginator(Request.objects.order_by("pk").values("pk"), 3).get_page("1")
    assert (page.number, page.paginator.count, list(page.object_list)) == (1, 0, [])


def test_the_staff_list_says_how_many_requests_and_pages(client, regional, campaign, bretagne, settings):
    for _ in range(53):
        factories.HseRequestFactory(campaign=campaign, complete=True, status="deposee", establishment__region=bretagne)
    client.force_login(regional)
    page = BeautifulSoup(client.get("/demandes/?campagne=2027&page=2").content, "html.parser")
    assert "53 demandes." in element_text(page, "contenu")
    assert len(page.find("tbody").find_all("tr")) == 3
    assert page.find(class_="fr-pagination").find(attrs={"aria-current": "page"}).get_text(strip=True) == "2 / 2"


@pytest.mark.parametrize("asked", ["1", "3", "4", "0", "-2", "abc", "", None, "2.0", 2.0, 2.5, " 2", "10", 10**12])
def test_the_same_page_as_django_s_paginator_for_any_number_asked(seven, asked):
    ours = WindowCountPaginator(seven, 3).get_page(asked)
    django = Paginator(seven, 3).get_page(asked)
    assert (ours.number, ours.paginator.count, [r["pk"] for r in ours.object_list]) == (
        django.number,
        django.paginator.count,
        [r["pk"] for r in django.object_list],
    )
