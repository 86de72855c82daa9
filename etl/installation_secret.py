"""This installation's secret: the HMAC key of complainant keys and of no-id row digests.

DASHBOARD_SALT when set; otherwise a random secret created on first use in a file outside the
database and the repository (default data/secret/complainant.key, gitignored, mode 0600; the
environment variable DASHBOARD_SECRET_FILE moves it). The bundled sample is built with this secret
like everything else: no secret is written in the source code.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from etl.config import PROJECT_ROOT

SALT_ENV = "DASHBOARD_SALT"
SECRET_FILE_ENV = "DASHBOARD_SECRET_FILE"
DEFAULT_SECRET_FILE = PROJECT_ROOT / "data" / "secret" / "complainant.key"


class SecretFileError(RuntimeError):
    """The secret file exists but cannot be used; never silently replaced (every key would change)."""


def secret_file() -> Path:
    return Path(os.environ.get(SECRET_FILE_ENV) or DEFAULT_SECRET_FILE)


def installation_secret() -> str:
    return os.environ.get(SALT_ENV) or read_or_create(secret_file())


def _read(path: Path) -> str:
    secret = path.read_text(encoding="utf-8").strip()
    if not secret:
        raise SecretFileError(f"密钥文件 {path} 为空。如确认尚未导入任何数据，可删除该文件后重试；"
                              "否则请从备份恢复该文件（更换密钥后，投诉人摘要将无法与此前的数据对应）")
    return secret


def read_or_create(path: Path) -> str:
    """The secret in ``path``; created (64 hex characters) if the file does not exist yet.

    Concurrent first use yields one secret: each process writes its candidate to a private temp
    file and hard-links it into place, which fails if the file already exists (then the existing
    secret is read). The file is never seen half written.
    """
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    candidate = secrets.token_hex(32)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(candidate + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.link(temp, path)
    except FileExistsError:
        return _read(path)
    finally:
        temp.unlink(missing_ok=True)
    return candidate
