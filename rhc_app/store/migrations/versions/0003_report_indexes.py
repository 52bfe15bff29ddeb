"""Covering index for the quarterly figures: counted from the index, not the table.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_episode_org_reported_cover", "episode",
                    ["organisation_id", "reported_missing_at", "child_id", "in_care", "found_at",
                     "id"])
    op.drop_index("ix_episode_org_reported", table_name="episode")


def downgrade() -> None:
    op.create_index("ix_episode_org_reported", "episode", ["organisation_id", "reported_missing_at"])
    op.drop_index("ix_episode_org_reported_cover", table_name="episode")
