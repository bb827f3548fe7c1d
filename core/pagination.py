"""Pages of long lists read in one query: the rows of the page carry the length of the whole list."""

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Window

TOTAL = "rows_in_list"
FAR = 2**31  # rows: an OFFSET beyond it is not asked of the database (a bigint would overflow further on)


class WindowCountPaginator(Paginator):
    """A paginator of a ``values()`` queryset whose page's rows carry ``COUNT(*) OVER ()`` (the length of the
    list before LIMIT): no ``COUNT`` query beside the page's. A page that comes back empty (asked beyond the end,
    or an empty list) falls back on ``Paginator``'s own way: a ``COUNT``, then the last page, as ``get_page`` does.
    """

    def get_page(self, number):
        try:
            number = self.validate_number(number, counted=False)
        except InvalidPage:
            number = 1
        bottom = (number - 1) * self.per_page
        if bottom >= FAR:  # no list here is that long: Paginator's way (the last page), never such an OFFSET
            return super().get_page(number)
        rows = list(self.object_list.annotate(**{TOTAL: Window(Count("pk"))})[bottom : bottom + self.per_page])
        if not rows:
            return super().get_page(number)
        self.count = rows[0][TOTAL]  # Paginator.count is a cached property: this is its value
        return self._get_page(rows, number, self)

    def validate_number(self, number, counted=True):
        """``counted=False``: only the form of the number (a whole number from 1), not whether the page exists."""
        if counted:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise InvalidPage from None
        if number < 1:
            raise InvalidPage
        return number
