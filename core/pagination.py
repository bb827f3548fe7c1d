"""Pages of long lists read in one query: the rows of the page carry the length of the whole list."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window

TOTAL = "rows_in_list"
FAR = 2**31  # rows: an OFFSET beyond it is not asked of the database (a bigint would overflow further on)


class WindowCountPaginator(Paginator):
    """A paginator of a ``values()`` queryset whose page's rows carry ``COUNT(*) OVER ()`` (the length of the
    list before LIMIT): no ``COUNT`` query beside the page's. The same pages as ``Paginator.get_page`` for every
    number asked: page 1 for what is not a whole number; the last page for a number below 1 or beyond the end (a
    page that comes back empty, or an empty list: ``Paginator``'s own way, a ``COUNT`` then that page)."""

    def get_page(self, number):
        try:
            number = self.validate_number(number, counted=False)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:  # below 1: the last page, as Paginator.get_page
            return super().get_page(number)
        bottom = (number - 1) * self.per_page
        if bottom >= FAR:  # no list here is that long: Paginator's way (the last page), never such an OFFSET
            return super().get_page(number)
        rows = list(self.object_list.annotate(**{TOTAL: Window(Count("pk"))})[bottom : bottom + self.per_page])
        if not rows:
            return super().get_page(number)
        self.count = rows[0][TOTAL]  # Paginator.count is a cached property: this is its value
        return self._get_page(rows, number, self)

    def validate_number(self, number, counted=True):
        """``counted=False``: only the form of the number (a whole number from 1), not whether the page exists
        (``PageNotAnInteger``, ``EmptyPage`` below 1, as ``Paginator.validate_number``)."""
        if counted:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger from None
        if number < 1:
            raise EmptyPage
        return number
