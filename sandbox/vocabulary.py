"""Word lists for generated names."""

from __future__ import annotations

FIRST_NAMES = (
    "John", "Maria", "Giulia", "Luca", "Sophie", "Lucas", "Emma", "Noah", "Olivia", "Liam",
    "Chloé", "Hugo", "Anna", "Jonas", "Lea", "Ben", "Amelia", "Oliver", "Isla", "George",
    "Francesca", "Marco", "Camille", "Louis", "Mia", "Elias", "Aisha", "Omar", "Priya",
    "Arjun", "Mei", "Wei", "Sofia", "Mateo", "Hannah", "Paul", "Zoe", "Ethan", "Nora", "Sean",
)  # fmt: skip

LAST_NAMES = (
    "Doe", "Smith", "Johnson", "Brown", "Rossi", "Russo", "Bianchi", "Martin", "Bernard",
    "Dubois", "Müller", "Schmidt", "Schneider", "Fischer", "Taylor", "Wilson", "Davies",
    "Evans", "Garcia", "Lopez", "Ferrari", "Esposito", "Moreau", "Laurent", "Weber", "Wagner",
    "Khan", "Patel", "Chen", "Wang", "Kim", "Nguyen", "O'Brien", "Murphy", "Silva", "Costa",
    "Novak", "Kowalski", "Jensen", "Berg",
)  # fmt: skip

JOB_TITLES = (
    "Account Executive", "Sales Manager", "Marketing Lead", "Office Manager", "CFO", "CTO",
    "Operations Analyst", "Customer Success Manager", "Procurement Officer", "Legal Counsel",
    "Product Manager", "Support Engineer", "Founder", "HR Partner", "Finance Controller",
)  # fmt: skip

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

COMPANY_WORDS = (
    "Northwind", "Blue Harbor", "Silverline", "Greenfield", "Redwood", "Brightpath", "Ironbridge",
    "Lakeside", "Summit", "Oakridge", "Starlight", "Riverstone", "Evergreen", "Sunrise",
    "Granite", "Harborview", "Maplewood", "Crescent", "Pinecrest", "Clearwater",
)  # fmt: skip

COMPANY_NOUNS = (
    "Logistics", "Analytics", "Foods", "Energy", "Health", "Media", "Robotics", "Finance",
    "Travel", "Textiles", "Software", "Consulting", "Pharma", "Motors", "Studios", "Labs",
)  # fmt: skip

COMPANY_SUFFIXES = ("Ltd", "GmbH", "S.p.A.", "SAS", "Inc.", "LLC", "BV", "AG")

LOCALES = ("en", "fr", "it", "de", "es", "nl")

TEAMS = (
    "Sales", "Marketing", "Support", "Finance", "Operations", "Legal", "Engineering",
    "Partners", "Procurement", "Success", "Research", "Field Sales", "Inside Sales",
    "Onboarding", "Renewals", "Enterprise", "SMB", "Channel", "Events", "Recruiting",
)  # fmt: skip

AVATAR_COLORS = (
    "#FF6B35", "#4A90E2", "#7ED321", "#F5A623", "#9013FE", "#50E3C2", "#D0021B", "#417505",
)  # fmt: skip
