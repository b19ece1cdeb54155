"""The load mix of issue #8: 70% verify, 20% share pages, 9% passport pages, 1% awards; and the
abuse mix of issue #13 beside it: ``STRESS_ABUSERS`` clients (default 8) of their own that send
verifications of credentials whose issuer and keys sit on a slow host (``STRESS_SLOW_ORIGIN``, new
URLs each time; 6 in 10), hostile JSON (a 5,000-digit integer; 2) and oversized bodies (2). An
abusive request counts as an error only when its answer is not the designed one (400, 413; 200
or a counted 503 for slow keys); a shed one is reported under its own name.

The clients are locust's ``FastHttpUser`` (geventhttpclient): locust runs on the same two
cores as the app and PostgreSQL, and its default ``HttpUser`` (requests) spent about 2 ms of
CPU per request there, a quarter of what a request cost the app, which the app's figures then
paid.

Run by ``stress/run.py``, which seeds the data and writes it to the JSON file named by
``STRESS_PLAN``, and names in ``STRESS_TASKS`` the task types whose endpoints answered at
start-up (the others are left out of the mix and reported by the runner). Every request is
named by its route template, so the statistics are per request type.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from locust import FastHttpUser, TaskSet, constant

from stress.seed import StressPlan

PLAN = StressPlan.from_json(Path(os.environ["STRESS_PLAN"]).read_text(encoding="utf-8"))
ENABLED = set(os.environ.get("STRESS_TASKS", "verify,share,passport,awards,abuse").split(","))
WEIGHTS = {"verify": 70, "share": 20, "passport": 9, "awards": 1}
ABUSERS = int(os.environ.get("STRESS_ABUSERS", "8"))
SLOW_ORIGIN = os.environ.get("STRESS_SLOW_ORIGIN", "http://127.0.0.1:9")
ABUSE = "(abuse)"
HOSTILE_JSON = '{"n": ' + "9" * 5000 + "}"
OVERSIZED = '{"a": "' + "x" * (2 * 1024 * 1024) + '"}'
SESSION_COOKIE = "passport_session"
AWARDS_PATH = f"/api/v1/institutions/{PLAN.institution}/programs/{PLAN.program}/awards"

_credentials = itertools.cycle(PLAN.credentials or [""])
_numbers = itertools.count()


def verify(user: FastHttpUser) -> None:
    user.client.post(
        "/api/v1/verify",
        data=next(_credentials),
        headers={"Content-Type": "application/json"},
        name="POST /api/v1/verify",
    )


def share(user: FastHttpUser) -> None:
    for token in PLAN.share_tokens[:1]:
        user.client.get(f"/s/{token}", name="GET /s/{token}")


def passport(user: FastHttpUser) -> None:
    cookie = {"Cookie": f"{SESSION_COOKIE}={PLAN.session_token}"}
    user.client.get("/passport", headers=cookie, name="GET /passport")
    for credential_id in PLAN.stored_credential_ids[:1]:
        path = f"/passport/credentials/{credential_id}"
        user.client.get(path, headers=cookie, name="GET /passport/credentials/{id}")


def award(user: FastHttpUser) -> None:
    number = next(_numbers)
    user.client.post(
        AWARDS_PATH,
        json={"name": f"Load Learner {number}", "email": f"load{number}@example.ca"},
        headers={"Authorization": f"Bearer {PLAN.api_key}"},
        name="POST /api/v1/institutions/{slug}/programs/{program}/awards",
    )


def _slow_key_credential(number: int) -> str:
    """A credential whose issuer, and so its 8 proofs' keys, sit on the slow host, under a new
    URL each time so no cache helps. Keys outside the issuer's own document are refused before
    any fetch (issue 12's key binding), so this is the most a verification can be made to wait
    for: the one controller document of its issuer."""
    document = json.loads(next(_credentials))
    issuer = f"{SLOW_ORIGIN}/issuers/{number}"
    if isinstance(document["issuer"], dict):
        document["issuer"]["id"] = issuer
    else:
        document["issuer"] = issuer
    proofs = document["proof"] if isinstance(document["proof"], list) else [document["proof"]]
    document["proof"] = [
        {**copy.deepcopy(proof), "verificationMethod": f"{issuer}#key-{n}"}
        for n, proof in enumerate(proofs * 8)
    ][:8]
    return json.dumps(document)


def _abusive(user: FastHttpUser, name: str, body: str, designed: tuple[int, ...]) -> None:
    headers = {"Content-Type": "application/json"}
    with user.client.post(
        "/api/v1/verify", data=body, headers=headers, name=name, catch_response=True
    ) as response:
        if response.status_code == 503 and response.headers.get("Retry-After"):
            response.request_meta["name"] = f"{name}: shed 503"
            response.success()
        elif response.status_code in designed:
            response.success()
        else:
            response.failure(f"answered {response.status_code}")


def abuse(user: FastHttpUser) -> None:
    """One abusive request: slow keys (6 in 10), hostile JSON (2), an oversized body (2)."""
    number = next(_numbers)
    if number % 10 < 6:
        body = _slow_key_credential(number)
        _abusive(user, f"POST /api/v1/verify {ABUSE} slow keys", body, (200,))
    elif number % 10 < 8:
        _abusive(user, f"POST /api/v1/verify {ABUSE} hostile JSON", HOSTILE_JSON, (400,))
    else:
        _abusive(user, f"POST /api/v1/verify {ABUSE} oversized", OVERSIZED, (413,))


TASKS: dict[str, Callable[[FastHttpUser], None]] = {
    "verify": verify,
    "share": share,
    "passport": passport,
    "awards": award,
}


def weighted_tasks() -> list[TaskSet | Callable[..., Any]]:
    """Each enabled task repeated by its weight (locust picks uniformly from the list)."""
    return [
        TASKS[kind] for kind, weight in WEIGHTS.items() if kind in ENABLED for _ in range(weight)
    ]


class Visitor(FastHttpUser):
    """A client that sends its next request as soon as the last one is answered."""

    wait_time = constant(0)
    tasks = weighted_tasks()


class Abuser(FastHttpUser):
    """An attacker's client, as eager as a visitor; there are ``STRESS_ABUSERS`` of them."""

    abstract = ABUSERS == 0 or "abuse" not in ENABLED  # locust spawns no abstract user
    fixed_count = ABUSERS
    wait_time = constant(0)
    tasks = [abuse]  # noqa: RUF012  (locust reads the class attribute)
