"""One conversation covering several missing episodes (issue 17, covering): a link from a
covering conversation to each other episode it answers, kept when detached (with the reason).

Revision ID: 0008cv
Revises: 0007fg
"""
import sqlalchemy as sa
from alembic import op

import rhc_app.store.db

revision = "0008cv"
down_revision = "0007fd"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "covered_episode",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("covering_conversation_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("covered_conversation_id", sa.String(length=32), nullable=False),
        sa.Column("attached_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attached_by", sa.String(length=32), nullable=False),
        sa.Column("detached_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("detached_by", sa.String(length=32), nullable=True),
        sa.Column("detach_reason_enc", sa.LargeBinary(), nullable=True),
        sa.Column("status_before", sa.String(length=24), nullable=False),
        sa.Column("offered_at_before", rhc_app.store.db.UTCDateTime(timezone=True),
                  nullable=True),
        sa.ForeignKeyConstraint(["covered_conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["covering_conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_covered_episode_organisation_id", "covered_episode",
                    ["organisation_id"])
    op.create_index("ix_covered_episode_covering", "covered_episode",
                    ["covering_conversation_id", "detached_at"])
    op.create_index("ix_covered_episode_covered", "covered_episode",
                    ["covered_conversation_id", "detached_at"])


def downgrade() -> None:
    op.drop_index("ix_covered_episode_covered", table_name="covered_episode")
    op.drop_index("ix_covered_episode_covering", table_name="covered_episode")
    op.drop_index("ix_covered_episode_organisation_id", table_name="covered_episode")
    op.drop_table("covered_episode")
