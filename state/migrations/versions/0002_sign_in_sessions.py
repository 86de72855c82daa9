"""sign_in_sessions: a local sign-in survives a reload or a copied link in a new tab

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sign_in_sessions"),
    )
    op.create_index("ix_sign_in_sessions_username", "sign_in_sessions", ["username"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_sessions_username", table_name="sign_in_sessions")
    op.drop_table("sign_in_sessions")
