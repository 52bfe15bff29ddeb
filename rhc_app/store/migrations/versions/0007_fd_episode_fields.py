"""Issue 17's fields: what the parents or carers said (sealed), a decision not to offer (who
took it, sealed), why a conversation came late, who held it and whether they are independent
of the child's care; and, for a child placed out of area, the placing and host councils.

Revision ID: 0007fd
Revises: 0006h3
"""
import sqlalchemy as sa
from alembic import op

revision = "0007fd"
down_revision = "0007of"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not in batch mode (see downgrade): every column is added in place, on both engines.
    op.add_column("conversation", sa.Column("carers_said_enc", sa.LargeBinary(), nullable=True))
    op.add_column("conversation", sa.Column("not_offered", sa.Boolean(), nullable=False,
                                            server_default=sa.false()))
    op.add_column("conversation", sa.Column("not_offered_by_enc", sa.LargeBinary(),
                                            nullable=True))
    op.add_column("conversation", sa.Column("late_reason", sa.String(length=40), nullable=True))
    op.add_column("conversation", sa.Column("holder_role", sa.String(length=32), nullable=True))
    op.add_column("conversation", sa.Column("holder_independent", sa.Boolean(), nullable=True))
    op.add_column("child", sa.Column("placing_authority", sa.String(length=100), nullable=True))
    op.add_column("child", sa.Column("host_area", sa.String(length=100), nullable=True))


def downgrade() -> None:
    # Not in batch mode: on SQLite that copies the table, and dropping the old child or
    # conversation table fails while episodes and drafts point at its rows. SQLite (3.35
    # and later) drops a plain column in place, as PostgreSQL does.
    for column in ("host_area", "placing_authority"):
        op.drop_column("child", column)
    for column in ("holder_independent", "holder_role", "late_reason", "not_offered_by_enc",
                   "not_offered", "carers_said_enc"):
        op.drop_column("conversation", column)
