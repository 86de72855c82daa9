"""An account as the app sees it (never with its password hash), the sign-in result, the error type."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from state.roles import Role, load_roles
from state.schema import utcnow


class AccountError(Exception):
    """A refused account operation; the message is shown to the user as is (Chinese)."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: str
    unit_id: str | None
    campaign_id: str | None
    sso_subject: str | None
    active: bool
    must_change_password: bool
    failed_count: int
    locked_until: datetime | None
    created_at: datetime
    updated_at: datetime
    last_sign_in_at: datetime | None
    has_password: bool  # False: SSO-only; the hash itself never leaves this module

    @property
    def role_info(self) -> Role:
        return load_roles()[self.role]

    @property
    def permissions(self) -> frozenset[str]:
        return self.role_info.permissions

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())


@dataclass(frozen=True)
class SignIn:
    ok: bool
    account: Account | None
    reason: str | None  # Chinese message when not ok


_FIELDS = [f.name for f in fields(Account) if f.name != "has_password"]


def account_from_row(row) -> Account:
    m = row._mapping
    return Account(**{k: m[k] for k in _FIELDS}, has_password=m["password_hash"] is not None)
