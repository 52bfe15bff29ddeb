"""Return from sign-off: when a manager returns a conversation to the worker, when, by whom
and what they asked to change (sealed, like every other free text).

Revision ID: 0005B
Revises: 0005A
"""
import sqlalchemy as sa
from alembic import op

import rhc_app.store.db

revision = "0005B"
down_revision = "0005A"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("returned_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("returned_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("return_reason_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("return_reason_enc")
        batch_op.drop_column("returned_by")
        batch_op.drop_column("returned_at")
