"""The tablet's offline queue (issue 10): each organisation's key pair, its private half
sealed under the key ring, and the receipts of queued items already taken in. Organisations
that exist before this get their key pair from `rhc keys offline` (a migration holds no key
ring to seal it with).

Revision ID: 0007of
Revises: 0006h3
"""
import sqlalchemy as sa
from alembic import op

import rhc_app.store.db

revision = "0007of"
down_revision = "0007fg"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offline_key",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("private_key_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "offline_receipt",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("received_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.PrimaryKeyConstraint("item_id"),
    )
    op.create_index("ix_offline_receipt_conversation_id", "offline_receipt",
                    ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_offline_receipt_conversation_id", table_name="offline_receipt")
    op.drop_table("offline_receipt")
    op.drop_table("offline_key")
