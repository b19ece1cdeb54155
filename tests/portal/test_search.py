"""Search over the demonstration catalog, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from issuers.tables import Program
from portal.search import SearchResult, parse_search_request, search
from portal.search_index import rebuild_index, reindex_program
from portal.tables import ProgramFacet, SearchTerm
from portal.text import fold


def run(session: Session, *parameters: tuple[str, str], lang: str = "en") -> SearchResult:
    return search(session, parse_search_request(list(parameters)), lang=lang)


def slugs(result: SearchResult) -> list[str]:
    return [hit.program.slug for hit in result.hits]


def program(session: Session, slug: str) -> Program:
    return session.exec(select(Program).where(Program.slug == slug)).one()


def test_accents_do_not_matter_either_way(catalog_session: Session) -> None:
    for query in ("electricite du batiment", "Électricité du bâtiment", "ÉLECTRICITÉ"):
        assert slugs(run(catalog_session, ("q", query)))[0] == "electricite-batiment-code"
    assert "heat-pump-installation" in slugs(run(catalog_session, ("q", "thermopompe")))


def test_french_and_english_words_find_the_same_bilingual_program(
    catalog_session: Session,
) -> None:
    assert slugs(run(catalog_session, ("q", "soudage")))[0] == "industrial-welding-gmaw"
    assert slugs(run(catalog_session, ("q", "welding")))[0] == "industrial-welding-gmaw"


@pytest.mark.parametrize(
    ("typo", "meant", "expected"),
    [
        ("nurce", "nurse", "dementia-care-for-psws"),  # substitution
        ("weldng", "welding", "industrial-welding-gmaw"),  # deletion
        ("pythno", "python", "python-for-data-analysis"),  # transposition
        ("cybersecurrity", "cybersecurity", "cybersecurity-operations"),  # insertion
    ],
)
def test_a_one_letter_typo_is_corrected(
    catalog_session: Session, typo: str, meant: str, expected: str
) -> None:
    result = run(catalog_session, ("q", typo))
    assert expected in slugs(result)
    assert [(word.word, meant in word.alternatives) for word in result.corrections] == [
        (typo, True)
    ]


def test_two_typos_in_one_word_are_not_guessed(catalog_session: Session) -> None:
    result = run(catalog_session, ("q", "nrcee"))
    assert result.total == 0
    assert not result.corrections


def test_job_titles_and_noc_codes_find_programs(catalog_session: Session) -> None:
    assert "dementia-care-for-psws" in slugs(run(catalog_session, ("q", "personal support worker")))
    assert slugs(run(catalog_session, ("q", "72106"))) == ["industrial-welding-gmaw"]


def test_a_name_match_ranks_above_a_mention_in_a_description(catalog_session: Session) -> None:
    ranked = slugs(run(catalog_session, ("q", "data")))
    assert ranked.index("python-for-data-analysis") < ranked.index("precision-agriculture")
    assert ranked[0] in {"python-for-data-analysis", "clinical-data-analytics"}


def test_filters_combine_and_counts_stay_disjunctive(catalog_session: Session) -> None:
    everything = run(catalog_session)
    online = run(catalog_session, ("mode", "online"))
    assert 0 < online.total < everything.total
    assert all(hit.program.delivery_mode == "online" for hit in online.hits)
    modes = {count.value: count for count in online.facets["mode"]}
    # Choosing "online" still shows how many programs the other modes have.
    assert modes["online"].selected and modes["online"].count == online.total
    assert modes["hybrid"].count == run(catalog_session, ("mode", "hybrid")).total
    either = run(catalog_session, ("mode", "online"), ("mode", "hybrid"))
    assert either.total == modes["online"].count + modes["hybrid"].count
    french_online = run(catalog_session, ("mode", "online"), ("language", "fr"), ("osap", "yes"))
    assert all(
        hit.program.osap_eligible and "fr" in hit.program.languages for hit in french_online.hits
    )
    assert french_online.total < online.total


def test_every_filter_of_the_issue_narrows_the_catalog(catalog_session: Session) -> None:
    total = run(catalog_session).total
    for name, value in [
        ("hours", "120-"),
        ("weeks", "0-4"),
        ("cost", "free"),
        ("start", "2027-01"),
        ("sector", "health-care"),
        ("occupation", "42202"),
        ("institution", "lakeshore-college"),
        ("region", "Northern Ontario"),
        ("kind", "indigenous_institute"),
        ("skill", "use Python"),
        ("language", "en"),
        ("osap", "no"),
        ("mode", "work_integrated"),
    ]:
        narrowed = run(catalog_session, (name, value))
        counted = {count.value: count.count for count in narrowed.facets[name]}
        assert 0 < narrowed.total < total, name
        assert counted[value] == narrowed.total, name


def test_ranges_in_hours_weeks_and_dollars(catalog_session: Session) -> None:
    result = run(catalog_session, ("min_hours", "40"), ("max_hours", "60"), ("max_cost", "1000"))
    assert result.total > 0
    for hit in result.hits:
        assert 40 <= hit.program.hours <= 60
        assert hit.program.price_cents is not None and hit.program.price_cents <= 100_000
    short = run(catalog_session, ("max_weeks", "4"))
    assert all(hit.program.weeks is not None and hit.program.weeks <= 4 for hit in short.hits)


def test_without_words_programs_come_by_name_in_the_page_language(
    catalog_session: Session,
) -> None:
    english = [
        hit.program.name_en or hit.program.name_fr or "" for hit in run(catalog_session).hits
    ]
    assert english == sorted(english, key=fold)  # case and accents aside
    french = run(catalog_session, lang="fr").hits
    names = [hit.program.name_fr or hit.program.name_en or "" for hit in french]
    assert names == sorted(names, key=fold)
    assert names.index("Électricité du bâtiment : Code de sécurité") < names.index(
        "Fondements de l'infonuagique"
    )


def test_pages_split_the_results_without_overlap(catalog_session: Session) -> None:
    first, second = run(catalog_session), run(catalog_session, ("page", "2"))
    assert first.total == second.total > 20
    assert len(first.hits) == 20 and len(second.hits) == first.total - 20
    assert not set(slugs(first)) & set(slugs(second))
    assert run(catalog_session, ("page", "99")).hits == []


def test_no_word_in_common_falls_back_to_any_word(catalog_session: Session) -> None:
    result = run(catalog_session, ("q", "welding zzzzqqq"))
    assert result.any_word
    assert slugs(result) == ["industrial-welding-gmaw"]


def test_reindex_follows_a_renamed_and_an_unpublished_program(catalog_session: Session) -> None:
    welding = program(catalog_session, "industrial-welding-gmaw")
    welding.name_en = "Underwater Welding"
    welding.updated_at = datetime.now(UTC)
    catalog_session.add(welding)
    assert welding.id is not None
    reindex_program(catalog_session, welding.id)
    assert slugs(run(catalog_session, ("q", "underwater"))) == ["industrial-welding-gmaw"]
    welding.published = False
    catalog_session.add(welding)
    reindex_program(catalog_session, welding.id)
    assert run(catalog_session, ("q", "underwater")).total == 0
    facets = catalog_session.exec(
        select(ProgramFacet).where(ProgramFacet.program_id == welding.id)
    ).all()
    assert facets == []


def test_rebuild_gives_the_same_index(catalog_session: Session) -> None:
    before = run(catalog_session, ("q", "nurse"))
    terms = len(catalog_session.exec(select(SearchTerm)).all())
    assert rebuild_index(catalog_session) == 36
    after = run(catalog_session, ("q", "nurse"))
    assert slugs(after) == slugs(before)
    assert len(catalog_session.exec(select(SearchTerm)).all()) == terms
