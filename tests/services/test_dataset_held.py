"""dataset_held.unchanged, the re-import's quick check on plain columns, agrees with the
models' own comparison (dataset_import._update) for rows that change each field, rows that
say the same in another way (an offset, another order of codes), a row moved to another
child, and conversations the app holds, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rhc_app.domain.dataset import parse_dataset
from rhc_app.services import dataset_held, dataset_import, datasets
from rhc_app.store.models import Child, Conversation, Episode, Organisation
from tests.services.test_import_reports import HEADER, ROWS
from tests.services.test_import_streaming import tx  # noqa: F401 - the fixture

E1 = ROWS[0]  # A1's episode E1: accepted, held, two risk factors
VARIANTS = {
    "the same": E1,
    "the same times at another offset": E1.replace("2024-05-10T10:00Z", "2024-05-10T11:00+01:00"),
    "the codes in another order": E1.replace("criminal_activity;drug_misuse",
                                             "drug_misuse;criminal_activity"),
    "reported a minute later": E1.replace("2024-05-10T10:00Z", "2024-05-10T10:01Z"),
    "found exactly 72 hours before held": E1.replace("2024-05-11T10:00Z", "2024-05-09T09:00Z")
    .replace("2024-05-10T10:00Z", "2024-05-09T08:00Z"),
    "not in care": E1.replace(",yes,E1,", ",no,E1,"),
    "another police risk": E1.replace(",high,", ",low,"),
    "no police risk": E1.replace(",high,", ",,"),
    "declined": E1.replace(",accepted,2024-05-12T09:00Z,", ",declined,,"),
    "another risk factor": E1.replace("criminal_activity;drug_misuse", "criminal_activity"),
    "another child": E1.replace("A1,Ada Sampleton,2010-01-02,female,White British",
                                "B1,Bo Sampleton,2009-03-04,male,Caribbean"),
}


def _row(line: str):
    result = parse_dataset((HEADER + "\n" + line + "\n").encode())
    assert result.errors == []
    return result.rows[0]


@pytest.mark.parametrize("status", ["to_offer", "completed", "in_progress", "covered"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_quick_check_agrees_with_the_models(world, tx, variant, status):  # noqa: F811
    db = tx
    org = db.get(Organisation, world.orgs["north"].org.id)
    ring = db.info["keyring"]
    errors, _summary = datasets.import_file(db, ring, org, (HEADER + "\n" + "\n".join(ROWS)
                                                            + "\n").encode())
    assert errors == []
    eidx = ring.index("episode_ref", "E1")
    episode = db.execute(select(Episode).where(Episode.episode_ref_index == eidx)).scalar_one()
    conv = db.execute(select(Conversation).where(Conversation.episode_id == episode.id)
                      ).scalar_one()
    conv.status = status
    db.flush()
    row = _row(VARIANTS[variant])
    child_id = db.execute(select(Child.id).where(
        Child.case_reference_index == ring.index("child_ref", row.child_ref))).scalar_one()
    quick = dataset_held.unchanged(row, child_id, dataset_held.held(db, org.id, [eidx])[eidx])
    assert quick is not dataset_import._update(row, child_id, episode, conv)
    if variant == "the same" and status != "to_offer":  # the file says completed
        assert quick
    db.rollback()


def test_a_row_giving_a_holder_is_left_to_the_models(world, tx):  # noqa: F811
    """Its late reason or holder is kept in the sealed record too: the quick check does not
    open it, so such a row always goes through the models."""
    db = tx
    org = db.get(Organisation, world.orgs["north"].org.id)
    row = _row(E1)
    assert not dataset_held.reads_record(row)
    given = row.__class__(**{**row.__dict__, "holder_role": "social_worker"})
    assert dataset_held.reads_record(given)
    eidx = db.info["keyring"].index("episode_ref", "E1")
    datasets.import_file(db, db.info["keyring"], org, (HEADER + "\n" + E1 + "\n").encode())
    found = dataset_held.held(db, org.id, [eidx])[eidx]
    assert not dataset_held.unchanged(given, found.episode.child_id, found)
    db.rollback()
