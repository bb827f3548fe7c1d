import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.geography import REGION_DEPARTMENTS
from accounts.models import Establishment, Region, User
from accounts.regions_data import load_regions
from accounts.uai import make_uai
from requests_app.models import Campaign

PASSWORD = "mot-de-passe-de-test-2024"


def region(code: str) -> Region:
    """A shipped region (reloaded when a transactional test flushed the table)."""
    found = Region.objects.filter(code=code).first()
    if found is None:
        load_regions(Region)
        found = Region.objects.get(code=code)
    return found


def _department(est) -> str:
    return next(iter(REGION_DEPARTMENTS[est.region.code]))


class EstablishmentFactory(DjangoModelFactory):
    class Meta:
        model = Establishment

    region = factory.LazyFunction(lambda: region("53"))
    department = factory.LazyAttribute(_department)
    uai = factory.LazyAttributeSequence(lambda est, n: make_uai(f"{est.department}{8000 + n % 2000:04d}"))
    name = factory.Sequence(lambda n: f"Lycée agricole d'essai n° {n}")
    address = "1 route de la Gare"
    postal_code = "35000"
    commune = factory.Sequence(lambda n: f"Commune {n}")
    status = Establishment.Status.PUBLIC
    network = Establishment.Network.EPLEFPA


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    role = User.Role.HEAD
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def establishments(self, create, extracted, **kwargs):
        if extracted:
            self.establishments.set(extracted)
        self.save()


class HeadFactory(UserFactory):
    role = User.Role.HEAD


class RegionalFactory(UserFactory):
    role = User.Role.REGIONAL
    region = factory.LazyFunction(lambda: region("53"))


class NationalFactory(UserFactory):
    role = User.Role.NATIONAL


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
    is_staff = True
    is_superuser = True


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("start_year",)

    start_year = 2027
    envelopes_date = factory.LazyAttribute(lambda c: datetime.date(c.start_year, 6, 3))
    request_deadline = factory.LazyAttribute(lambda c: datetime.date(c.start_year, 7, 12))
    allocation_deadline = factory.LazyAttribute(lambda c: datetime.date(c.start_year, 8, 23))
    summary_deadline = factory.LazyAttribute(lambda c: datetime.date(c.start_year, 9, 30))
    review_deadline = factory.LazyAttribute(lambda c: datetime.date(c.start_year + 1, 5, 31))
    weeks_per_year = 36
    national_volume = 76_000
