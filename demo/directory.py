"""The establishments of the demo and of the benchmark: the 23 real agricultural establishments of the directory
extract (Ille-et-Vilaine, « Annuaire de l'éducation »), imported with the project's importer, plus generated ones
with valid UAIs and plausible names in every region — about 800 in all at scale 1 (as in reality), ten times
more at scale 10. Idempotent: everything is upserted by UAI."""

import random
from pathlib import Path

from django.db import transaction

import accounts
from accounts.importer import import_directory
from accounts.models import Establishment, Region
from accounts.uai import make_uai
from core.formatting import sort_key

REAL_DIRECTORY_EXTRACT = Path(accounts.__file__).resolve().parent / "data" / "annuaire-education-agricole-35.csv"

# Generated establishments per region; with the 23 real ones of Ille-et-Vilaine, 800 in all.
GENERATED_PER_REGION = {
    "84": 100,
    "27": 46,
    "53": 57,
    "24": 40,
    "94": 4,
    "44": 58,
    "32": 52,
    "11": 24,
    "28": 52,
    "75": 104,
    "76": 92,
    "52": 90,
    "93": 34,
    "01": 4,
    "02": 3,
    "03": 2,
    "04": 5,
    "06": 2,
    "988": 3,
    "987": 3,
    "986": 1,
    "975": 1,
}

