"""Word lists for the benchmark data: names, companies, workspaces and number plans."""

from typing import TypedDict


class Country(TypedDict):
    """One country of the generated directory: its calling code, its share of the records
    (percent), and the words its records are made of."""

    code: int
    share: int
    tld: str
    locale: str
    suffixes: tuple[str, ...]
    first: tuple[str, ...]
    last: tuple[str, ...]


# fmt: off
# Per country: calling code, share of phones, name lists, company suffixes, top-level domain.
COUNTRIES: dict[str, Country] = {
    "US": {
        "code": 1,
        "share": 40,
        "tld": "com",
        "locale": "en-US",
        "suffixes": ("Inc.", "LLC", "Corp.", "Group", "Partners"),
        "first": (
            "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
            "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
            "Thomas", "Sarah", "Christopher", "Karen", "Daniel", "Lisa", "Matthew", "Nancy",
            "Anthony", "Betty", "Mark", "Sandra", "Steven", "Ashley", "Andrew", "Kimberly",
            "Joshua", "Emily", "Kevin", "Donna", "Brian", "Michelle", "Ryan", "Amanda",
        ),
        "last": (
            "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
            "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
            "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
            "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
            "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
            "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
            "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker",
            "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy",
            "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey",
            "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson",
            "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz",
            "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long",
        ),
    },
    "GB": {
        "code": 44,
        "share": 20,
        "tld": "co.uk",
        "locale": "en-GB",
        "suffixes": ("Ltd", "PLC", "LLP", "Group", "& Co"),
        "first": (
            "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Charlie",
            "Ivy", "Thomas", "Lily", "Oscar", "Freya", "William", "Florence", "Alfie", "Poppy",
            "Arthur", "Grace", "Henry", "Sophie", "Archie", "Evie", "Theo", "Rosie", "Alexander",
            "Emily", "Edward", "Phoebe", "Joshua", "Imogen", "Samuel", "Harriet", "Daniel",
        ),
        "last": (
            "Taylor", "Davies", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Robinson",
            "Thompson", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis",
            "Martin", "Jackson", "Clarke", "Clark", "Turner", "Hill", "Scott", "Cooper",
            "Morris", "Ward", "Moore", "King", "Watson", "Baker", "Harrison", "Morgan",
            "Patel", "Young", "Allen", "Mitchell", "James", "Anderson", "Phillips", "Lee",
            "Bell", "Parker", "Bennett", "Shaw", "Cook", "Griffiths", "Richardson", "Carter",
            "Marshall", "Bailey", "Collins", "Chapman", "Ellis", "Webb", "Murray", "Palmer",
            "Lloyd", "Russell", "Holmes", "Mason", "Fletcher", "Knight", "Hunt", "Pearson",
            "Barnes", "Fox", "Gibson", "Kennedy", "Mills", "Owen", "Rees", "Spencer",
        ),
    },
    "IT": {
        "code": 39,
        "share": 15,
        "tld": "it",
        "locale": "it",
        "suffixes": ("S.r.l.", "S.p.A.", "S.n.c.", "S.a.s.", "Group"),
        "first": (
            "Giulia", "Francesco", "Sofia", "Alessandro", "Aurora", "Lorenzo", "Ginevra",
            "Mattia", "Alice", "Leonardo", "Emma", "Andrea", "Giorgia", "Gabriele", "Beatrice",
            "Riccardo", "Chiara", "Tommaso", "Martina", "Davide", "Anna", "Federico", "Sara",
            "Marco", "Francesca", "Luca", "Elena", "Matteo", "Valentina", "Simone", "Silvia",
        ),
        "last": (
            "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa",
            "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro",
            "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo",
            "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis",
            "D'Angelo", "Marchetti", "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri",
            "Bianco", "Marini", "Grasso", "Valentini", "Messina", "Sala", "De Angelis",
            "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina", "Rizzi", "Monti", "Cattaneo",
        ),
    },
    "FR": {
        "code": 33,
        "share": 12,
        "tld": "fr",
        "locale": "fr",
        "suffixes": ("SA", "SARL", "SAS", "Groupe", "& Associés"),
        "first": (
            "Gabriel", "Jade", "Léo", "Louise", "Raphaël", "Emma", "Arthur", "Ambre", "Louis",
            "Alice", "Lucas", "Rose", "Adam", "Anna", "Jules", "Mia", "Hugo", "Léna", "Maël",
            "Chloé", "Nathan", "Camille", "Paul", "Inès", "Victor", "Manon", "Théo", "Zoé",
        ),
        "last": (
            "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
            "Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David",
            "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
            "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc",
            "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier",
            "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu",
            "Gautier", "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire",
        ),
    },
    "DE": {
        "code": 49,
        "share": 13,
        "tld": "de",
        "locale": "de",
        "suffixes": ("GmbH", "AG", "KG", "GmbH & Co. KG", "Gruppe"),
        "first": (
            "Noah", "Emilia", "Ben", "Hannah", "Matteo", "Emma", "Finn", "Sofia", "Leon", "Mia",
            "Elias", "Lina", "Paul", "Mila", "Henry", "Ella", "Luis", "Leni", "Felix", "Clara",
            "Jonas", "Marie", "Lukas", "Lea", "Maximilian", "Laura", "Tobias", "Katharina",
        ),
        "last": (
            "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
            "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
            "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann",
            "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer",
            "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung",
            "Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger",
        ),
    },
}

