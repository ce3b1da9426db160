"""The child process of the query fuzz tests: it serves requests to the portal, so a crash
inside the database engine takes down the child and not the test run.

``python -m tests.fuzz_child`` runs Django against the database ``DATABASE_URL`` names, a
database of its own: with ``--seed`` it migrates it and caches directory records and phones
whose names are hostile Unicode, through the cache services a sync uses. It logs in a Support
viewer, says ``{"ready": true, ...}``, then reads requests from stdin, one JSON object a line,
and writes one JSON answer a line to stdout: ``{"status": 200}``, with ``"error"`` (a
traceback) when a view raised and ``"body"`` when the request asked for it. A request
``{"die": "SIGSEGV"}`` makes it kill itself with that signal.

``tests.fuzz_harness`` starts and watches it from the test run.
"""

import json
import os
import signal
import sys
import traceback
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

# A search that crashed SQLite 3.40.1 (FTS5 trigram MATCH with short non-ASCII LIKE terms).
CRASH = ",。・:*:・゜\u2019( ☻ ω ☻ )。・:*:・゜\u2019"
VIEWER = "fuzz.viewer"

# Names the seeded records are made of. No NUL: PostgreSQL text cannot hold one.
HOSTILE_NAMES = [
    CRASH,
    "( ☻ ω ☻ )",
    "・:*:・゜\u2019" * 12,
    "Zoë Ångström",
    "Łukasz Żółć",
    "山田 太郎",
    "김민준",
    "Алексей Иванов",
    "محمد عبد الله",
    "דוד כהן",
    "👩\u200d👩\u200d👧\u200d👦 Family",
    "🏳️\u200d🌈 Pride",
    "👨🏽\u200d💻 Dev",
    "🇺🇸🇯🇵 1️⃣",
    "\u202eevil\u202c Corp",
    "\u2067RTL\u2069 isolate \u2066LTR\u2069",
    "\u200fmark\u200e \u202a\u202b\u202d",
    "Z̷̢͎a̵̖l̴̰g̸̟o̶̹",
    "e\u0301\u0301\u0301 a\u0308",
    "<script>alert(1)</script>",
    "Robert'); DROP TABLE phones_phone;--",
    '"NEAR(a b)" OR text:* ^x {text}: -y +z',
    "100% _under_ \\back\\ ;--",
    "\x01\x1f ctrl \x7f\x85\x9f",
    "\ufeffBOM \ufffe\uffff",
    "\U000f0000 private \ue000",
    "ω",
    "☻",
    "ab",
    "ー",
]
PERSON_IDS = [f"person-{i:03d}" + ("-☻ω" if i % 7 == 0 else "") for i in range(60)]
COMPANY_IDS = [f"company-{i:03d}" + ("\u202e" if i % 5 == 0 else "") for i in range(30)]
WORKSPACE_IDS = [f"workspace-{i:03d}" + (" NEAR(" if i % 4 == 0 else "") for i in range(20)]
PHONE_COUNT = 200


def _name(i: int, salt: int) -> str:
    first = HOSTILE_NAMES[(i * 7 + salt) % len(HOSTILE_NAMES)]
    second = HOSTILE_NAMES[(i * 11 + salt * 3) % len(HOSTILE_NAMES)]
    return f"{first} {second}"[:290]


def seed() -> int:
    """Cache the directory and the phones through the services a sync uses; return how many
    phones there are."""
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from phones.models import Phone
    from phones.services.cache import directory_upsert, phones_upsert
    from phones.upstream.records import (
        CompanyRecord,
        PersonRecord,
        PhoneRecord,
        WorkspaceRecord,
        WorkspaceRef,
    )

    base = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    directory_upsert(
        people=[
            PersonRecord(
                id=pid,
                full_name=_name(i, 1),
                email=f"{HOSTILE_NAMES[i % len(HOSTILE_NAMES)][:40]}@example.com",
                job_title=_name(i, 2),
            )
            for i, pid in enumerate(PERSON_IDS)
        ],
        companies=[
            CompanyRecord(id=cid, name=_name(i, 3), domain=f"{_name(i, 4)[:60]}.example")
            for i, cid in enumerate(COMPANY_IDS)
        ],
        workspaces=[
            WorkspaceRecord(id=wid, name=_name(i, 5), external_workspace_id=_name(i, 6)[:190])
            for i, wid in enumerate(WORKSPACE_IDS)
        ],
    )
    labels = [label.value for label in Phone.Label]
    phones = []
    for n in range(PHONE_COUNT):
        # Every tenth phone is British; a few have no creation time at all.
        cc, national = (44, f"7700900{n:03d}") if n % 10 == 0 else (1, f"415555{n:04d}")
        created = None if n % 41 == 0 else base + timedelta(hours=7 * n)
        phones.append(
            PhoneRecord(
                id=str(uuid.UUID(int=n + 1, version=4)),
                country_code=cc,
                national_number=national,
                e164_number=f"+{cc}{national}",
                label=labels[n % len(labels)],
                is_primary=n % 3 == 0,
                is_verified=n % 4 == 0,
                created_at=created,
                updated_at=created,
                person_ids=[PERSON_IDS[(n * k) % len(PERSON_IDS)] for k in range(n % 4)],
                company_ids=[COMPANY_IDS[(n + k) % len(COMPANY_IDS)] for k in range(n % 3)],
                workspaces=[
                    WorkspaceRef(id=WORKSPACE_IDS[(n * 3 + k) % len(WORKSPACE_IDS)])
                    for k in range(n % 3)
                ],
            )
        )
    phones_upsert(phones=phones, fetched_at=timezone.now())
    viewer = User.objects.create_user(username=VIEWER)  # logged in with force_login
    viewer.groups.add(Group.objects.get(name="Support viewers"))
    return Phone.objects.count()


def serve(client: Any, request: dict[str, Any]) -> dict[str, Any]:
    """One GET request through the test client, its body read to the end (an export runs its
    query while it streams)."""
    if "die" in request:
        # How the harness proves it notices a dead child: the child kills itself.
        os.kill(os.getpid(), signal.Signals[request["die"]])
    headers = request.get("headers") or {}
    try:
        if "raw_query" in request:
            response = client.get(f"{request['path']}?{request['raw_query']}", headers=headers)
        else:
            response = client.get(
                request["path"], query_params=request.get("query") or {}, headers=headers
            )
        body = b"".join(response.streaming_content) if response.streaming else response.content
    except Exception:
        return {"status": 500, "error": traceback.format_exc()}
    answer: dict[str, Any] = {"status": response.status_code}
    if request.get("body"):
        answer["body"] = body.decode("utf-8", "replace")
    return answer


def main() -> None:
    # Only answers go to stdout; anything else printed lands in the child's log.
    answers: TextIO = sys.stdout
    sys.stdout = sys.stderr
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellui.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    phones = None
    if "--seed" in sys.argv:
        call_command("migrate", interactive=False, verbosity=0)
        phones = seed()
    client = Client()
    client.force_login(User.objects.get(username=VIEWER))
    answers.write(json.dumps({"ready": True, "phones": phones}) + "\n")
    answers.flush()
    for line in sys.stdin:
        answers.write(json.dumps(serve(client, json.loads(line))) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
