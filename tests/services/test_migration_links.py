"""Migration 0011links gives every organisation already there its link index version (the
kept connections need one to be kept under), and its index by period; down and up again."""

from __future__ import annotations

from sqlalchemy import inspect, select

from rhc_app.store import links_version
from rhc_app.store.models import Organisation
from tests.conftest import migrate_to


def test_existing_organisations_get_a_link_index_version(app, world, db):
    orgs = sorted(db.execute(select(Organisation.id)).scalars())
    db.close()
    engine = app.extensions["rhc_database"].engine
    try:
        migrate_to(engine, to="0009figures_kept", down=True)
        assert "link_index_version" not in inspect(engine).get_table_names()
        assert "ix_link_token_org_period" not in {
            i["name"] for i in inspect(engine).get_indexes("link_token")}
    finally:
        migrate_to(engine, to="head")  # the schema is shared with the next test on PostgreSQL
    assert "ix_link_token_org_period" in {
        i["name"] for i in inspect(engine).get_indexes("link_token")}
    versions = {org: links_version.read(db, org) for org in orgs}
    assert len(orgs) == 2 and all(isinstance(v, int) for v in versions.values())
    assert len(set(versions.values())) == 2  # random, not a counter starting alike
