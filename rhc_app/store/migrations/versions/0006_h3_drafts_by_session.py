"""Drafts kept per browser session as well as per user (issue 15): two tablets of one worker
refused at the same moment each keep their own text. Drafts already kept get the session key
"" and are shown to the worker's next session, as before.

Revision ID: 0006h3
Revises: 0005F
"""
import sqlalchemy as sa
from alembic import op

import rhc_app.store.db

revision = "0006h3"
down_revision = "0005F"
branch_labels = None
depends_on = None

KEY_BEFORE = ["conversation_id", "user_id"]
KEY_AFTER = ["conversation_id", "user_id", "session_key"]


def _set_primary_key(columns: list[str]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("draft_pkey", "draft", type_="primary")
        op.create_primary_key("draft_pkey", "draft", columns)
        return
    # SQLite cannot alter a primary key: copy the rows into a table that has the new one.
    op.create_table(
        "_draft_new",
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("session_key", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=False),
        sa.Column("saved_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint(*columns, name="draft_pkey"),
    )
    op.execute("INSERT INTO _draft_new (conversation_id, user_id, session_key, base_version,"
               " payload_enc, saved_at) SELECT conversation_id, user_id, session_key,"
               " base_version, payload_enc, saved_at FROM draft")
    op.drop_table("draft")
    op.rename_table("_draft_new", "draft")


def upgrade() -> None:
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_key", sa.String(length=64), nullable=False,
                                      server_default=""))
    _set_primary_key(KEY_AFTER)


def downgrade() -> None:
    # One draft per (conversation, user) again: keep each pair's newest.
    op.execute("DELETE FROM draft WHERE EXISTS (SELECT 1 FROM draft AS newer"
               " WHERE newer.conversation_id = draft.conversation_id"
               " AND newer.user_id = draft.user_id AND (newer.saved_at > draft.saved_at"
               " OR (newer.saved_at = draft.saved_at AND newer.session_key > draft.session_key)))")
    _set_primary_key(KEY_BEFORE)
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_column("session_key")
