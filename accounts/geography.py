"""Departments (as written in a UAI: three digits) and the region code (INSEE, or territory code for the
overseas collectivities) each one belongs to."""

REGION_DEPARTMENTS = {
    "84": {
        "001": "Ain",
        "003": "Allier",
        "007": "Ardèche",
        "015": "Cantal",
        "026": "Drôme",
        "038": "Isère",
        "042": "Loire",
        "043": "Haute-Loire",
        "063": "Puy-de-Dôme",
        "069": "Rhône",
        "073": "Savoie",
        "074": "Haute-Savoie",
    },
    "27": {
        "021": "Côte-d'Or",
        "025": "Doubs",
        "039": "Jura",
        "058": "Nièvre",
        "070": "Haute-Saône",
        "071": "Saône-et-Loire",
        "089": "Yonne",
        "090": "Territoire de Belfort",
    },
    "53": {"022": "Côtes-d'Armor", "029": "Finistère", "035": "Ille-et-Vilaine", "056": "Morbihan"},
    "24": {
        "018": "Cher",
        "028": "Eure-et-Loir",
        "036": "Indre",
        "037": "Indre-et-Loire",
        "041": "Loir-et-Cher",
        "045": "Loiret",
    },
    "94": {"620": "Corse-du-Sud", "720": "Haute-Corse"},
    "44": {
        "008": "Ardennes",
        "010": "Aube",
        "051": "Marne",
        "052": "Haute-Marne",
        "054": "Meurthe-et-Moselle",
        "055": "Meuse",
        "057": "Moselle",
        "067": "Bas-Rhin",
        "068": "Haut-Rhin",
        "088": "Vosges",
    },
    "32": {"002": "Aisne", "059": "Nord", "060": "Oise", "062": "Pas-de-Calais", "080": "Somme"},
    "11": {
        "075": "Paris",
        "077": "Seine-et-Marne",
        "078": "Yvelines",
        "091": "Essonne",
        "092": "Hauts-de-Seine",
        "093": "Seine-Saint-Denis",
        "094": "Val-de-Marne",
        "095": "Val-d'Oise",
    },
    "28": {"014": "Calvados", "027": "Eure", "050": "Manche", "061": "Orne", "076": "Seine-Maritime"},
    "75": {
        "016": "Charente",
        "017": "Charente-Maritime",
        "019": "Corrèze",
        "023": "Creuse",
        "024": "Dordogne",
        "033": "Gironde",
        "040": "Landes",
        "047": "Lot-et-Garonne",
        "064": "Pyrénées-Atlantiques",
        "079": "Deux-Sèvres",
        "086": "Vienne",
        "087": "Haute-Vienne",
    },
    "76": {
        "009": "Ariège",
        "011": "Aude",
        "012": "Aveyron",
        "030": "Gard",
        "031": "Haute-Garonne",
        "032": "Gers",
        "034": "Hérault",
        "046": "Lot",
        "048": "Lozère",
        "065": "Hautes-Pyrénées",
        "066": "Pyrénées-Orientales",
        "081": "Tarn",
        "082": "Tarn-et-Garonne",
    },
    "52": {
        "044": "Loire-Atlantique",
        "049": "Maine-et-Loire",
        "053": "Mayenne",
        "072": "Sarthe",
        "085": "Vendée",
    },
    "93": {
        "004": "Alpes-de-Haute-Provence",
        "005": "Hautes-Alpes",
        "006": "Alpes-Maritimes",
        "013": "Bouches-du-Rhône",
        "083": "Var",
        "084": "Vaucluse",
    },
    "01": {"971": "Guadeloupe"},
    "02": {"972": "Martinique"},
    "03": {"973": "Guyane"},
    "04": {"974": "La Réunion"},
    "06": {"976": "Mayotte"},
    "975": {"975": "Saint-Pierre-et-Miquelon"},
    "986": {"986": "Wallis-et-Futuna"},
    "987": {"987": "Polynésie française"},
    "988": {"988": "Nouvelle-Calédonie"},
}

DEPARTMENTS = {dept: name for depts in REGION_DEPARTMENTS.values() for dept, name in depts.items()}
DEPARTMENT_REGION = {dept: region for region, depts in REGION_DEPARTMENTS.items() for dept in depts}

# The open-data directory writes Corse's departments with letters.
_DIRECTORY_ALIASES = {"02A": "620", "2A": "620", "02B": "720", "2B": "720"}


def normalize_department(code: str) -> str:
    code = (code or "").strip().upper()
    if code in _DIRECTORY_ALIASES:
        return _DIRECTORY_ALIASES[code]
    return code.zfill(3) if code.isdigit() else code
