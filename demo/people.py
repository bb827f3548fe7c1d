"""The people of the demo: the accounts one signs in with (password ``DEMO_PASSWORD``), and the actors the replay
needs — a head for every establishment and an agent for every regional authority, with no usable password (they
act in the replay; nobody signs in as them). Idempotent: upserted by e-mail."""

import random
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Establishment, Region, User

DEMO_PASSWORD = "demo-hse-2024"

DEMO_HEADS = [
    ("chef.0350700w@example.org", "Camille Le Goff", "0350700W"),
    ("chef.0350940g@example.org", "Yann Morvan", "0350940G"),
]
DEMO_REGIONAL = [
    ("draaf.bretagne@example.org", "Bénédicte Le Roux (DRAAF Bretagne)", "53"),
    ("draaf.occitanie@example.org", "Olivier Castan (DRAAF Occitanie)", "76"),
]
FIRST_NAMES = [
    "Anne", "Benoît", "Claire", "David", "Élodie", "François", "Gaëlle", "Hervé", "Isabelle", "Jérôme", "Karine",
    "Laurent", "Marie", "Nicolas", "Odile", "Pascal", "Raphaëlle", "Sébastien", "Sylvie", "Thierry", "Valérie",
    "Xavier", "Yasmina", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Bernard", "Dubois", "Durand", "Fabre", "Garnier", "Girard", "Guerin", "Lambert", "Le Bihan", "Lefèvre",
    "Marchand", "Mercier", "Moreau", "Morel", "Perrin", "Petit", "Roux", "Simon", "Thomas", "Vincent",
]  # fmt: skip


@dataclass
class Cast:
    dger: User
    staff: dict  # region id -> the regional agent who acts for the region
    heads: dict  # establishment id -> its head
    accounts: list  # (e-mail, description) of the accounts one signs in with


def _user(email, full_name, role, region=None, password=DEMO_PASSWORD):
    user = User.objects.filter(email=email).first() or User(email=email)
    user.full_name = full_name
    user.role = role
    user.region = region
    user.is_staff = user.is_superuser = role == User.Role.ADMIN
    user.is_active = True
    if password:
        user.set_password(password)
    elif not user.pk:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def seed_people() -> Cast:
    regions = {r.code: r for r in Region.objects.all()}
    accounts = []
    _user("admin@example.org", "Alex Administrateur", User.Role.ADMIN)
    accounts.append(("admin@example.org", "administrateur (/admin/)"))
    dger = _user("dger@example.org", "Dominique Garnier (DGER)", User.Role.NATIONAL)
    accounts.append(("dger@example.org", "DGER, France entière"))
    staff = {}
    for email, name, code in DEMO_REGIONAL:
        staff[regions[code].pk] = _user(email, name, User.Role.REGIONAL, regions[code])
        accounts.append((email, f"DRAAF-SRFD {regions[code].name} ({code})"))
    for region in regions.values():
        if region.pk not in staff:
            staff[region.pk] = _user(
                f"agent.{region.code}@example.org",
                f"Agent {region.authority_short}",
                User.Role.REGIONAL,
                region,
                password=None,
            )

    heads = {}
    for email, name, uai in DEMO_HEADS:
        head = _user(email, name, User.Role.HEAD)
        establishment = Establishment.objects.get(uai=uai)
        head.establishments.set([establishment])
        heads[establishment.pk] = head
        accounts.append((email, f"chef·fe d'établissement, {uai} {establishment.name}"))
    monod = Establishment.objects.get(uai=DEMO_HEADS[0][2])
    team = _user("equipe.0350700w@example.org", "Loïc Jaouen", User.Role.TEAM)
    team.establishments.set([monod])
    accounts.append(("equipe.0350700w@example.org", f"équipe d'établissement (remplit, ne dépose pas), {monod.uai}"))
    occitanie = Establishment.objects.filter(region=regions["76"]).order_by("uai").first()
    head = _user("chef.occitanie@example.org", "Laure Fabre", User.Role.HEAD)
    head.establishments.set([occitanie])
    heads[occitanie.pk] = head
    accounts.append(("chef.occitanie@example.org", f"chef·fe d'établissement, {occitanie.uai} {occitanie.name}"))

    # Every other establishment has its head (no usable password): created at once, in bulk.
    existing = {u.email: u for u in User.objects.filter(role=User.Role.HEAD)}
    missing = []
    for establishment in Establishment.objects.exclude(pk__in=heads).order_by("uai"):
        email = f"chef.{establishment.uai.lower()}@example.org"
        if email in existing:
            heads[establishment.pk] = existing[email]
            continue
        rng = random.Random(f"hse-demo-head-{establishment.uai}")
        user = User(email=email, full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", role=User.Role.HEAD)
        user.set_unusable_password()
        missing.append((establishment, user))
    User.objects.bulk_create([user for _e, user in missing], batch_size=1000)
    created = {u.email: u for u in User.objects.filter(email__in=[u.email for _e, u in missing])}
    through = User.establishments.through
    through.objects.bulk_create(
        [through(user_id=created[u.email].pk, establishment_id=e.pk) for e, u in missing],
        batch_size=2000,
    )
    for establishment, user in missing:
        heads[establishment.pk] = created[user.email]
    return Cast(dger=dger, staff=staff, heads=heads, accounts=accounts)
