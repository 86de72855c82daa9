"""supervision: 督办 items, their links, history and evidence files

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supervision_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("requirement", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("deadline_rule", sa.String(64), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_number", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_supervision_items"),
    )
    op.create_index("ix_supervision_items_campaign_id", "supervision_items", ["campaign_id"])
    op.create_index("ix_supervision_items_unit_id", "supervision_items", ["unit_id"])
    op.create_table(
        "supervision_links",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(128), nullable=False),
        sa.Column("label", sa.String(255), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["supervision_items.id"], name="fk_supervision_links_item_id"),
        sa.PrimaryKeyConstraint("item_id", "kind", "ref", name="pk_supervision_links"),
    )
    op.create_table(
        "supervision_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(8), nullable=True),
        sa.Column("to_status", sa.String(8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["supervision_items.id"], name="fk_supervision_events_item_id"),
        sa.PrimaryKeyConstraint("id", name="pk_supervision_events"),
    )
    op.create_index("ix_supervision_events_item_id", "supervision_events", ["item_id"])
    op.create_table(
        "supervision_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("stored_as", sa.String(512), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["supervision_items.id"], name="fk_supervision_evidence_item_id"),
        sa.ForeignKeyConstraint(["event_id"], ["supervision_events.id"], name="fk_supervision_evidence_event_id"),
        sa.PrimaryKeyConstraint("id", name="pk_supervision_evidence"),
    )
    op.create_index("ix_supervision_evidence_item_id", "supervision_evidence", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_supervision_evidence_item_id", table_name="supervision_evidence")
    op.drop_table("supervision_evidence")
    op.drop_index("ix_supervision_events_item_id", table_name="supervision_events")
    op.drop_table("supervision_events")
    op.drop_table("supervision_links")
    op.drop_index("ix_supervision_items_unit_id", table_name="supervision_items")
    op.drop_index("ix_supervision_items_campaign_id", table_name="supervision_items")
    op.drop_table("supervision_items")
