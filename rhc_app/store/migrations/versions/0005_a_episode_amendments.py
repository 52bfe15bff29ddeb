"""Episode amendments: once a conversation is completed, a change to the missing episode
behind it (times, risk grade, references) is an amendment with a reason, kept in the same
trail as the record's own amendments.

- amendment.kind: "record" (every existing row) or "episode".
- amendment.changes_enc: sealed JSON, what changed from what to what (episode amendments).

Revision ID: 0005A
Revises: 0005D
"""
import sqlalchemy as sa
from alembic import op

revision = "0005A"
down_revision = "0005D"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False,
                                      server_default="record"))
        batch_op.add_column(sa.Column("changes_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.drop_column("changes_enc")
        batch_op.drop_column("kind")
