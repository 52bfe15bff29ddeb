"""The people and places index (issue 16, links): keyed hashes of what identifies each person
and place of a conversation, for finding connections between children without opening records.
And room for the role "exploitation_lead" (17 characters) in user_account.role.

Revision ID: 0008ln
Revises: 0007fg
"""
import sqlalchemy as sa
from alembic import op

import rhc_app.store.db

revision = "0008ln"
down_revision = "0008cv"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _role_length(16, 32)
    op.create_table(
        "link_token",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("child_id", sa.String(length=32), nullable=False),
        sa.Column("entry_kind", sa.String(length=8), nullable=False),
        sa.Column("entry_index", sa.Integer(), nullable=False),
        sa.Column("token_kind", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("do_not_share", sa.Boolean(), nullable=False),
        sa.Column("mentioned_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_link_token_org_token", "link_token",
                    ["organisation_id", "token", "mentioned_at"])
    op.create_index("ix_link_token_conversation_id", "link_token", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_link_token_conversation_id", table_name="link_token")
    op.drop_index("ix_link_token_org_token", table_name="link_token")
    op.drop_table("link_token")
    _role_length(32, 16)


def _role_length(old: int, new: int) -> None:
    # PostgreSQL only: SQLite enforces no VARCHAR length, and rebuilding user_account there
    # (batch mode, in the migration's transaction) would break the foreign keys to it.
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("user_account", "role", existing_type=sa.String(length=old),
                        type_=sa.String(length=new), existing_nullable=False)