# (department, postal code, commune) — real communes, a handful per region.
COMMUNES = {
    "84": [
        ("001", "01250", "Cibeins"),
        ("003", "03000", "Moulins"),
        ("007", "07200", "Aubenas"),
        ("015", "15000", "Aurillac"),
        ("026", "26300", "Romans-sur-Isère"),
        ("038", "38260", "La Côte-Saint-André"),
        ("042", "42600", "Montbrison"),
        ("043", "43000", "Le Puy-en-Velay"),
        ("063", "63370", "Lempdes"),
        ("069", "69160", "Tassin-la-Demi-Lune"),
        ("073", "73000", "Chambéry"),
        ("074", "74150", "Poisy"),
        ("063", "63600", "Ambert"),
        ("015", "15100", "Saint-Flour"),
        ("038", "38300", "Bourgoin-Jallieu"),
    ],
    "27": [
        ("021", "21800", "Quetigny"),
        ("025", "25000", "Besançon"),
        ("039", "39570", "Montmorot"),
        ("058", "58000", "Nevers"),
        ("070", "70000", "Vesoul"),
        ("071", "71250", "Cluny"),
        ("089", "89000", "Auxerre"),
        ("090", "90400", "Danjoutin"),
        ("025", "25300", "Pontarlier"),
        ("071", "71100", "Chalon-sur-Saône"),
    ],
    "53": [
        ("022", "22200", "Guingamp"),
        ("022", "22230", "Merdrignac"),
        ("029", "29150", "Châteaulin"),
        ("029", "29000", "Quimper"),
        ("029", "29260", "Lesneven"),
        ("056", "56300", "Pontivy"),
        ("056", "56800", "Ploërmel"),
        ("056", "56250", "Saint-Jean-Brévelay"),
        ("022", "22400", "Lamballe"),
        ("029", "29400", "Landivisiau"),
        ("056", "56500", "Moréac"),
        ("022", "22600", "Loudéac"),
    ],
    "24": [
        ("018", "18000", "Bourges"),
        ("028", "28000", "Chartres"),
        ("036", "36000", "Châteauroux"),
        ("037", "37230", "Fondettes"),
        ("041", "41000", "Blois"),
        ("045", "45160", "Olivet"),
        ("018", "18400", "Saint-Florent-sur-Cher"),
        ("037", "37600", "Loches"),
        ("045", "45200", "Montargis"),
    ],
    "94": [("620", "20090", "Ajaccio"), ("720", "20600", "Bastia"), ("720", "20250", "Corte")],
    "44": [
        ("008", "08000", "Charleville-Mézières"),
        ("010", "10000", "Troyes"),
        ("051", "51460", "Somme-Vesle"),
        ("052", "52000", "Chaumont"),
        ("054", "54220", "Malzéville"),
        ("055", "55100", "Verdun"),
        ("057", "57155", "Courcelles-Chaussy"),
        ("067", "67210", "Obernai"),
        ("068", "68000", "Colmar"),
        ("088", "88300", "Mirecourt"),
        ("051", "51300", "Vitry-le-François"),
        ("057", "57200", "Sarreguemines"),
    ],
    "32": [
        ("002", "02000", "Laon"),
        ("059", "59000", "Lille"),
        ("059", "59260", "Lezennes"),
        ("060", "60000", "Beauvais"),
        ("062", "62223", "Saint-Laurent-Blangy"),
        ("080", "80000", "Amiens"),
        ("062", "62200", "Boulogne-sur-Mer"),
        ("059", "59230", "Saint-Amand-les-Eaux"),
        ("080", "80100", "Abbeville"),
        ("002", "02100", "Saint-Quentin"),
    ],
    "11": [
        ("077", "77000", "La Rochette"),
        ("078", "78100", "Saint-Germain-en-Laye"),
        ("091", "91150", "Étampes"),
        ("095", "95430", "Auvers-sur-Oise"),
        ("077", "77120", "Coulommiers"),
        ("078", "78200", "Mantes-la-Jolie"),
        ("094", "94130", "Nogent-sur-Marne"),
        ("093", "93140", "Bondy"),
    ],
    "28": [
        ("014", "14000", "Caen"),
        ("014", "14100", "Lisieux"),
        ("027", "27000", "Évreux"),
        ("050", "50000", "Saint-Lô"),
        ("050", "50300", "Avranches"),
        ("061", "61000", "Alençon"),
        ("061", "61500", "Sées"),
        ("076", "76000", "Rouen"),
        ("076", "76270", "Neufchâtel-en-Bray"),
        ("027", "27500", "Pont-Audemer"),
    ],
    "75": [
        ("016", "16400", "La Couronne"),
        ("017", "17100", "Saintes"),
        ("019", "19000", "Tulle"),
        ("023", "23000", "Guéret"),
        ("024", "24100", "Bergerac"),
        ("033", "33290", "Blanquefort"),
        ("040", "40280", "Saint-Pierre-du-Mont"),
        ("047", "47000", "Agen"),
        ("064", "64400", "Oloron-Sainte-Marie"),
        ("079", "79000", "Niort"),
        ("086", "86550", "Mignaloux-Beauvoir"),
        ("087", "87430", "Verneuil-sur-Vienne"),
        ("024", "24200", "Sarlat-la-Canéda"),
        ("033", "33500", "Libourne"),
        ("064", "64300", "Orthez"),
    ],
    "76": [
        ("009", "09100", "Pamiers"),
        ("011", "11000", "Carcassonne"),
        ("012", "12000", "Rodez"),
        ("030", "30000", "Nîmes"),
        ("031", "31320", "Auzeville-Tolosane"),
        ("032", "32020", "Auch"),
        ("034", "34000", "Montpellier"),
        ("046", "46000", "Cahors"),
        ("048", "48000", "Mende"),
        ("065", "65000", "Tarbes"),
        ("066", "66200", "Théza"),
        ("081", "81000", "Albi"),
        ("082", "82000", "Montauban"),
        ("012", "12200", "Villefranche-de-Rouergue"),
        ("031", "31800", "Saint-Gaudens"),
    ],
    "52": [
        ("044", "44000", "Nantes"),
        ("044", "44110", "Châteaubriant"),
        ("049", "49000", "Angers"),
        ("049", "49300", "Cholet"),
        ("053", "53000", "Laval"),
        ("053", "53200", "Château-Gontier"),
        ("072", "72000", "Le Mans"),
        ("072", "72200", "La Flèche"),
        ("085", "85000", "La Roche-sur-Yon"),
        ("085", "85200", "Fontenay-le-Comte"),
        ("044", "44150", "Ancenis-Saint-Géréon"),
        ("085", "85300", "Challans"),
    ],
    "93": [
        ("004", "04000", "Digne-les-Bains"),
        ("005", "05000", "Gap"),
        ("006", "06600", "Antibes"),
        ("013", "13100", "Aix-en-Provence"),
        ("083", "83400", "Hyères"),
        ("084", "84200", "Carpentras"),
        ("013", "13200", "Arles"),
        ("084", "84000", "Avignon"),
    ],
    "01": [("971", "97100", "Basse-Terre"), ("971", "97160", "Le Moule"), ("971", "97170", "Petit-Bourg")],
    "02": [("972", "97200", "Fort-de-France"), ("972", "97230", "Sainte-Marie")],
    "03": [("973", "97300", "Cayenne"), ("973", "97320", "Saint-Laurent-du-Maroni")],
    "04": [("974", "97400", "Saint-Denis"), ("974", "97410", "Saint-Pierre"), ("974", "97460", "Saint-Paul")],
    "06": [("976", "97670", "Coconi"), ("976", "97600", "Mamoudzou")],
    "988": [("988", "98800", "Nouméa"), ("988", "98860", "Koné")],
    "987": [("987", "98714", "Papeete"), ("987", "98735", "Uturoa")],
    "986": [("986", "98600", "Mata-Utu")],
    "975": [("975", "97500", "Saint-Pierre")],
}

