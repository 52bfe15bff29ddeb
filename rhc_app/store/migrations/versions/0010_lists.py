"""The lists on a borough's history (issue 14): "My conversations" reads the worker's own
live work as ranges of (organisation, worker, status, outcome_at); the repeat flag counts a
child's episodes in the window before each listed one as a range of (child, reported); and
continuity reads a child's held conversations from an index alone (episode, held, worker, id),
not from the conversation rows, which hold the sealed record.

Revision ID: 0010lists
Revises: 0009figures_kept
"""
from alembic import op

revision = "0010lists"
down_revision = "0009figures_kept"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conversation_org_worker_status_outcome", "conversation",
                    ["organisation_id", "worker_id", "status", "outcome_at"])
    op.create_index("ix_episode_child_reported", "episode", ["child_id", "reported_missing_at"])
    op.create_index("ix_conversation_episode_held", "conversation",
                    ["episode_id", "held_at", "worker_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_conversation_episode_held", table_name="conversation")
    op.drop_index("ix_episode_child_reported", table_name="episode")
    op.drop_index("ix_conversation_org_worker_status_outcome", table_name="conversation")
