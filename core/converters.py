"""Path converters with bounds, registered once (``CoreConfig.ready``) and used by every URL pattern.

``<int:…>`` accepts any number of digits: a 20-digit id overflows the database's integer (a server error on
SQLite, and a wasted query elsewhere). ``<id:pk>`` takes at most 18 digits (below the 64-bit primary keys'
limit) and ``<year:year>`` exactly four, so anything longer is simply no page: 404.
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class YearConverter(IdConverter):
    regex = "[0-9]{4}"


def register() -> None:
    register_converter(IdConverter, "id")
    register_converter(YearConverter, "year")
