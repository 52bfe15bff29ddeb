"""Failed sign-ins per client address: one client cannot try many accounts (issue 11,
finding 9). The address is stored only as a keyed hash.

Revision ID: 0005F
Revises: 0005B
"""
import sqlalchemy as sa
from alembic import op

import rhc_app.store.db

revision = "0005F"
down_revision = "0005B"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_throttle",
        sa.Column("address_index", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", rhc_app.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_until", rhc_app.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("address_index"),
    )


def downgrade() -> None:
    op.drop_table("client_throttle")
