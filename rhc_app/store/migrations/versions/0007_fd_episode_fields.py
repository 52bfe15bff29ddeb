"""Issue 17's fields: what the parents or carers said (sealed), a decision not to offer (who
took it, sealed), why a conversation came late, who held it and whether they are independent
of the child's care; and, for a child placed out of area, the placing and host councils.

Revision ID: 0007fd
Revises: 0006h3
"""
import sqlalchemy as sa
from alembic import op

revision = "0007fd"
down_revision = "0006h3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carers_said_enc", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("not_offered", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("not_offered_by_enc", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("late_reason", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("holder_role", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("holder_independent", sa.Boolean(), nullable=True))
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.add_column(sa.Column("placing_authority", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("host_area", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.drop_column("host_area")
        batch_op.drop_column("placing_authority")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("holder_independent")
        batch_op.drop_column("holder_role")
        batch_op.drop_column("late_reason")
        batch_op.drop_column("not_offered_by_enc")
        batch_op.drop_column("not_offered")
        batch_op.drop_column("carers_said_enc")
