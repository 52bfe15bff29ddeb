"""The lists' window (issue 14): "My conversations" and the team page list declined or not
completed conversations only for the organisation's offer_again_days (a JSON setting, no
column). They read live work as three ranges of this index, so a borough's years of old
declined conversations are never read: the cost follows the open work, not the history.

Revision ID: 0008ls
Revises: 0007fd
"""
from alembic import op

revision = "0008ls"
down_revision = "0008ln"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conversation_org_status_outcome", "conversation",
                    ["organisation_id", "status", "outcome_at"])


def downgrade() -> None:
    op.drop_index("ix_conversation_org_status_outcome", table_name="conversation")
