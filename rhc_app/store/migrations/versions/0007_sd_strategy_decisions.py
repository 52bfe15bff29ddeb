"""Strategy meeting decisions (held, booked, not needed) about a child who goes missing often
or is missing from care, and the record that a senior manager was told of a child missing a
long time (issue 13). Who chaired, the reason and who was told are sealed.

Revision ID: 0007sd
Revises: 0006h3
"""
import sqlalchemy as sa
from alembic import op

import rhc_app.store.db

revision = "0007sd"
down_revision = "0007ac"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "strategy_decision",
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("child_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=True),
        sa.Column("prompt", sa.String(length=24), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("meeting_on", sa.Date(), nullable=True),
        sa.Column("chair_enc", sa.LargeBinary(), nullable=True),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_strategy_decision_child_id", "strategy_decision", ["child_id"])
    op.create_table(
        "senior_manager_notice",
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("episode_id", sa.String(length=32), nullable=False),
        sa.Column("told_name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("told_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_senior_manager_notice_episode_id", "senior_manager_notice",
                    ["episode_id"])


def downgrade() -> None:
    op.drop_index("ix_senior_manager_notice_episode_id", table_name="senior_manager_notice")
    op.drop_table("senior_manager_notice")
    op.drop_index("ix_strategy_decision_child_id", table_name="strategy_decision")
    op.drop_table("strategy_decision")
