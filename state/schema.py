"""State store tables (SQLAlchemy Core). Migrations in state/migrations/versions create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

# Fixed constraint names, the same on both backends (migrations and the schema test rely on them).
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out; SQLite keeps naive UTC text, PostgreSQL timestamptz."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("状态库只接受带时区的时间")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


metadata = MetaData(naming_convention=NAMING)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("unit_id", String(64)),
    Column("campaign_id", String(64)),
    Column("password_hash", String(255)),  # NULL: SSO-only account
    Column("sso_subject", String(255), unique=True),
    Column("active", Boolean, nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("failed_count", Integer, nullable=False),
    Column("locked_until", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("last_sign_in_at", UTCDateTime()),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("role", String(16)),
    Column("action", String(32), nullable=False),
    Column("target", Text),
    Column("detail", Text),  # JSON, phones scrubbed (state.audit)
    Column("ok", Boolean, nullable=False),
)
Index(None, audit_log.c.at)
Index(None, audit_log.c.action)

# A signed-in browser: the cookie holds a random token, the store only its SHA-256 (a leaked database
# signs nobody in). Shared by every replica, so a reload on another replica stays signed in.
sign_in_sessions = Table(
    "sign_in_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    Column("ended_at", UTCDateTime()),  # signed out, expired or replaced
)
Index(None, sign_in_sessions.c.username)

# 督办 (revision 0003): items the meeting assigns to a unit, followed until 销号. state/supervision.py.
# Status is stored (督办中/已反馈/已核查/已销号); 逾期 and the colour are derived from the deadline.
supervision_items = Table(
    "supervision_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", String(64), nullable=False),
    Column("unit_id", String(64), nullable=False),
    Column("source", String(16), nullable=False),
    Column("title", String(200), nullable=False),
    Column("requirement", Text, nullable=False),
    Column("owner", String(128), nullable=False),
    Column("deadline", Date, nullable=False),
    Column("deadline_rule", String(64)),  # e.g. "交办后5个工作日"; NULL: a date was given
    Column("status", String(8), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("closed_at", UTCDateTime()),
    Column("notice_number", String(64)),
)
Index(None, supervision_items.c.campaign_id)
Index(None, supervision_items.c.unit_id)

supervision_links = Table(
    "supervision_links",
    metadata,
    Column("item_id", Integer, ForeignKey("supervision_items.id", name="fk_supervision_links_item_id"),
           primary_key=True),
    Column("kind", String(16), primary_key=True),  # problem | lead | unit
    Column("ref", String(128), primary_key=True),
    Column("label", String(255), nullable=False),
)

supervision_events = Table(
    "supervision_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("supervision_items.id", name="fk_supervision_events_item_id"),
           nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(16), nullable=False),  # created|feedback|returned|verified|closed|noticed|edited
    Column("from_status", String(8)),
    Column("to_status", String(8)),
    Column("note", Text),  # feedback text, reason, check note (phones scrubbed)
)
Index(None, supervision_events.c.item_id)

supervision_evidence = Table(
    "supervision_evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("supervision_items.id", name="fk_supervision_evidence_item_id"),
           nullable=False),
    Column("event_id", Integer, ForeignKey("supervision_events.id", name="fk_supervision_evidence_event_id"),
           nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("stored_as", String(512), nullable=False),  # relative to the evidence folder (DASHBOARD_EVIDENCE)
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(128), nullable=False),
)
Index(None, supervision_evidence.c.item_id)
