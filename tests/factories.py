import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.geography import REGION_DEPARTMENTS
from accounts.models import Establishment, Region, User
from accounts.regions_data import load_regions
from accounts.uai import make_uai
from campaigns.models import Campaign

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
    name = factory.Sequence(lambda n: f"Lycée agricole test {n:04d}")
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


def complete_values(**overrides) -> dict:
    """Model values of a complete Annexe 1 (CAP 1.5 and bac pro 2 HSE per week)."""
    from decimal import Decimal

    values = {
        "head_name": "Camille Le Goff",
        "contact_details": "55 avenue de la Bouvardière, 35651 Le Rheu\nTél. 02 99 29 73 45",
        "contact_email": "direction@example.org",
        "project": "Le projet d'établissement prévoit un tutorat individuel en seconde.",
        "needs": "Élèves de seconde professionnelle en difficulté de lecture de consignes.",
        "pupils_count": 42,
        "articulation": "Une heure à l'emploi du temps, complétée par un atelier sur la base du volontariat.",
        "intervenants_count": 6,
        "level_cap": True,
        "level_bac_pro": True,
        "disciplines": "Lettres, mathématiques, agronomie",
        "roles": "Tutorat, remédiation méthodologique, suivi individuel.",
        "objectives": "Réduire les sorties sans qualification en seconde.",
        "evaluation": "Positionnement en début et fin d'année, entretiens individuels.",
        "axis_methodological": True,
        "axis_dropout": True,
        "hse_cap": Decimal("1.5"),
        "hse_bac_pro": Decimal("2"),
    }
    values.update(overrides)
    return values


class HseRequestFactory(DjangoModelFactory):
    """An Annexe 1 request (``Request`` would clash with Django's own factory)."""

    class Meta:
        model = "requests_app.Request"

    campaign = factory.LazyFunction(lambda: CampaignFactory(start_year=2027))
    establishment = factory.SubFactory(EstablishmentFactory)
    reference = factory.LazyAttribute(lambda r: f"HSE-{r.campaign.start_year}-{r.establishment.uai}")
    status = "brouillon"

    class Params:
        complete = factory.Trait(**complete_values())


def usage_values(**overrides) -> dict:
    """Model values of a complete usage report for an allocation of CAP 40 h and bac pro 60 h."""
    from decimal import Decimal

    values = {
        "hours_used_cap": Decimal("38.5"),
        "hours_used_bac_pro": Decimal("60"),
        "pupils_supported": 30,
        "teachers_involved": 5,
        "actions_methodological_count": 4,
        "actions_methodological": "Ateliers de lecture de consignes.",
        "actions_dropout_count": 2,
        "actions_dropout": "Tutorat individuel.",
        "evaluation": "Positionnements de début et de fin d'année.",
        "observations": "Assiduité en hausse.",
        "teaching_staff": 40,
        "projects_count": 0,
        "pupils_continuing": 27,
        "effects_practices": "Travail en binôme des enseignants de lettres et de mathématiques.",
    }
    values.update(overrides)
    return values
