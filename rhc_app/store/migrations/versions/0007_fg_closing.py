"""Offers closed with no further offer (issue 13, figures): a declined or not completed
conversation closed with a reason, so the "offer again" list holds only live work.

Revision ID: 0007fg
Revises: 0006h3
"""
import sqlalchemy as sa
from alembic import op

import rhc_app.store.db

revision = "0007fg"
down_revision = "0007sd"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offer_closure",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note_enc", sa.LargeBinary(), nullable=True),
        sa.Column("closed_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=32), nullable=False),
        sa.Column("closed_from", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id"),
    )
    op.create_index("ix_offer_closure_organisation_id", "offer_closure", ["organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_offer_closure_organisation_id", table_name="offer_closure")
    op.drop_table("offer_closure")
