"""The figures' version (issue: figures kept, not recounted): one row per organisation,
replaced in the same transaction as every write that can change a figure, so the quarterly
and team figures are counted once and reused until the data changes.

Revision ID: 0009figures_kept
Revises: 0008ls
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009figures_kept"
down_revision = "0008ls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "figures_version",
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("organisation_id"),
    )
    conn = op.get_bind()
    table = sa.table("figures_version", sa.column("organisation_id"), sa.column("version"))
    for (org_id,) in conn.execute(sa.text("SELECT id FROM organisation")):
        conn.execute(table.insert().values(organisation_id=org_id,
                                           version=secrets.randbits(62)))


def downgrade() -> None:
    op.drop_table("figures_version")