# National significant number plans per country: (prefixes, total digits). Every number drawn
# from them is one phonenumbers accepts as valid; Italian fixed lines keep their leading 0.
# fmt: off
NUMBER_PLANS: dict[str, list[tuple[tuple[str, ...], int]]] = {
    "US": [(
        ("201", "202", "206", "212", "213", "303", "305", "312", "404", "415", "425", "469",
         "480", "503", "512", "602", "617", "619", "646", "650", "702", "704", "713", "718",
         "720", "773", "786", "801", "808", "813", "818", "858", "914", "917", "929", "949"),
        10,
    )],
    "GB": [
        (("740", "745", "750", "755", "771", "775", "780", "785", "790", "795", "798"), 10),
        (("2030", "2070", "2074", "2078", "2079", "2080", "2085"), 10),
    ],
    "IT": [
        (("320", "328", "333", "338", "340", "347", "349", "366", "380", "389", "392"), 10),
        (("02", "06"), 10),
    ],
    "FR": [(("12", "14", "42", "47", "61", "62", "66", "67", "75", "77", "78"), 9)],
    "DE": [
        (("151", "152", "160", "162", "170", "171", "172", "175", "176", "177", "179"), 11),
        (("30", "40", "89"), 10),
    ],
}
# fmt: on

JOB_TITLES = (
    "Account Executive", "Sales Manager", "Marketing Lead", "Office Manager", "CFO", "CTO",
    "Operations Analyst", "Customer Success Manager", "Procurement Officer", "Legal Counsel",
    "Product Manager", "Support Engineer", "Founder", "HR Partner", "Finance Controller",
    "Head of Partnerships", "Data Analyst", "Recruiter", "Buyer", "Managing Director",
)  # fmt: skip

MAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "gmx.de", "libero.it")

COMPANY_WORDS = (
    "Blue", "River", "North", "Summit", "Bright", "Harbor", "Iron", "Silver", "Oak", "Cedar",
    "Apex", "Nova", "Vertex", "Atlas", "Orion", "Delta", "Pioneer", "Granite", "Crescent",
    "Meridian", "Beacon", "Horizon", "Keystone", "Lakeside", "Redwood", "Sterling", "Willow",
    "Falcon", "Evergreen", "Liberty", "Quantum", "Cobalt", "Maple", "Coral", "Alpine",
)  # fmt: skip

COMPANY_TRADES = (
    "Logistics", "Systems", "Consulting", "Foods", "Health", "Analytics", "Energy", "Labs",
    "Motors", "Media", "Capital", "Software", "Textiles", "Pharma", "Robotics", "Design",
    "Insurance", "Realty", "Freight", "Studios", "Networks", "Dynamics", "Solutions", "Works",
)  # fmt: skip

WORKSPACE_TEAMS = (
    "Sales", "Support", "Marketing", "Finance", "Operations", "Partnerships", "Recruiting",
    "Legal", "Customer Success", "Procurement",
)  # fmt: skip

WORKSPACE_REGIONS = (
    "EMEA", "North America", "UK & Ireland", "DACH", "France", "Italy", "Benelux", "Nordics",
    "APAC", "LATAM",
)  # fmt: skip

WORKSPACE_COLORS = ("#FF6B35", "#4A90E2", "#7ED321", "#9013FE", "#F5A623", "#50E3C2")