KINDS = [
    # (network, status, name pattern, weight)
    ("eplefpa", "public", "Lycée d'enseignement général et technologique agricole de {commune}", 2),
    ("eplefpa", "public", "Lycée professionnel agricole de {commune}", 2),
    ("cneap", "prive", "Lycée agricole privé Saint-Joseph de {commune}", 1),
    ("cneap", "prive", "Institut rural d'éducation et d'orientation de {commune}", 1),
    ("cneap", "prive", "Lycée technique agricole Notre-Dame de {commune}", 1),
    ("unrep", "prive", "Lycée privé rural de {commune}", 1),
    ("mfr", "prive", "Maison familiale rurale de {commune}", 4),
]

STREETS = [
    "route de la Gare",
    "rue des Écoles",
    "chemin des Vergers",
    "avenue de la République",
    "rue du Stade",
    "route de Paris",
    "allée des Tilleuls",
    "rue de la Mairie",
]


def _generated(region_code: str, count: int):
    communes = COMMUNES[region_code]
    rng = random.Random(f"hse-demo-{region_code}")
    kinds = [k for k in KINDS for _ in range(k[3])]
    used_names = set()
    per_department = {}
    for index in range(count):
        dept, postal, commune = communes[index % len(communes)]
        network, status, pattern, _weight = kinds[rng.randrange(len(kinds))]
        name = pattern.format(commune=commune)
        suffix = 2
        while name in used_names:
            name = f"{pattern.format(commune=commune)} — site {suffix}"
            suffix += 1
        used_names.add(name)
        per_department[dept] = per_department.get(dept, 0) + 1
        digits = f"{dept}{9000 + per_department[dept]:04d}"
        yield {
            "uai": make_uai(digits),
            "name": name,
            "address": f"{rng.randint(1, 60)} {rng.choice(STREETS)}",
            "postal_code": postal,
            "commune": commune,
            "department": dept,
            "status": status,
            "network": network,
            "phone": "",
            "email": "",
        }


def generated_count(region_code: str, scale: float) -> int:
    """Generated establishments of a region at ``scale`` (every region keeps at least one)."""
    return max(1, round(GENERATED_PER_REGION[region_code] * scale))


@transaction.atomic
def seed_establishments(scale: float = 1) -> dict:
    with REAL_DIRECTORY_EXTRACT.open("rb") as stream:
        report = import_directory(stream)
    regions = {r.code: r for r in Region.objects.all()}
    existing = set(Establishment.objects.values_list("uai", flat=True))
    new = []
    for code in GENERATED_PER_REGION:
        for values in _generated(code, generated_count(code, scale)):
            if values["uai"] not in existing:
                existing.add(values["uai"])
                new.append(Establishment(region=regions[code], sort_name=sort_key(values["name"]), **values))
    Establishment.objects.bulk_create(new, batch_size=2000)
    return {"real": report, "generated": len(new)}
