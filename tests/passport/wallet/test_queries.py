"""No N+1: the passport page and a share page issue as many queries for 200 credentials as for
10 (the benchmark's harness, bench/passport_pages.py, counts them), and no more than each page
needs (issue #19: on a busy machine each round trip is a wait for a core)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.passport_pages import Rendered, Seeded, build, render


@pytest.fixture(scope="module")
def passports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Seeded]]:
    built = {
        count: build(tmp_path_factory.mktemp(f"queries{count}"), count, "eddsa-jcs-2022")
        for count in (10, 200)
    }
    yield built
    for seeded in built.values():
        seeded.app.state.engine.dispose()


def rendered(seeded: Seeded, path: str, *, cold: bool) -> Rendered:
    """The second of two views: the first may re-read, as it should every five minutes, which
    DIDs and base URLs are ours (``passport.own_documents.OURS_TTL_SECONDS``), and on a slow
    machine the module's passports can be that old when a test starts."""
    render(seeded, path, cold=cold)
    return render(seeded, path, cold=cold)


@pytest.mark.parametrize("cold", [True, False], ids=["cold", "warm"])
def test_passport_page_queries_do_not_grow_with_credentials(
    passports: dict[int, Seeded], cold: bool
) -> None:
    small, large = (rendered(passports[n], "/passport", cold=cold) for n in (10, 200))
    assert small.status == large.status == 200
    assert large.body.count('class="timeline-entry"') == 200
    assert small.queries == large.queries
    assert large.queries <= 2  # the learner with collections; the credentials with our revision


@pytest.mark.parametrize("cold", [True, False], ids=["cold", "warm"])
def test_share_page_queries_do_not_grow_with_credentials(
    passports: dict[int, Seeded], cold: bool
) -> None:
    small, large = (
        rendered(passports[n], f"/s/{passports[n].share_token}", cold=cold) for n in (10, 200)
    )
    assert small.status == large.status == 200
    assert large.body.count('class="shared-credential"') == 200
    assert small.queries == large.queries
    assert large.queries <= 2  # the counted view; the credentials with our revision and marks
