"""Account invitations: an administrator who creates or resets a worker's or manager's account
sees only half of its one-time password; the other half is sealed on the account until a
manager approves it. Such accounts must set up two-step sign-in. An index lets the managers'
notice of account changes read recent audit events of a few kinds.

Revision ID: 0005D
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

import rhc_app.store.db

revision = "0005D"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitation_code_enc", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("invited_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("invited_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("two_step_required", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_index("ix_audit_event_org_action_at", "audit_event",
                    ["organisation_id", "action", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_org_action_at", table_name="audit_event")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("two_step_required")
        batch_op.drop_column("invited_at")
        batch_op.drop_column("invited_by")
        batch_op.drop_column("invitation_code_enc")
