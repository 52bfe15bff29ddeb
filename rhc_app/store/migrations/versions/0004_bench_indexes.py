"""Indexes found by the benchmark (bench/): the conversation row carries the sealed record
(about 10 KB), so on SQLite every row looked up is a page read; these indexes answer two hot
queries without touching the row.

- ix_conversation_episode_cover: the quarterly figures join every episode of two years to
  its conversation for offered_at, outcome and held_at; covered, the join reads the index.
- ix_conversation_org_status_worker: a worker's list filters the organisation's open
  conversations by holder (worker_id, or a share found by id); with both in the index the
  rows of other workers are skipped without reading them.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conversation_episode_cover", "conversation",
                    ["episode_id", "offered_at", "outcome", "held_at"])
    op.create_index("ix_conversation_org_status_worker", "conversation",
                    ["organisation_id", "status", "worker_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_conversation_org_status_worker", table_name="conversation")
    op.drop_index("ix_conversation_episode_cover", table_name="conversation")
