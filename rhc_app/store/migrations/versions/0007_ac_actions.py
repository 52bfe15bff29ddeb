"""Actions and referrals followed to the end, and the sign-off history (issue 13).

Each action has an owner, a due date, a status and a sealed outcome. The codes already ticked
on records are carried over as open actions owned by the conversation's worker, with no due
date, so old records read as before. Every sign-off and return is kept (with the manager's
comment, sealed); the latest one already on a conversation stays in its own columns and is
shown from there.

Revision ID: 0007ac
Revises: 0006h3
"""
import json
import secrets

import sqlalchemy as sa
from alembic import op

import rhc_app.store.db

revision = "0007ac"
down_revision = "0006h3"
branch_labels = None
depends_on = None


def _carry_over_ticked_actions() -> None:
    conn = op.get_bind()
    conv = sa.table("conversation", sa.column("id"), sa.column("organisation_id"),
                    sa.column("worker_id"), sa.column("actions"))
    action = sa.table("follow_up_action", sa.column("id"), sa.column("organisation_id"),
                      sa.column("conversation_id"), sa.column("kind"), sa.column("owner_id"),
                      sa.column("status"), sa.column("source"), sa.column("created_at"))
    now = rhc_app.store.db.utcnow()
    rows = []
    for conv_id, org_id, worker_id, codes in conn.execute(
            sa.select(conv.c.id, conv.c.organisation_id, conv.c.worker_id, conv.c.actions)):
        if isinstance(codes, str):  # JSON comes back as text from some drivers
            codes = json.loads(codes)
        for code in dict.fromkeys(codes or []):
            rows.append({"id": secrets.token_hex(16), "organisation_id": org_id,
                         "conversation_id": conv_id, "kind": str(code)[:64],
                         "owner_id": worker_id, "status": "open", "source": "record",
                         "created_at": now.replace(tzinfo=None)
                         if conn.dialect.name == "sqlite" else now})
    if rows:
        conn.execute(action.insert(), rows)


def upgrade() -> None:
    op.create_table(
        "follow_up_action",
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("detail_enc", sa.LargeBinary(), nullable=True),
        sa.Column("outcome_enc", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("updated_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=32), nullable=True),
        sa.Column("closed_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_follow_up_action_conversation_id", "follow_up_action",
                    ["conversation_id"])
    op.create_index("ix_follow_up_action_org_status_due", "follow_up_action",
                    ["organisation_id", "status", "due_on"])
    op.create_index("ix_follow_up_action_owner_status", "follow_up_action",
                    ["owner_id", "status"])
    op.create_table(
        "sign_off_entry",
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by_user_id", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("comment_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_off_entry_conversation_id", "sign_off_entry", ["conversation_id"])
    _carry_over_ticked_actions()


def downgrade() -> None:
    # The ticked codes stay on each conversation (its `actions` column): nothing is lost of
    # what the record said, only the owners, dates and outcomes added since.
    op.drop_index("ix_sign_off_entry_conversation_id", table_name="sign_off_entry")
    op.drop_table("sign_off_entry")
    op.drop_index("ix_follow_up_action_owner_status", table_name="follow_up_action")
    op.drop_index("ix_follow_up_action_org_status_due", table_name="follow_up_action")
    op.drop_index("ix_follow_up_action_conversation_id", table_name="follow_up_action")
    op.drop_table("follow_up_action")
