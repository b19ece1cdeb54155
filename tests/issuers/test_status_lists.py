"""Status entries: random indexes, sharding, concurrency, revoke/suspend/restore, signed lists."""

from __future__ import annotations

import itertools
import json
import threading

import pytest
from sqlmodel import col, select, update

from credentials.errors import Conflict
from credentials.proofs.base import ProofExpectations
from credentials.proofs.registry import verify_data_integrity
from credentials.status_list import parse_status_entry, status_of
from issuers.audit.log import AuditAction, events_for
from issuers.awards import status_lists
from issuers.awards.service import AwardRequest, Learner, issue_award
from issuers.awards.status_changes import change_status
from issuers.awards.tables import Award, AwardState, StatusList
from issuers.identity import signer_for_institution
from issuers.tables import Institution
from keys.store import LocalKeyStoreResolver
from tests.issuers.award_support import (
    BASE_URL,
    NOW,
    Awarding,
    add_institution,
    add_program,
    awarding_fixture,  # noqa: F401  (fixture)
    context_for,
)

REQUEST = AwardRequest(Learner("Amélie Côté", "amelie@example.ca"))


def test_the_permutation_is_a_bijection_that_does_not_look_sequential() -> None:
    key = bytes(range(32))
    indexes = [status_lists.permuted_index(key, n) for n in range(status_lists.LIST_SIZE)]
    assert sorted(indexes) == list(range(status_lists.LIST_SIZE))
    first = indexes[:100]
    steps = {b - a for a, b in itertools.pairwise(first)}
    assert len(steps) > 90
    assert status_lists.permuted_index(bytes(32), 0) != status_lists.permuted_index(key, 0)


def test_lists_are_sharded_when_full(awarding: Awarding) -> None:
    with awarding.session() as session:
        institution = session.get(Institution, awarding.institution_id)
        assert institution is not None
        [first] = status_lists.allocate(session, institution, "revocation", 1, NOW)
        session.exec(
            update(StatusList)
            .where(col(StatusList.id) == first.list_id)
            .values(allocated=status_lists.LIST_SIZE - 2)
        )
        slots = status_lists.allocate(session, institution, "revocation", 5, NOW)
        session.commit()
        assert [slot.list_id for slot in slots[:2]] == [first.list_id] * 2
        assert {slot.list_id for slot in slots[2:]} != {first.list_id}
        assert len({slot.list_id for slot in slots[2:]}) == 1
        assert len(status_lists.lists_of(session, awarding.institution_id)) == 2


def test_concurrent_allocation_never_hands_out_an_entry_twice(awarding: Awarding) -> None:
    results: list[tuple[str, int]] = []
    failures: list[BaseException] = []

    def allocate_some() -> None:
        try:
            for _ in range(10):
                with awarding.session() as session:
                    institution = session.get(Institution, awarding.institution_id)
                    assert institution is not None
                    slots = status_lists.allocate(session, institution, "revocation", 3, NOW)
                    session.commit()
                    results.extend((slot.list_id, slot.index) for slot in slots)
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=allocate_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(results) == 120
    assert len(set(results)) == 120
    with awarding.session() as session:
        # Racing first allocations may each open a list; every entry is still counted once.
        lists = status_lists.lists_of(session, awarding.institution_id)
        assert 1 <= len(lists) <= 4
        assert sum(status_list.allocated for status_list in lists) == 120


def _signed_list(awarding: Awarding, award: Award) -> tuple[dict[str, object], str]:
    with awarding.session() as session:
        institution = session.get(Institution, awarding.institution_id)
        status_list = session.get(StatusList, award.status_list_id)
        assert institution is not None and status_list is not None
        signer = signer_for_institution(session, awarding.master, NOW, institution)
        signed = status_lists.signed_status_list(
            session, status_list, institution, signer, BASE_URL, NOW
        )
        session.commit()
        return json.loads(signed.text), signed.etag


def _status(awarding: Awarding, award: Award) -> int:
    document, _etag = _signed_list(awarding, award)
    with awarding.session() as session:
        [proof] = verify_data_integrity(
            document, LocalKeyStoreResolver(session), ProofExpectations()
        )
    assert proof.verified, proof.reason
    entry = parse_status_entry(json.loads(award.ldp_credential)["credentialStatus"])
    return status_of(entry, document).status


def _change(awarding: Awarding, award_id: str, action: AuditAction, reason: str) -> Award:
    with awarding.session() as session:
        award = session.get(Award, award_id)
        assert award is not None
        changed = change_status(session, award, action, actor="registrar", reason=reason, now=NOW)
        session.commit()
        return changed


def test_suspend_restore_then_revoke_for_good(awarding: Awarding) -> None:
    with awarding.session() as session:
        award = issue_award(session, awarding.context(session), REQUEST, NOW)
        session.commit()
    assert _status(awarding, award) == 0
    _, first_etag = _signed_list(awarding, award)
    assert _signed_list(awarding, award)[1] == first_etag
    assert _change(awarding, award.id, AuditAction.SUSPEND, "Unpaid fees").state == "suspended"
    assert _status(awarding, award) == 1
    assert _signed_list(awarding, award)[1] != first_etag
    assert _change(awarding, award.id, AuditAction.RESTORE, "Fees paid").state == "active"
    assert _status(awarding, award) == 0
    assert _change(awarding, award.id, AuditAction.REVOKE, "Academic misconduct").state == (
        AwardState.REVOKED
    )
    assert _status(awarding, award) == 1
    for action in (AuditAction.RESTORE, AuditAction.SUSPEND, AuditAction.REVOKE):
        with pytest.raises(Conflict):
            _change(awarding, award.id, action, "try again")
    assert _status(awarding, award) == 1
    with awarding.session() as session:
        events = events_for(session, awarding.institution_id, award_id=award.id)
    assert [(event.action, event.reason, event.actor) for event in events] == [
        ("revoke", "Academic misconduct", "registrar"),
        ("restore", "Fees paid", "registrar"),
        ("suspend", "Unpaid fees", "registrar"),
    ]


def test_a_reason_is_required(awarding: Awarding) -> None:
    with awarding.session() as session:
        award = issue_award(session, awarding.context(session), REQUEST, NOW)
        session.commit()
    with pytest.raises(Exception, match="reason"):
        _change(awarding, award.id, AuditAction.REVOKE, "  ")


def test_suspension_needs_a_suspension_entry(awarding: Awarding) -> None:
    with awarding.session() as session:
        strict = add_institution(session, awarding.master, "strict", offers_suspension=False)
        context = context_for(session, awarding.master, strict, add_program(session, strict))
        award = issue_award(session, context, REQUEST, NOW)
        session.commit()
    with pytest.raises(Conflict, match="only be revoked"):
        _change(awarding, award.id, AuditAction.SUSPEND, "Unpaid fees")
    assert _change(awarding, award.id, AuditAction.REVOKE, "Fraud").state == "revoked"
    with awarding.session() as session:
        assert session.exec(select(Award).where(Award.state == "revoked")).one().id == award.id
