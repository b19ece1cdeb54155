"""Hostile and broken search input, over HTTP: a clear answer or a 400 with the reason; never a
500, never the input echoed as markup."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

PROBLEM = "application/problem+json"
MARKUP = "<script>alert(1)</script>"


@pytest.fixture
def client(portal_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=portal_server, timeout=10) as opened:
        yield opened


def page_and_api(client: httpx.Client, **parameters: str) -> tuple[httpx.Response, httpx.Response]:
    return client.get("/programs", params=parameters), client.get(
        "/api/v1/programs", params=parameters
    )


def assert_plain_result(client: httpx.Client, query: str) -> dict[str, object]:
    page, api = page_and_api(client, q=query)
    assert page.status_code == 200, page.text
    assert api.status_code == 200, api.text
    body: dict[str, object] = api.json()
    assert isinstance(body["total"], int)
    return body


@pytest.mark.parametrize(
    "query",
    ['"', '""', "'", "it's", '"welding', "welding'"],
    ids=[
        "one-double-quote",
        "two-double-quotes",
        "one-single-quote",
        "apostrophe",
        "unbalanced-open",
        "unbalanced-close",
    ],
)
def test_quotes(client: httpx.Client, query: str) -> None:
    assert_plain_result(client, query)


@pytest.mark.parametrize(
    "query",
    ["'; DROP TABLE program; --", "1 OR 1=1", "welding' UNION SELECT * FROM signing_key --"],
    ids=["drop-table", "tautology", "union-select"],
)
def test_sql_fragments(client: httpx.Client, query: str) -> None:
    assert_plain_result(client, query)
    # The table is still there and still searchable.
    assert client.get("/api/v1/programs", params={"q": "welding"}).json()["total"] >= 1


@pytest.mark.parametrize(
    "query",
    [
        "NEAR(welding nurse)",
        "welding*",
        "*",
        "welding OR nurse",
        "NOT welding",
        "AND",
        "a:b",
        "name:welding",
        "^welding",
        "welding + -nurse",
        "(((",
        "!&|:*",
    ],
)
def test_full_text_search_syntax_is_only_words(client: httpx.Client, query: str) -> None:
    assert_plain_result(client, query)


def test_fts_operators_are_not_operators(client: httpx.Client) -> None:
    alone = client.get("/api/v1/programs", params={"q": "welding"}).json()["total"]
    starred = client.get("/api/v1/programs", params={"q": "welding*"}).json()["total"]
    assert starred == alone


def test_html_in_the_query_is_escaped_on_the_page(client: httpx.Client) -> None:
    page = client.get("/programs", params={"q": MARKUP})
    assert page.status_code == 200
    assert MARKUP not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_html_in_a_filter_value_is_escaped_on_the_page(client: httpx.Client) -> None:
    page = client.get("/programs", params={"region": MARKUP, "institution": MARKUP})
    assert page.status_code == 400
    assert MARKUP not in page.text


def test_emoji_and_other_scripts(client: httpx.Client) -> None:
    for query in ("🔥🧑‍🔧 welding 🔥", "焊接", "сварка", "\u202e\u200b", "\x00"):
        assert_plain_result(client, query)
    assert client.get("/api/v1/programs", params={"q": "🔥 welding"}).json()["total"] >= 1


def test_ten_thousand_characters_are_cut_with_a_note(client: httpx.Client) -> None:
    query = "welding " * 1250
    page, api = page_and_api(client, q=query)
    assert page.status_code == 200 and api.status_code == 200
    assert "query_shortened" in api.json()["notes"]
    assert "shortened to its first 200 characters" in page.text


def test_many_words_are_cut_with_a_note(client: httpx.Client) -> None:
    body = assert_plain_result(client, "a1 b2 c3 d4 e5 f6 g7 h8 i9 j10 welding")
    assert "query_words_dropped" in body["notes"]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("parameters", "reason"),
    [
        ({"mode": "teleportation"}, "mode must be one of"),
        ({"language": "de"}, "language must be one of"),
        ({"osap": "maybe"}, "osap must be one of"),
        ({"hours": "1-2"}, "hours must be one of"),
        ({"occupation": "welder"}, "is not a valid occupation"),
        ({"start": "next week"}, "start must be a month"),
        ({"institution": "Not A Slug!"}, "is not a valid institution"),
        ({"sector": "x" * 121}, "longer than 120 characters"),
        ({"min_hours": "-5"}, "min_hours must be a whole number"),
        ({"max_cost": "1e9"}, "max_cost must be a whole number"),
        ({"max_cost": "99999999"}, "max_cost must be from 0 to 1000000"),
    ],
)
def test_bogus_filter_values_are_a_400_with_the_reason(
    client: httpx.Client, parameters: dict[str, str], reason: str
) -> None:
    page, api = page_and_api(client, **parameters)
    assert page.status_code == 400
    assert reason in page.text
    assert api.status_code == 400
    assert api.headers["content-type"] == PROBLEM
    assert reason in api.json()["detail"]
    assert api.json()["code"] == "invalid_input"


def test_too_many_values_of_one_filter(client: httpx.Client) -> None:
    response = client.get("/api/v1/programs", params=[("region", f"r{n}") for n in range(21)])
    assert response.status_code == 400
    assert "at most 20 values of region" in response.json()["detail"]


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "99999999999", ""])
def test_bad_page_numbers_are_a_400(client: httpx.Client, value: str) -> None:
    response = client.get("/programs", params={"page": value})
    assert response.status_code == (200 if value == "" else 400)


def test_a_page_past_the_end_says_how_many_pages_there_are(client: httpx.Client) -> None:
    page = client.get("/programs", params={"page": "50"})
    assert page.status_code == 200
    assert "There is no page 50: the results have 2 pages." in page.text


@pytest.mark.parametrize(
    ("parameters", "reason"),
    [
        ({"limit": "0"}, "limit must be from 1 to 100"),
        ({"limit": "101"}, "limit must be from 1 to 100"),
        ({"offset": "-1"}, "offset must be a whole number"),
        ({"offset": "abc"}, "offset must be a whole number"),
    ],
)
def test_bad_limit_and_offset_are_a_400(
    client: httpx.Client, parameters: dict[str, str], reason: str
) -> None:
    response = client.get("/api/v1/programs", params=parameters)
    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_an_offset_past_the_end_is_an_empty_page_with_the_total(client: httpx.Client) -> None:
    body = client.get("/api/v1/programs", params={"offset": "1000"}).json()
    assert body["items"] == [] and body["total"] == 36 and body["offset"] == 1000


def test_unknown_programs_institutions_and_occupations_are_404(client: httpx.Client) -> None:
    for path in (
        "/programs/nowhere/nothing",
        "/programs/lakeshore-college/%3Cscript%3E",
        "/api/v1/programs/nowhere/nothing",
        "/institutions/nowhere",
        "/occupations/99999",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == PROBLEM
        assert "script" not in response.text
    assert client.get("/occupations/welder").status_code == 400


def test_a_long_job_title_is_cut_with_a_note(client: httpx.Client) -> None:
    page = client.get("/occupations", params={"q": "welder " * 2000})
    assert page.status_code == 200
    assert "shortened to its first 100 characters" in page.text
