"""Connections and hotspots kept (issue 16): an index of the link index by period, and the
link index's version per organisation, replaced in the same transaction as every index write
(store/links_version.py), so services/kept_links.py reuses a page until the index changes.

Revision ID: 0011links
Revises: 0010lists
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0011links"
down_revision = "0010lists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_link_token_org_period", "link_token",
                    ["organisation_id", "mentioned_at"])
    op.create_table(
        "link_index_version",
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("organisation_id"),
    )
    conn = op.get_bind()
    table = sa.table("link_index_version", sa.column("organisation_id"), sa.column("version"))
    for (org_id,) in conn.execute(sa.text("SELECT id FROM organisation")):
        conn.execute(table.insert().values(organisation_id=org_id,
                                           version=secrets.randbits(62)))


def downgrade() -> None:
    op.drop_table("link_index_version")
    op.drop_index("ix_link_token_org_period", table_name="link_token")
