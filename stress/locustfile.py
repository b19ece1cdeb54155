"""The load mix of issue #8: 70% verify, 20% share pages, 9% passport pages, 1% awards.

Run by ``stress/run.py``, which seeds the data and writes it to the JSON file named by
``STRESS_PLAN``, and names in ``STRESS_TASKS`` the task types whose endpoints answered at
start-up (the others are left out of the mix and reported by the runner). Every request is
named by its route template, so the statistics are per request type.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from locust import HttpUser, TaskSet, constant

from stress.seed import StressPlan

PLAN = StressPlan.from_json(Path(os.environ["STRESS_PLAN"]).read_text(encoding="utf-8"))
ENABLED = set(os.environ.get("STRESS_TASKS", "verify,share,passport,awards").split(","))
WEIGHTS = {"verify": 70, "share": 20, "passport": 9, "awards": 1}
SESSION_COOKIE = "passport_session"
AWARDS_PATH = f"/api/v1/institutions/{PLAN.institution}/programs/{PLAN.program}/awards"

_credentials = itertools.cycle(PLAN.credentials or [""])
_numbers = itertools.count()


def verify(user: HttpUser) -> None:
    user.client.post(
        "/api/v1/verify",
        data=next(_credentials).encode(),
        headers={"Content-Type": "application/json"},
        name="POST /api/v1/verify",
    )


def share(user: HttpUser) -> None:
    for token in PLAN.share_tokens[:1]:
        user.client.get(f"/s/{token}", name="GET /s/{token}")


def passport(user: HttpUser) -> None:
    cookies = {SESSION_COOKIE: PLAN.session_token}
    user.client.get("/passport", cookies=cookies, name="GET /passport")
    for credential_id in PLAN.stored_credential_ids[:1]:
        path = f"/passport/credentials/{credential_id}"
        user.client.get(path, cookies=cookies, name="GET /passport/credentials/{id}")


def award(user: HttpUser) -> None:
    number = next(_numbers)
    user.client.post(
        AWARDS_PATH,
        json={"name": f"Load Learner {number}", "email": f"load{number}@example.ca"},
        headers={"Authorization": f"Bearer {PLAN.api_key}"},
        name="POST /api/v1/institutions/{slug}/programs/{program}/awards",
    )


TASKS: dict[str, Callable[[HttpUser], None]] = {
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


class Visitor(HttpUser):
    """A client that sends its next request as soon as the last one is answered."""

    wait_time = constant(0)
    tasks = weighted_tasks()
