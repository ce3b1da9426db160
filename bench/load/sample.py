"""What the simulated staff of a load test search for, read from the portal's cache through
Django's connection (the same code on SQLite and PostgreSQL).

``python -m bench.load.run`` runs it in ``manage.py shell`` with the portal's own settings:

    from bench.load.sample import cache_sample_write; cache_sample_write()
"""

import json
import os
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef

from phones.models import Company, Person, Phone, PhonePerson, Workspace

# Names the load test reads the cache's row counts under.
COUNTED = {"phone": Phone, "person": Person, "company": Company, "workspace": Workspace}


def picker_prefixes(names: list[str]) -> list[str]:
    """What staff type into a picker: the first 3 to 5 letters of a name's first word."""
    words = [name.split()[0].lower() for name in names if name.strip()]
    return sorted({word[: 3 + i % 3] for i, word in enumerate(words) if len(word) >= 3})


def cache_sample() -> tuple[dict[str, Any], dict[str, int]]:
    """Numbers, surnames, ids and picker terms from the cache for the simulated staff, and
    the row counts of the cache."""
    numbers = Phone.objects.filter(deleted_at__isnull=True).order_by("?")
    linked = Exists(PhonePerson.objects.filter(person=OuterRef("pk")))
    # The distinct surnames come first; a random order over DISTINCT is not portable SQL.
    surnames = Person.objects.filter(linked).exclude(last_name="").order_by("?")
    distinct_surnames = list(dict.fromkeys(surnames.values_list("last_name", flat=True)[:5000]))
    company_names = list(Company.objects.order_by("?").values_list("name", flat=True)[:200])
    workspace_names = list(Workspace.objects.values_list("name", flat=True))
    data = {
        "numbers": list(numbers.values_list("e164_number", flat=True)[:1000]),
        "surnames": distinct_surnames[:500],
        "people": list(Person.objects.order_by("?").values_list("id", flat=True)[:500]),
        "companies": list(Company.objects.order_by("?").values_list("id", flat=True)[:500]),
        "workspaces": list(Workspace.objects.values_list("id", flat=True)),
        "picker_terms": {
            "people": picker_prefixes(distinct_surnames[:500]),
            "companies": picker_prefixes(company_names),
            "workspaces": picker_prefixes(workspace_names),
        },
    }
    counts = {name: model._default_manager.count() for name, model in COUNTED.items()}
    return data, counts


def database_version() -> tuple[str, str]:
    """The database the portal uses: its product ("SQLite", "PostgreSQL") and version."""
    version = ".".join(str(part) for part in connection.get_database_version())
    return connection.display_name, version


def cache_sample_write() -> None:
    """Write ``cache_sample()`` and ``database_version()`` as JSON to the file named by
    ``WELLUI_LOAD_SAMPLE``."""
    data, counts = cache_sample()
    vendor, version = database_version()
    sample = {"data": data, "counts": counts, "vendor": vendor, "version": version}
    Path(os.environ["WELLUI_LOAD_SAMPLE"]).write_text(json.dumps(sample))
